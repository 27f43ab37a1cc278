import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { CardPersonalizationModule } from './card-personalization/card-personalization.module';
import { EncoderStationsModule } from './card-personalization/encoder-stations.module';
import { PersonalizeRunCommand } from './card-personalization/personalization.commands';
import { AuditCheckpointCommand, AuditPublicKeyCommand, AuditVerifyCommand } from './common/audit/audit.command';
import { AuditController } from './common/audit/audit.controller';
import { AuthGuard } from './common/auth/auth.guard';
import { SessionController } from './common/auth/session.controller';
import { TokensCreateCommand, TokensListCommand, TokensRevokeCommand } from './common/auth/tokens.command';
import { UsersCreateCommand, UsersDisableCommand, UsersListCommand, UsersResetPasswordCommand } from './common/auth/users.command';
import { ClockModule } from './common/clock/clock.module';
import { CommonModule } from './common/common.module';
import { AppConfig } from './common/config/config';
import { APP_CONFIG, ConfigModule } from './common/config/config.module';
import { DatabaseModule } from './common/database/database.module';
import { MigrationsRevertCommand, MigrationsRunCommand, MigrationsStatusCommand } from './common/database/migrations.command';
import { ProblemFilter } from './common/errors/problem.filter';
import { Drain } from './common/health/drain';
import { HealthController } from './common/health/health.controller';
import { UndeclaredInputGuard } from './common/http/undeclared-input.guard';
import { EdgeValidationPipe } from './common/http/validation';
import { JobsController } from './common/jobs/jobs.controller';
import { loggerModule } from './common/logging/logging';
import { MetricsController } from './common/metrics/metrics.controller';
import { appDataSourceParts } from './data-source-parts';
import { CodeVaultModule } from './mailing/code-vault.module';
import { MailingBatchCommand, MailingCodesSweepCommand } from './mailing/mailing.commands';
import { MailingModule } from './mailing/mailing.module';
import { VaultRotateCommand } from './mailing/vault.commands';
import { CrlSigningModule } from './opposition/crl-signing.module';
import { CrlPublishCommand, ExpiryRunCommand } from './opposition/opposition.commands';
import { OppositionModule } from './opposition/opposition.module';
import { CardsImportCommand, RenewalsRunCommand } from './orders/orders.commands';
import { OrdersModule } from './orders/orders.module';
import { RetentionRunCommand } from './retention/retention.command';
import { RetentionModule } from './retention/retention.module';
import { ConfirmMigrationCommand, ListMigrationsCommand, RejectMigrationCommand } from './rpps/identifier-migrations.command';
import { RedateImportCommand } from './rpps/import-redate.command';
import { RppsModule } from './rpps/rpps.module';
import { RppsImportCommand } from './rpps/rpps-import.command';

/** What every entry point has: config, clock, database (migrated at start), common services, the modules. */
function core(cfg: AppConfig, entry: 'api' | 'worker' | 'cli', migrationsAtStart = true) {
  return [
    ConfigModule.forRoot(cfg),
    ClockModule,
    // Rate limits per principal (PrincipalThrottlerGuard); its guards are built in every context.
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => [{ name: 'oppositions', ttl: 60_000, limit: c.OPPOSITIONS_PER_MINUTE }],
    }),
    // The CLI checked PostgreSQL before starting (cli.ts): no 25 s of retries, and no CLI command uses Redis.
    DatabaseModule.forRoot(cfg, appDataSourceParts(cfg.DATABASE_URL), {
      retry: entry !== 'cli',
      migrationsAtStart,
      logTo: entry === 'cli' ? 'stderr' : 'stdout',
    }),
    CommonModule.forRoot({ redisAtStart: entry !== 'cli' }),
    RppsModule,
    OrdersModule,
    OppositionModule,
    MailingModule,
    CardPersonalizationModule,
  ];
}

/** The HTTP API, with the configuration its entry point validated. */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static forRoot.
export class ApiModule {
  static forRoot(cfg: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [loggerModule(cfg, 'stdout'), ...core(cfg, 'api')],
      controllers: [HealthController, MetricsController, JobsController, AuditController, SessionController],
      providers: [
        // global guards run in this order, before the route's own (the oppositions' throttler)
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: UndeclaredInputGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: EdgeValidationPipe },
        { provide: Drain, useValue: new Drain() },
      ],
    };
  }
}

/**
 * The queue worker; it signs CRLs and issues codes, so it loads the CRL key and the vault keys
 * at start (a bad key stops it there).
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static forRoot.
export class WorkerModule {
  static forRoot(cfg: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        loggerModule(cfg, 'stdout'),
        ...core(cfg, 'worker'),
        CrlSigningModule.register({ loadAtStart: true }),
        CodeVaultModule.forRoot({ loadAtStart: true }),
        EncoderStationsModule,
        RetentionModule,
      ],
    };
  }
}

/** Every CLI command (cli.ts lists them as help, and refuses any other, before connecting to anything). */
export const CLI_COMMANDS = [
  RppsImportCommand,
  RedateImportCommand,
  ListMigrationsCommand,
  ConfirmMigrationCommand,
  RejectMigrationCommand,
  CardsImportCommand,
  RenewalsRunCommand,
  ExpiryRunCommand,
  CrlPublishCommand,
  TokensCreateCommand,
  TokensListCommand,
  TokensRevokeCommand,
  UsersCreateCommand,
  UsersResetPasswordCommand,
  UsersListCommand,
  UsersDisableCommand,
  AuditVerifyCommand,
  AuditCheckpointCommand,
  AuditPublicKeyCommand,
  VaultRotateCommand,
  PersonalizeRunCommand,
  MailingBatchCommand,
  MailingCodesSweepCommand,
  MigrationsRunCommand,
  MigrationsRevertCommand,
  MigrationsStatusCommand,
  RetentionRunCommand,
];

/** The commands that apply, revert or list migrations: the CLI neither applies nor checks them before these run. */
export const MIGRATION_COMMANDS = ['migrations:run', 'migrations:revert', 'migrations:status'];

/**
 * The CLI: logs on stderr, results on stdout; the CRL key is read only by a command that signs
 * (crl:publish), the vault keys only by a command that needs them (vault:rotate).
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static forRoot.
export class CliModule {
  static forRoot(cfg: AppConfig, opts: { migrationsAtStart: boolean } = { migrationsAtStart: true }): DynamicModule {
    return {
      module: CliModule,
      imports: [
        loggerModule(cfg, 'stderr'),
        ...core(cfg, 'cli', opts.migrationsAtStart),
        CrlSigningModule.register({ loadAtStart: false }),
        CodeVaultModule.forRoot({ loadAtStart: false }),
        EncoderStationsModule,
        RetentionModule,
      ],
      providers: [...CLI_COMMANDS],
    };
  }
}
