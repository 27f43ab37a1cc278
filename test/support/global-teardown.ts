import { Client } from 'pg';
import { withDatabase } from '../../src/common/database/database-url';
import { BASE_DATABASE_URL } from './services';

/** Drops test databases left behind by files that failed before their own clean-up. */
export default async function globalTeardown(): Promise<void> {
  const c = new Client({ connectionString: withDatabase(BASE_DATABASE_URL, 'postgres') });
  await c.connect();
  try {
    const rows = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'cps\\_t\\_%'`);
    for (const r of rows.rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`).catch(() => undefined);
  } finally {
    await c.end();
  }
}
