import { paged, Queryable } from '../../src/common/database/paged';
import { CommonError } from '../../src/common/errors/domain-error';
import { professionLabelSql } from '../../src/rpps/professions';
import { openContext, TestContext } from '../support/context';

/**
 * Issue 9, attacker review: a list never reads every matching row. Its page is a plain
 * ORDER BY ... LIMIT ... OFFSET, its total a count of at most cap + 1 rows (past the cap, the
 * cap and totalIsLowerBound), and a page starting past the cap is a 400 naming `page`.
 */
describe('paged', () => {
  const CAP = 20;
  let ctx: TestContext;
  /** Every statement paged sends, in order. */
  let sent: string[];
  let db: Queryable;

  beforeAll(async () => {
    ctx = await openContext('paged');
    db = {
      query: (sql, params) => {
        sent.push(sql);
        return ctx.ds.query(sql, params);
      },
    };
    await ctx.ds.query(`CREATE TABLE paged_probe (id int PRIMARY KEY, grp text NOT NULL, body text NOT NULL)`);
    // CAP + 5 rows: 5 in group a, CAP in group b.
    await ctx.ds.query(
      `INSERT INTO paged_probe SELECT g, CASE WHEN g <= 5 THEN 'a' ELSE 'b' END, repeat('x', 100) FROM generate_series(1, $1::int) g`,
      [CAP + 5],
    );
    await ctx.ds.query(`CREATE SEQUENCE paged_probe_calls`);
  });
  beforeEach(() => {
    sent = [];
  });
  afterAll(async () => {
    await ctx.close();
  });

  const probe = (o: { page?: number; pageSize?: number; grp?: string; cap?: number; deeperHint?: string } = {}) =>
    paged<{ id: number }>(db, {
      select: 'id',
      from: 'paged_probe',
      where: (p) => (o.grp ? `WHERE grp = ${p(o.grp)}` : ''),
      orderBy: 'id',
      page: o.page,
      pageSize: o.pageSize,
      defaultPageSize: 10,
      cap: 'cap' in o ? o.cap : CAP,
      deeperHint: o.deeperHint,
    });
  const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i }));

  it('counts at most cap + 1 rows: past the cap, total is the cap and totalIsLowerBound is true', async () => {
    expect(await probe({ page: 1 })).toEqual({ items: ids(1, 10), page: 1, pageSize: 10, total: CAP, totalIsLowerBound: true });
    expect(sent).toHaveLength(2);
    for (const sql of sent) expect(sql).not.toMatch(/\bOVER\b/i);
    expect(sent[0]).toMatch(/ORDER BY id LIMIT \$\d+ OFFSET \$\d+\s*$/);
    expect(sent[1]).toMatch(/SELECT count\(\*\)::int AS n FROM \(SELECT 1 FROM paged_probe\s+LIMIT \$\d+\) t/);
    // The last page the bound allows starts at the cap's row, and says the same.
    expect(await probe({ page: 3 })).toEqual({ items: ids(21, 25), page: 3, pageSize: 10, total: CAP, totalIsLowerBound: true });
  });

  it('gives the exact total, with totalIsLowerBound false, up to the cap', async () => {
    // Exactly the cap's number of rows match: exact.
    expect(await probe({ grp: 'b' })).toMatchObject({ items: ids(6, 15), total: CAP, totalIsLowerBound: false });
    expect(await probe({ grp: 'a', pageSize: 2, page: 2 })).toEqual({
      items: ids(3, 4),
      page: 2,
      pageSize: 2,
      total: 5,
      totalIsLowerBound: false,
    });
    // A page past the end (below the bound) is empty, with the same total.
    expect(await probe({ grp: 'a', pageSize: 2, page: 9 })).toEqual({
      items: [],
      page: 9,
      pageSize: 2,
      total: 5,
      totalIsLowerBound: false,
    });
    expect(await probe({ grp: 'none' })).toEqual({ items: [], page: 1, pageSize: 10, total: 0, totalIsLowerBound: false });
  });

  it('answers as before with the default cap (LIST_COUNT_CAP) when fewer rows match', async () => {
    expect(await probe({ cap: undefined, pageSize: 10, page: 2 })).toEqual({
      items: ids(11, 20),
      page: 2,
      pageSize: 10,
      total: CAP + 5,
      totalIsLowerBound: false,
    });
    // A short page tells its count: one statement.
    sent = [];
    expect(await probe({ cap: undefined, pageSize: 10, page: 3 })).toEqual({
      items: ids(21, 25),
      page: 3,
      pageSize: 10,
      total: CAP + 5,
      totalIsLowerBound: false,
    });
    expect(sent).toHaveLength(1);
  });

  it('refuses a page starting past the cap with a 400 naming page, before any statement', async () => {
    const refused = await probe({ page: 4 }).catch((e) => e);
    expect(refused).toBeInstanceOf(CommonError);
    expect(refused).toMatchObject({ code: 'validation_failed', status: 400 });
    expect(refused.message).toBe(
      'page: expected at most 3 with pageSize 10 (a list pages through its first 20 matches only); narrow the filters',
    );
    expect(sent).toEqual([]);
    const hinted = await probe({ page: 2, pageSize: 21, deeperHint: '(or use after=)' }).catch((e) => e);
    expect(hinted.message).toMatch(/^page: expected at most 1 with pageSize 21 .*; narrow the filters \(or use after=\)$/);
    // (page - 1) × pageSize = cap is still served.
    expect((await probe({ page: 2, pageSize: 20 })).items).toEqual(ids(21, 25));
  });

  it('computes perPageRow columns for the page rows only, never for the rows skipped', async () => {
    const before = Number((await ctx.ds.query(`SELECT nextval('paged_probe_calls') AS n`))[0].n);
    const found = await paged<{ id: number; call: string }>(db, {
      select: 'id',
      from: 'paged_probe',
      orderBy: 'id DESC',
      perPageRow: { select: `nextval('paged_probe_calls') AS call`, orderBy: 'page.id DESC' },
      page: 3,
      pageSize: 4,
      defaultPageSize: 10,
      cap: CAP,
    });
    expect(found.items.map((r) => r.id)).toEqual([17, 16, 15, 14]);
    const after = Number((await ctx.ds.query(`SELECT nextval('paged_probe_calls') AS n`))[0].n);
    expect(after - before - 1).toBe(4);
  });

  it('the professionals search answers as the single statement it replaced', async () => {
    await ctx.ds.query(
      `INSERT INTO rpps_professional (national_id, id_type, identifier, last_name, first_name, situations_digest, professions_digest,
                                      first_import_id, last_import_id, ceased_at)
       SELECT '8' || lpad(g::text, 11, '0'), '8', lpad(g::text, 11, '0'), CASE WHEN g % 3 = 0 THEN 'MARTIN' ELSE 'MARTINEZ' END,
              'P' || (g % 4), '', '', gen_random_uuid(), gen_random_uuid(), CASE WHEN g = 7 THEN now() END
         FROM generate_series(1, 30) g`,
    );
    await ctx.ds.query(
      `INSERT INTO rpps_profession (national_id, profession_code)
       SELECT national_id, code FROM rpps_professional, unnest(ARRAY['10', '21', '60', '80']) code
        WHERE (right(national_id, 2)::int + length(code)) % 3 <> 0 OR code = '10'`,
    );
    const old = (name: string, limit: number, offset: number) =>
      ctx.ds.query(
        `SELECT p.national_id AS "nationalId", p.last_name AS "lastName", p.first_name AS "firstName",
                (SELECT array_agg(pr.profession_code ORDER BY pr.profession_code) FROM rpps_profession pr WHERE pr.national_id = p.national_id) AS professions,
                (SELECT array_agg(${professionLabelSql('pr.profession_code')} ORDER BY pr.profession_code)
                   FROM rpps_profession pr WHERE pr.national_id = p.national_id) AS "professionLabels"
           FROM rpps_professional p WHERE p.ceased_at IS NULL AND p.last_name LIKE $1
          ORDER BY p.last_name, p.first_name, p.national_id LIMIT $2 OFFSET $3`,
        [`${name}%`, limit, offset],
      );
    for (const [page, pageSize] of [
      [1, 50],
      [2, 7],
      [4, 7],
    ]) {
      const found = await ctx.rpps.search({ name: 'mart', page, pageSize });
      expect(found).toEqual({
        items: await old('MART', pageSize, (page - 1) * pageSize),
        page,
        pageSize,
        total: 29,
        totalIsLowerBound: false,
      });
      expect(found.items.length).toBeGreaterThan(0);
    }
    expect(Object.keys((await ctx.rpps.search({ name: 'martinez', pageSize: 1 })).items[0] as object)).toEqual([
      'nationalId',
      'lastName',
      'firstName',
      'professions',
      'professionLabels',
    ]);
  });
});
