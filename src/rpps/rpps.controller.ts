import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CommonError } from '../common/errors/domain-error';
import {
  EnqueueImportBody,
  ImportParams,
  ImportRejectsQuery,
  ImportsQuery,
  MigrationParams,
  MigrationsQuery,
  SearchProfessionalsQuery,
} from './dto/rpps.dto';
import {
  ImportConfirmed,
  ImportDetail,
  ImportQueued,
  ImportRejectsPage,
  ImportsPage,
  MigrationDecided,
  MigrationsPage,
} from './dto/rpps-views.dto';
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

  /** ADELI → RPPS identifier migrations (candidates wait for an operator's decision), one page of them, newest first. */
  @Get('registry/migrations')
  @Roles('operator', 'auditor')
  @ApiOkResponse({ type: MigrationsPage.Output })
  listMigrations(@Query() q: MigrationsQuery) {
    return this.migrations.list(q);
  }

  @Post('registry/migrations/:id/confirm')
  @Roles('operator')
  @ApiCreatedResponse({ type: MigrationDecided.Output, description: 'the migration, confirmed (IDENTIFIER_MIGRATED emitted)' })
  confirm(@Param() { id }: MigrationParams, @Req() req: AuthedRequest) {
    return this.migrations.decide(id, 'confirm', actorOf(req));
  }

  @Post('registry/migrations/:id/reject')
  @Roles('operator')
  @ApiCreatedResponse({ type: MigrationDecided.Output, description: 'the migration, rejected (CEASED and NEW_PROFESSIONAL emitted)' })
  reject(@Param() { id }: MigrationParams, @Req() req: AuthedRequest) {
    return this.migrations.decide(id, 'reject', actorOf(req));
  }

  @Get('professionals')
  @Roles('operator', 'helpdesk')
  search(@Query() q: SearchProfessionalsQuery) {
    return this.rpps.search(q);
  }

  @Get('imports')
  @Roles('operator', 'batch', 'auditor')
  @ApiOkResponse({ type: ImportsPage.Output })
  imports(@Query() q: ImportsQuery) {
    return this.rpps.listImports(q);
  }

  /** One import; a held one shows what applying it would do (counts by kind of change, a sample). */
  @Get('imports/:id')
  @Roles('operator', 'batch', 'auditor')
  @ApiOkResponse({ type: ImportDetail.Output })
  getImport(@Param() { id }: ImportParams) {
    return this.rpps.getImport(id);
  }

  /** The lines an import rejected, in file and line order, one page of them: file, line number, why (never the line itself). 404 `import_not_found`. */
  @Get('imports/:id/rejects')
  @Roles('operator', 'batch', 'auditor')
  @ApiOkResponse({ type: ImportRejectsPage.Output })
  importRejects(@Param() { id }: ImportParams, @Query() q: ImportRejectsQuery) {
    return this.rpps.importRejects(id, q);
  }

  /**
   * Runs an import as a queue job on a worker. `files` are names inside IMPORT_DIR (a
   * path outside it is refused); a held import is confirmed with POST imports/:id/confirm.
   */
  @Post('imports')
  @Roles('batch')
  @ApiCreatedResponse({ type: ImportQueued.Output })
  enqueue(@Body() body: EnqueueImportBody, @Req() req: AuthedRequest) {
    return this.queue.enqueue({
      files: body.files,
      asOf: body.asOf,
      actor: actorOf(req),
      source: 'api',
      principal: req.principal,
    });
  }

  /** Applies a held import (as a queue job): an operator's decision, never the submitter's. */
  @Post('imports/:id/confirm')
  @Roles('operator')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: ImportConfirmed.Output })
  confirmImport(@Param() { id }: ImportParams, @Req() req: AuthedRequest) {
    if (!req.principal) throw new CommonError('unauthenticated', 'no principal on this request', 401);
    return this.queue.confirm(id, req.principal);
  }
}
