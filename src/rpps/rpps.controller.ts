import { Body, Controller, DefaultValuePipe, Get, HttpCode, Param, ParseIntPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CommonError } from '../common/errors/domain-error';
import { IdentifierMigrationsService } from './identifier-migrations.service';
import { RppsService } from './rpps.service';
import { RppsImportQueue } from './rpps-import.queue';

@ApiTags('registry')
@ApiBearerAuth()
@Controller('api/v1')
export class RppsController {
  constructor(
    private readonly rpps: RppsService,
    private readonly queue: RppsImportQueue,
    private readonly migrations: IdentifierMigrationsService,
  ) {}

  /** ADELI → RPPS identifier migrations (candidates wait for an operator's decision). */
  @Get('registry/migrations')
  @Roles('operator', 'auditor')
  listMigrations(@Query('status') status?: string) {
    if (status !== undefined && !['pending', 'confirmed', 'rejected', 'applied'].includes(status)) {
      throw new CommonError('validation_failed', 'status: expected pending, confirmed, rejected or applied');
    }
    return this.migrations.list(status);
  }

  @Post('registry/migrations/:id/confirm')
  @Roles('operator')
  confirm(@Param('id') id: string, @Req() req: AuthedRequest) {
    return this.migrations.decide(id, 'confirm', actorOf(req));
  }

  @Post('registry/migrations/:id/reject')
  @Roles('operator')
  reject(@Param('id') id: string, @Req() req: AuthedRequest) {
    return this.migrations.decide(id, 'reject', actorOf(req));
  }

  @Get('professionals')
  @Roles('operator', 'helpdesk')
  search(
    @Query('name') name?: string,
    @Query('profession') profession?: string,
    @Query('page', new DefaultValuePipe(1), ParseIntPipe) page = 1,
  ) {
    if (!name && !profession) throw new CommonError('validation_failed', 'give name= or profession= (or both)');
    return this.rpps.search({ name, profession, page });
  }

  @Get('imports')
  @Roles('operator', 'batch', 'auditor')
  imports() {
    return this.rpps.listImports();
  }

  /** One import; a held one shows what applying it would do (counts by kind of change, a sample). */
  @Get('imports/:id')
  @Roles('operator', 'batch', 'auditor')
  getImport(@Param('id') id: string) {
    return this.rpps.getImport(id);
  }

  /**
   * Runs an import as a queue job on a worker. `files` are names inside IMPORT_DIR (a
   * path outside it is refused); a held import is confirmed with POST imports/:id/confirm.
   */
  @Post('imports')
  @Roles('batch')
  enqueue(@Body() body: { files?: unknown; asOf?: unknown; confirmMassChange?: unknown }, @Req() req: AuthedRequest) {
    if (!Array.isArray(body?.files) || !body.files.every((f) => typeof f === 'string') || !body.files.length) {
      throw new CommonError('validation_failed', 'files: expected a non-empty array of file names in the import directory');
    }
    if (body.asOf !== undefined && typeof body.asOf !== 'string') throw new CommonError('validation_failed', 'asOf: expected YYYY-MM-DD');
    if (body.confirmMassChange !== undefined) {
      throw new CommonError(
        'validation_failed',
        'confirmMassChange is not accepted: a held import is confirmed by another operator with POST /api/v1/imports/:id/confirm',
      );
    }
    return this.queue.enqueue({
      files: body.files as string[],
      asOf: body.asOf as string | undefined,
      actor: actorOf(req),
      source: 'api',
      principal: req.principal,
    });
  }

  /** Applies a held import (as a queue job): an operator's decision, never the submitter's. */
  @Post('imports/:id/confirm')
  @Roles('operator')
  @HttpCode(202)
  confirmImport(@Param('id') id: string, @Req() req: AuthedRequest) {
    if (!req.principal) throw new CommonError('unauthenticated', 'no principal on this request', 401);
    return this.queue.confirm(id, req.principal);
  }
}
