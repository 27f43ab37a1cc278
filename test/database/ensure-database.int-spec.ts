import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/common/database/database-url';
import { BASE_DATABASE_URL, TEST_DB_PREFIX } from '../support/services';

/** Issue 13 item 7: two first starts creating the database at once (PostgreSQL's 23505 on pg_database_datname_index). */
describe('ensureDatabase', () => {
  it('creates a database once when several first starts race for it: the others take it as already there', async () => {
    const url = withDatabase(BASE_DATABASE_URL, `${TEST_DB_PREFIX}race_${process.pid}_${randomBytes(3).toString('hex')}`);
    try {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => ensureDatabase(url)));
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      expect(failures).toEqual([]);
      expect(results.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(1);
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.end();
      expect(await ensureDatabase(url)).toBe(false);
    } finally {
      await dropDatabase(url);
    }
  });
});
