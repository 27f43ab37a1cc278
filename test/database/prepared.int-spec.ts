import type { Pool } from 'pg';
import { queryPrepared } from '../../src/common/database/prepared';
import { openContext, TestContext } from '../support/context';

/**
 * queryPrepared (the order creation's statement): prepared once per connection of the
 * DataSource's pool, then only bound and executed; two texts given one name never collide.
 */
describe('queryPrepared', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await openContext('prepared');
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('prepares a statement on the pool, reused with other values, and a second text under the same name as its own', async () => {
    // More calls at once than the pool has connections: every connection prepares it once.
    const rows = await Promise.all(
      Array.from({ length: 30 }, (_, i) => queryPrepared<{ n: number }>(ctx.ds, 'probe', 'SELECT $1::int + 1 AS n', [i])),
    );
    expect(rows.map((r) => r[0].n)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const other = await queryPrepared<{ t: string }>(ctx.ds, 'probe', `SELECT $1::text || '!' AS t`, ['a']);
    expect(other).toEqual([{ t: 'a!' }]);
    // pg_prepared_statements is per session: ask every connection of the pool at once.
    const pool = (ctx.ds.driver as unknown as { master: Pool }).master;
    const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    try {
      const perConnection = await Promise.all(
        clients.map(async (c) => (await c.query(`SELECT name, generic_plans + custom_plans AS runs FROM pg_prepared_statements`)).rows),
      );
      const all = perConnection.flat() as Array<{ name: string; runs: string }>;
      expect(all.every((r) => /^probe:[0-9a-f]{16}$/.test(r.name))).toBe(true);
      expect(new Set(all.map((r) => r.name)).size).toBe(2);
      // The first text: prepared on each connection that ran it, 30 runs in all (reused, not prepared again).
      const first = all.filter((r) => all.filter((x) => x.name === r.name).length > 1);
      expect(first.reduce((n, r) => n + Number(r.runs), 0)).toBe(30);
      expect(first.length).toBe(pool.totalCount);
      // The second text: one connection, one run.
      expect(all.filter((r) => !first.includes(r)).map((r) => Number(r.runs))).toEqual([1]);
    } finally {
      for (const c of clients) c.release();
    }
  });

  it("passes PostgreSQL's errors through with their code (the unique-violation handling reads it)", async () => {
    await expect(queryPrepared(ctx.ds, 'broken', 'SELECT $1::int / 0', [1])).rejects.toMatchObject({ code: '22012' });
  });
});
