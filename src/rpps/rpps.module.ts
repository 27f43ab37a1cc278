import { Module } from '@nestjs/common';
import { IdentifierMigrationsService } from './identifier-migrations.service';
import { ImportRedateService } from './import-redate.service';
import { RegistrySearchService } from './registry-search.service';
import { RppsController } from './rpps.controller';
import { RppsService } from './rpps.service';
import { RppsImportHandler } from './rpps-import.handler';
import { RppsImportService } from './rpps-import.service';
import { RppsImportQueueService } from './rpps-import-queue.service';

@Module({
  controllers: [RppsController],
  providers: [
    RppsService,
    RegistrySearchService,
    RppsImportService,
    RppsImportQueueService,
    RppsImportHandler,
    IdentifierMigrationsService,
    ImportRedateService,
  ],
  exports: [
    RppsService,
    RegistrySearchService,
    RppsImportService,
    RppsImportQueueService,
    RppsImportHandler,
    IdentifierMigrationsService,
    ImportRedateService,
  ],
})
export class RppsModule {}
