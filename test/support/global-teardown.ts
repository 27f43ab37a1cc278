import { Client } from 'pg';
import { withDatabase } from '../../src/common/database/database-url';
import { BASE_DATABASE_URL, TEST_DB_PREFIX } from './services';

/** Drops the test databases of this checkout (TEST_DB_PREFIX) left behind by files that failed before their own clean-up. */
export default async function globalTeardown(): Promise<void> {
  const c = new Client({ connectionString: withDatabase(BASE_DATABASE_URL, 'postgres') });
  await c.connect();
  try {
    const pattern = `${TEST_DB_PREFIX.replace(/_/g, '\\_')}%`;
    const rows = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [pattern]);
    for (const r of rows.rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`).catch(() => undefined);
  } finally {
    await c.end();
  }
}
