import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { DataSourceParts, dataSourceOptions, runMigrationsLocked } from './data-source.factory';
import { ensureDatabase } from './database-url';

/** TypeORM on PostgreSQL; migrations applied at start-up unless MIGRATIONS_RUN=false. */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static forRoot.
export class DatabaseModule {
  static forRoot(cfg: AppConfig, parts: DataSourceParts): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(parts),
          dataSourceFactory: async (opts) => {
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
