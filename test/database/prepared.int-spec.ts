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

  const prepared = async (): Promise<string[]> =>
    (await ctx.ds.query(`SELECT name FROM pg_prepared_statements ORDER BY name`)).map((r: { name: string }) => r.name);

  it('prepares a statement on the pool, reused with other values, and a second text under the same name as its own', async () => {
    // More calls at once than the pool has connections: every connection prepares it once.
    const rows = await Promise.all(
      Array.from({ length: 30 }, (_, i) => queryPrepared<{ n: number }>(ctx.ds, 'probe', 'SELECT $1::int + 1 AS n', [i])),
    );
    expect(rows.map((r) => r[0].n)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const other = await queryPrepared<{ t: string }>(ctx.ds, 'probe', `SELECT $1::text || '!' AS t`, ['a']);
    expect(other).toEqual([{ t: 'a!' }]);
    // pg_prepared_statements is per session: the union over the pool's connections (the pool
    // hands out its last released connection first, the one that ran the second text).
    const names = new Set<string>();
    for (let i = 0; i < 12; i++) for (const n of await prepared()) names.add(n);
    expect([...names].every((n) => /^probe:[0-9a-f]{16}$/.test(n))).toBe(true);
    expect(names.size).toBe(2);
  });

  it("passes PostgreSQL's errors through with their code (the unique-violation handling reads it)", async () => {
    await expect(queryPrepared(ctx.ds, 'broken', 'SELECT $1::int / 0', [1])).rejects.toMatchObject({ code: '22012' });
  });
});
