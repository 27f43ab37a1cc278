import type { EntityManager } from 'typeorm';

/**
 * A purge of the rows of one table past their time (retention), as the owner of the table
 * describes it: `where` is constant SQL over the table's columns, its one parameter `$1` the
 * cutoff (rows it matches go).
 */
export interface PurgeTarget {
  /** The table (a constant, never input). */
  table: string;
  /** Which rows are past their time, `$1` the cutoff; constant SQL. */
  where: string;
  /**
   * The indexed column (or expression) each batch takes the oldest rows by, so that a batch reads
   * what it deletes through its index, not the table nor the dead rows of the batches before it.
   */
  oldestFirst?: string;
}

/** How a purge runs: rows per statement, and whether it only counts. */
export interface PurgeOptions {
  /** Rows deleted per statement (each its own short transaction: no long lock). */
  batch: number;
  /** Count what would go, delete nothing. */
  dryRun: boolean;
}

const SQL_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Deletes the rows of `t` matching `t.where` for `cutoff`, `o.batch` at a time, each batch one
 * statement committed on its own (no transaction is held across batches, so no lock lasts); gives
 * how many went (with `o.dryRun`, how many would go, nothing deleted). A row is found by its
 * physical place (ctid) and the condition is checked again by the DELETE itself, so a row changed
 * meanwhile (a message consumed again, say) is deleted only if it still matches.
 */
export async function purgeInBatches(em: Pick<EntityManager, 'query'>, t: PurgeTarget, cutoff: Date, o: PurgeOptions): Promise<number> {
  if (!SQL_NAME.test(t.table)) throw new Error(`purge: not a table name: ${t.table}`);
  if (o.dryRun) {
    const [r]: Array<{ n: number }> = await em.query(`SELECT count(*)::int AS n FROM ${t.table} WHERE ${t.where}`, [cutoff]);
    return r.n;
  }
  const order = t.oldestFirst ? ` ORDER BY ${t.oldestFirst}` : '';
  let total = 0;
  for (;;) {
    const [r]: Array<{ n: number }> = await em.query(
      `WITH gone AS (
         DELETE FROM ${t.table}
          WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${t.table} WHERE ${t.where}${order} LIMIT $2)) AND (${t.where})
          RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [cutoff, o.batch],
    );
    total += r.n;
    if (r.n < o.batch) return total;
  }
}
