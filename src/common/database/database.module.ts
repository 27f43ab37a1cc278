import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/config';
import { DataSourceParts, databaseTimeouts, dataSourceOptions, runMigrationsLocked } from './data-source.factory';
import { ensureDatabase } from './database-url';

/**
 * TypeORM on PostgreSQL; migrations applied at start-up unless MIGRATIONS_RUN=false. Every
 * session has the configured statement, idle-in-transaction and connect timeouts. The API
 * and the worker retry a refused first connection (9 times, 3 s apart); the CLI does not
 * (`retry: false`): it fails at once, having checked the server first.
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static forRoot.
export class DatabaseModule {
  static forRoot(cfg: AppConfig, parts: DataSourceParts, opts: { retry: boolean } = { retry: true }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions({ timeouts: databaseTimeouts(cfg), ...parts }),
            ...(opts.retry ? {} : { toRetry: () => false }),
          }),
          dataSourceFactory: async (opts) => {
            if (cfg.DATABASE_CREATE) await ensureDatabase(cfg.DATABASE_URL);
            if (cfg.MIGRATIONS_RUN) {
              // Migrations (and the wait for another process's) are not bound by the statement timeout.
              const migrator = await new DataSource({ ...opts!, extra: { max: 2 } } as DataSourceOptions).initialize();
              try {
                await runMigrationsLocked(migrator);
              } finally {
                await migrator.destroy();
              }
            }
            return new DataSource(opts!).initialize();
          },
        }),
      ],
    };
  }
}
