import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { CardPersonalizationModule } from './card-personalization/card-personalization.module';
import { AuditCheckpointCommand, AuditPublicKeyCommand, AuditVerifyCommand } from './common/audit/audit.command';
import { AuditController } from './common/audit/audit.controller';
import { AuthGuard } from './common/auth/auth.guard';
import { TokensCreateCommand } from './common/auth/tokens.command';
import { CommonModule } from './common/common.module';
import { loadConfig } from './common/config/config';
import { ConfigModule } from './common/config/config.module';
import { DatabaseModule } from './common/database/database.module';
import { ProblemFilter } from './common/errors/problem.filter';
import { HealthController } from './common/health/health.controller';
import { JobsController } from './common/jobs/jobs.controller';
import { loggerModule } from './common/logging/logging';
import { HttpMetricsInterceptor } from './common/metrics/http-metrics.interceptor';
import { MetricsController } from './common/metrics/metrics.controller';
import { appDataSourceParts } from './data-source';
import { MailingModule } from './mailing/mailing.module';
import { CrlPublishCommand, ExpiryRunCommand } from './opposition/opposition.commands';
import { OppositionModule } from './opposition/opposition.module';
import { CardsImportCommand, RenewalsRunCommand } from './orders/orders.commands';
import { OrdersModule } from './orders/orders.module';
import { ConfirmMigrationCommand, ListMigrationsCommand, RejectMigrationCommand } from './rpps/identifier-migrations.command';
import { RppsModule } from './rpps/rpps.module';
import { RppsImportCommand } from './rpps/rpps-import.command';

const cfg = loadConfig();

/** What every entry point has: config, logs, database (migrated at start), common services, the modules. */
const CORE = [
  ConfigModule,
  DatabaseModule.forRoot((c) => appDataSourceParts(c.DATABASE_URL)),
  CommonModule,
  RppsModule,
  OrdersModule,
  OppositionModule,
  MailingModule,
  CardPersonalizationModule,
];

/** The HTTP API. */
@Module({
  imports: [loggerModule(cfg, 'stdout'), TerminusModule, ...CORE],
  controllers: [HealthController, MetricsController, JobsController, AuditController],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: ProblemFilter },
    { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
  ],
})
export class ApiModule {}

/** The queue worker. */
@Module({ imports: [loggerModule(cfg, 'stdout'), ...CORE] })
export class WorkerModule {}

/** The CLI: logs on stderr, results on stdout. */
@Module({
  imports: [loggerModule(cfg, 'stderr'), ...CORE],
  providers: [
    RppsImportCommand,
    ListMigrationsCommand,
    ConfirmMigrationCommand,
    RejectMigrationCommand,
    CardsImportCommand,
    RenewalsRunCommand,
    ExpiryRunCommand,
    CrlPublishCommand,
    TokensCreateCommand,
    AuditVerifyCommand,
    AuditCheckpointCommand,
    AuditPublicKeyCommand,
  ],
})
export class CliModule {}
