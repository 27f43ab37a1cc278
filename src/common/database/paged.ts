import { Param, SqlParams } from './sql-params';

/** One page of a list, as every list route and command answers it. */
export interface Page<T> {
  items: T[];
  /** 1-based. */
  page: number;
  pageSize: number;
  /** How many rows match, all pages together. */
  total: number;
}

/** What runs a statement: a DataSource or an EntityManager. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface PagedQuery {
  /** The select list, constant SQL. */
  select: string;
  /** The FROM clause (table, alias, joins), constant SQL. */
  from: string;
  /** The WHERE clause ('' for none); every value goes in through `p`. Called once per statement. */
  where?: (p: Param) => string;
  /** The ORDER BY list; it must end with a unique key so pages neither overlap nor skip rows. */
  orderBy: string;
  page?: number;
  pageSize?: number;
  /** The page size when none is given. */
  defaultPageSize: number;
}

/**
 * One page of the rows a query matches and how many match in all, in one statement
 * (`count(*) OVER ()` is taken before LIMIT). A page past the end has no row to carry the
 * count: only then a second statement counts.
 */
export async function paged<T>(db: Queryable, q: PagedQuery): Promise<Page<T>> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? q.defaultPageSize;
  const where = q.where ?? (() => '');
  const { p, values } = new SqlParams();
  const rows = (await db.query(
    `SELECT ${q.select}, count(*) OVER ()::int AS "__total" FROM ${q.from} ${where(p)}
      ORDER BY ${q.orderBy} LIMIT ${p(pageSize)} OFFSET ${p((page - 1) * pageSize)}`,
    values,
  )) as Array<T & { __total: number }>;
  let total = rows.length ? rows[0].__total : 0;
  if (!rows.length && page > 1) {
    const count = new SqlParams();
    const [r] = (await db.query(`SELECT count(*)::int AS total FROM ${q.from} ${where(count.p)}`, count.values)) as Array<{
      total: number;
    }>;
    total = r.total;
  }
  const items = rows.map(({ __total, ...item }) => item as unknown as T);
  return { items, page, pageSize, total };
}
