import type { EntityManager } from 'typeorm';

/** Why an order has no codes to print: never issued, or destroyed at `destroyedAt` for `destroyedReason`. */
export interface CodesGone {
  issued: boolean;
  destroyedAt: Date | null;
  destroyedReason: string | null;
}

/**
 * The orders among `orderIds` that have no codes to print (never issued, or destroyed), read
 * from order_codes alone: nothing is opened and no vault key is needed (the API may call it).
 */
export async function codesGone(q: Pick<EntityManager, 'query'>, orderIds: string[]): Promise<Map<string, CodesGone>> {
  const ids = [...new Set(orderIds.map((id) => id.toLowerCase()))];
  if (!ids.length) return new Map();
  const rows: Array<{ id: string; issued: boolean; destroyed_at: Date | null; destroyed_reason: string | null }> = await q.query(
    `SELECT u.id::text AS id, k.order_id IS NOT NULL AS issued, k.destroyed_at, k.destroyed_reason
       FROM unnest($1::uuid[]) AS u(id) LEFT JOIN order_codes k ON k.order_id = u.id
      WHERE k.order_id IS NULL OR k.destroyed_at IS NOT NULL`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { issued: r.issued, destroyedAt: r.destroyed_at, destroyedReason: r.destroyed_reason }]));
}

/** Why an order has no codes to print, as the batches hold its letter for. */
export function whyNoCodes(g: Pick<CodesGone, 'issued' | 'destroyedReason'>): string {
  return g.issued ? `the codes were destroyed (${g.destroyedReason})` : 'no codes were issued for this order';
}
