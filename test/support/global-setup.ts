import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrationsLocked } from '../../src/common/database/data-source.factory';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/common/database/database-url';
import { appDataSourceParts } from '../../src/data-source-parts';
import { assertPostgres, assertRedis, BASE_DATABASE_URL, TEMPLATE_DB } from './services';

/** Checks the services (fails loudly when one is missing) and builds the migrated template database. */
export default async function globalSetup(): Promise<void> {
  await assertPostgres();
  await assertRedis();
  const g = globalThis as { __cpsTemplateReady?: boolean };
  if (g.__cpsTemplateReady) return;
  const url = withDatabase(BASE_DATABASE_URL, TEMPLATE_DB);
  await dropDatabase(url);
  await ensureDatabase(url);
  const ds = new DataSource(dataSourceOptions(appDataSourceParts(url)));
  await ds.initialize();
  try {
    await runMigrationsLocked(ds);
  } finally {
    await ds.destroy();
  }
  g.__cpsTemplateReady = true;
}
