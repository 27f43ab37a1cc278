import { CommonError } from '../errors/domain-error';
import { Param, SqlParams } from './sql-params';

/**
 * How far a list counts and pages: `total` counts at most this many matches (past it, `total`
 * is this number and `totalIsLowerBound` true), and a page starting past this many rows is
 * refused (400 naming `page`). Counting or skipping more would read every matching row on
 * each request, holding a connection of the pool for as long.
 */
export const LIST_COUNT_CAP = 10_000;

/** One page of a list, as every list route and command answers it. */
export interface Page<T> {
  items: T[];
  /** 1-based. */
  page: number;
  pageSize: number;
  /** How many rows match, all pages together, counted up to LIST_COUNT_CAP (see totalIsLowerBound). */
  total: number;
  /** True when more rows match than were counted: `total` is then LIST_COUNT_CAP, a lower bound. */
  totalIsLowerBound: boolean;
}

/** What runs a statement: a DataSource or an EntityManager. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface PagedQuery {
  /** `WITH ...` put before each statement ('' for none); its values go in through `p`. Called once per statement. */
  with?: (p: Param) => string;
  /** The select list, constant SQL. */
  select: string;
  /** The FROM clause (table, alias, joins), constant SQL. */
  from: string;
  /** The WHERE clause ('' for none); every value goes in through `p`. Called once per statement. */
  where?: (p: Param) => string;
  /** The ORDER BY list; it must end with a unique key so pages neither overlap nor skip rows. */
  orderBy: string;
  /**
   * Columns computed for the page's rows only (correlated subqueries, say), never for the rows
   * skipped to reach the page: the page is chosen first with `select` (as `page`), then
   * `SELECT page.*, <select> FROM (...) page ORDER BY <orderBy>`; both refer to the page's rows as
   * `page."<output column>"`, and `orderBy` is the query's order restated on them.
   */
  perPageRow?: { select: string; orderBy: string };
  page?: number;
  pageSize?: number;
  /** The page size when none is given. */
  defaultPageSize: number;
  /** How far it counts and pages (LIST_COUNT_CAP unless given; tests give a small one). */
  cap?: number;
  /** What the refusal of a page too deep adds to "narrow the filters" (another way to go on, such as a cursor). */
  deeperHint?: string;
}

/**
 * A 400 `validation_failed` naming `page` when the page starts past `cap` rows
 * ((page - 1) × pageSize > cap): skipping that many rows would read them all.
 */
export function checkPageDepth(page: number, pageSize: number, cap = LIST_COUNT_CAP, deeperHint?: string): void {
  if ((page - 1) * pageSize <= cap) return;
  const last = Math.floor(cap / pageSize) + 1;
  throw new CommonError(
    'validation_failed',
    `page: expected at most ${last} with pageSize ${pageSize} (a list pages through its first ${cap} matches only); ` +
      `narrow the filters${deeperHint ? ` ${deeperHint}` : ''}`,
    400,
  );
}

/**
 * How many rows `FROM <from> <where>` has, reading at most cap + 1 of them: past `cap`,
 * `{ total: cap, totalIsLowerBound: true }`. `sql` gives the statement's prefix (a WITH) and
 * its FROM and WHERE for one set of parameters.
 */
export async function cappedCount(
  db: Queryable,
  sql: (p: Param) => { with?: string; from: string },
  cap = LIST_COUNT_CAP,
): Promise<{ total: number; totalIsLowerBound: boolean }> {
  const { p, values } = new SqlParams();
  const q = sql(p);
  const [r] = (await db.query(
    `${q.with ?? ''} SELECT count(*)::int AS n FROM (SELECT 1 FROM ${q.from} LIMIT ${p(cap + 1)}) t`,
    values,
  )) as Array<{ n: number }>;
  return r.n > cap ? { total: cap, totalIsLowerBound: true } : { total: r.n, totalIsLowerBound: false };
}

/**
 * One page of the rows a query matches (a plain ORDER BY ... LIMIT ... OFFSET, which an index
 * on the order can serve) and how many match, counted up to `cap` in a second statement
 * (see cappedCount). A page that starts past `cap` rows is refused (see checkPageDepth). A
 * short page (fewer rows than pageSize, and some rows or the first page) tells the count
 * itself: no second statement.
 */
export async function paged<T>(db: Queryable, q: PagedQuery): Promise<Page<T>> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? q.defaultPageSize;
  const cap = q.cap ?? LIST_COUNT_CAP;
  checkPageDepth(page, pageSize, cap, q.deeperHint);
  const offset = (page - 1) * pageSize;
  const where = q.where ?? (() => '');
  const prefix = q.with ?? (() => '');

  const { p, values } = new SqlParams();
  const withSql = prefix(p);
  const chosen = `SELECT ${q.select} FROM ${q.from} ${where(p)}
      ORDER BY ${q.orderBy} LIMIT ${p(pageSize)} OFFSET ${p(offset)}`;
  const items = (await db.query(
    q.perPageRow
      ? `${withSql} SELECT page.*, ${q.perPageRow.select} FROM (${chosen}) page ORDER BY ${q.perPageRow.orderBy}`
      : `${withSql} ${chosen}`,
    values,
  )) as T[];

  if (items.length < pageSize && (items.length > 0 || offset === 0)) {
    const total = offset + items.length;
    return { items, page, pageSize, total: Math.min(total, cap), totalIsLowerBound: total > cap };
  }
  const count = await cappedCount(db, (cp) => ({ with: prefix(cp), from: `${q.from} ${where(cp)}` }), cap);
  return { items, page, pageSize, ...count };
}
