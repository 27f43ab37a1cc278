import { DataSource, DataSourceOptions, MixedList } from 'typeorm';

/** What TypeORM takes as entity and migration classes. */
// biome-ignore lint/complexity/noBannedTypes: TypeORM declares these lists with Function.
type Classes = MixedList<Function>;

export interface DataSourceParts {
  url: string;
  entities: Classes;
  migrations: Classes;
  poolSize?: number;
  applicationName?: string;
}

export function dataSourceOptions(p: DataSourceParts): DataSourceOptions {
  return {
    type: 'postgres',
    url: p.url,
    entities: p.entities,
    migrations: p.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: p.applicationName ?? 'cps-backoffice',
    extra: { max: p.poolSize ?? 10 },
  };
}

/** A lock number every process uses while it applies migrations, so two entry points never race. */
const MIGRATION_LOCK = 7_264_001;

/** Applies pending migrations under an advisory lock; returns the names applied. */
export async function runMigrationsLocked(ds: DataSource): Promise<string[]> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await qr.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await qr.release();
  }
}
