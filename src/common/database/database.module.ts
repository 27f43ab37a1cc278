import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DataSourceParts, dataSourceOptions, runMigrationsLocked } from './data-source.factory';
import { ensureDatabase } from './database-url';

/** TypeORM on PostgreSQL; migrations applied at start-up unless MIGRATIONS_RUN=false. */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static forRoot.
export class DatabaseModule {
  static forRoot(parts: (cfg: AppConfig) => DataSourceParts): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (cfg: AppConfig) => dataSourceOptions(parts(cfg)),
          dataSourceFactory: async (opts) => {
            const cfg = loadConfig();
            if (cfg.DATABASE_CREATE) await ensureDatabase(cfg.DATABASE_URL);
            const ds = await new DataSource(opts!).initialize();
            if (cfg.MIGRATIONS_RUN) await runMigrationsLocked(ds);
            return ds;
          },
        }),
      ],
    };
  }
}
