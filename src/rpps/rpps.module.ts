import { Module } from '@nestjs/common';
import { IdentifierMigrationsService } from './identifier-migrations.service';
import { RppsController } from './rpps.controller';
import { RppsService } from './rpps.service';
import { RppsImportProcessor } from './rpps-import.processor';
import { RppsImportQueue } from './rpps-import.queue';
import { RppsImportService } from './rpps-import.service';

@Module({
  controllers: [RppsController],
  providers: [RppsService, RppsImportService, RppsImportQueue, RppsImportProcessor, IdentifierMigrationsService],
  exports: [RppsService, RppsImportService, RppsImportQueue, RppsImportProcessor, IdentifierMigrationsService],
})
export class RppsModule {}
