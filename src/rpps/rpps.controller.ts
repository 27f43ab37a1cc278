import { Body, Controller, DefaultValuePipe, Get, Param, ParseIntPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CommonError } from '../common/errors/domain-error';
import { IdentifierMigrationsService } from './identifier-migrations.service';
import { RppsService } from './rpps.service';
import { RppsImportQueueService } from './rpps-import-queue.service';

@ApiTags('registry')
@ApiBearerAuth()
@Controller('api/v1')
export class RppsController {
  constructor(
    private readonly rpps: RppsService,
    private readonly queue: RppsImportQueueService,
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

  /** Runs an import as a queue job on a worker (the files must be readable by the worker). */
  @Post('imports')
  @Roles('batch')
  enqueue(@Body() body: { files?: unknown; asOf?: unknown; confirmMassChange?: unknown }, @Req() req: AuthedRequest) {
    if (!Array.isArray(body?.files) || !body.files.every((f) => typeof f === 'string') || !body.files.length) {
      throw new CommonError('validation_failed', 'files: expected a non-empty array of paths readable by the worker');
    }
    if (body.asOf !== undefined && typeof body.asOf !== 'string') throw new CommonError('validation_failed', 'asOf: expected YYYY-MM-DD');
    return this.queue.enqueue({
      files: body.files as string[],
      asOf: body.asOf as string | undefined,
      confirmMassChange: body.confirmMassChange === true,
      actor: actorOf(req),
    });
  }
}
