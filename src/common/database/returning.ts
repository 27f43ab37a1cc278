import type { EntityManager } from 'typeorm';

/**
 * Runs an UPDATE/DELETE ... RETURNING and gives its rows. (TypeORM's postgres driver
 * answers such statements with [rows, affectedCount], unlike INSERT and SELECT.)
 */
export async function rowsReturned<T = Record<string, unknown>>(
  em: Pick<EntityManager, 'query'>,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const r = await em.query(sql, params);
  if (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number') return r[0] as T[];
  return r as T[];
}
