import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A statement of a hot path run as a named prepared statement straight on the DataSource's
 * pool: each connection parses and analyses it once, then binds and executes it, with one
 * reusable plan once PostgreSQL finds it no costlier than a fresh one (after 5 runs); on
 * the order creation statement, planning took as long as executing. For statements outside a
 * transaction whose text does not vary with the values (every value a parameter). The name
 * sent is `name` and a digest of the text, so two texts never share one prepared statement.
 * Returns the rows, as DataSource.query does.
 */
export async function queryPrepared<T>(ds: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (ds.driver as unknown as { master?: Pool }).master;
  if (!pool) return ds.query(text, values);
  const digest = createHash('sha1').update(text).digest('hex').slice(0, 16);
  const client = await pool.connect();
  let destroyed = false;
  try {
    return (await client.query({ name: `${name}:${digest}`, text, values })).rows as T[];
  } catch (e) {
    // A migration changed what the statement reads or returns since this connection prepared it
    // ("cached plan must not change result type", 0A000): refused before it ran. The connection
    // is closed (its prepared statement with it) and the statement run again on another.
    if ((e as { code?: string }).code !== '0A000') throw e;
    destroyed = true;
    client.release(true);
    return (await pool.query(text, values)).rows as T[];
  } finally {
    if (!destroyed) client.release();
  }
}
