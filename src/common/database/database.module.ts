import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { createLogger } from '../logging/logging';
import { DataSourceParts, databaseTimeouts, dataSourceOptions } from './data-source.factory';
import { ensureDatabase } from './database-url';
import { MigrationsError, pendingMigrations, pendingMigrationsError, runPendingMigrations, withMigrator } from './migrations';

export interface DatabaseModuleOptions {
  /** Retry a refused first connection (the API and the worker); the CLI fails at once. */
  retry: boolean;
  /**
   * At start: apply the pending migrations (MIGRATIONS_RUN=true) or refuse to start while some
   * are pending (MIGRATIONS_RUN=false). False for the migrations:* commands, which do it themselves.
   */
  migrationsAtStart?: boolean;
  /** Where the applied migrations are logged (the CLI logs on stderr). */
  logTo?: 'stdout' | 'stderr';
}

/**
 * TypeORM on PostgreSQL; migrations applied at start-up (each logged with its time) unless
 * MIGRATIONS_RUN=false, where a process refuses to start while one is pending (one line naming
 * them, not retried). Every session has the configured statement, idle-in-transaction and
 * connect timeouts. The API and the worker retry a refused first connection (9 times, 3 s
 * apart); the CLI does not (`retry: false`): it fails at once, having checked the server first.
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static forRoot.
export class DatabaseModule {
  static forRoot(cfg: AppConfig, parts: DataSourceParts, opts: DatabaseModuleOptions = { retry: true }): DynamicModule {
    const atStart = opts.migrationsAtStart ?? true;
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions({ timeouts: databaseTimeouts(cfg), ...parts }),
            // A refusal to start (migrations pending, a migration failing) is not retried.
            toRetry: (err: unknown) => opts.retry && !(err instanceof MigrationsError),
          }),
          dataSourceFactory: async (options) => {
            if (cfg.DATABASE_CREATE) await ensureDatabase(cfg.DATABASE_URL);
            if (atStart && cfg.MIGRATIONS_RUN) {
              const log = createLogger(cfg, opts.logTo ?? 'stdout').child({ component: 'migrations' });
              await withMigrator(options!, (migrator) =>
                runPendingMigrations(migrator, (m) =>
                  log.info({ migration: m.name, ms: m.ms }, `migration ${m.name} applied in ${m.ms} ms`),
                ),
              );
            }
            const ds = await new DataSource(options!).initialize();
            if (atStart && !cfg.MIGRATIONS_RUN) {
              const pending = await pendingMigrations(ds).catch(async (e) => {
                await ds.destroy();
                throw e;
              });
              if (pending.length) {
                await ds.destroy();
                throw pendingMigrationsError(pending);
              }
            }
            return ds;
          },
        }),
      ],
    };
  }
}
