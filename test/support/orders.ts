import type { OrderReason, OrdersService } from '../../src/orders/orders.service';
import { cardTypeForCategory } from '../../src/orders/validity';
import type { TestContext } from './context';

/** A professional and one of their professions, as a test orders a card for them. */
export interface Holder {
  national_id: string;
  profession_code: string;
}

/** Up to `limit` professionals of the registry not ceased, one profession each, in national id order (to order cards for, each once). */
export function activeHolders(ctx: TestContext, limit: number): Promise<Holder[]> {
  return ctx.ds.query(
    `SELECT DISTINCT ON (p.national_id) p.national_id, p.profession_code FROM rpps_profession p
       JOIN rpps_professional r ON r.national_id = p.national_id WHERE r.ceased_at IS NULL ORDER BY p.national_id LIMIT $1`,
    [limit],
  );
}

/**
 * A new order for `h`'s card, made by policy as registry events and the renewal sweep make them
 * (a first issue is approved at once; a manual order waits for an operator); throws when the
 * holder already has an open order (none made).
 */
export async function orderByPolicy(ctx: TestContext, orders: OrdersService, h: Holder, reason: OrderReason = 'first-issue') {
  const content = await ctx.rpps.cardContent(h.national_id, h.profession_code);
  if (!content) throw new Error(`no card content for ${h.national_id}/${h.profession_code}`);
  const { order } = await ctx.ds.transaction((em) =>
    orders.createByPolicy(em, {
      nationalId: h.national_id,
      professionCode: h.profession_code,
      cardType: cardTypeForCategory(content.categoryCode),
      reason,
      replacesCard: null,
      sourceEventId: null,
    }),
  );
  if (!order) throw new Error(`${h.national_id}/${h.profession_code} already has an open order`);
  return order;
}

/** New first-issue orders, approved by policy, for the first `n` of `holders` (taken off the list, one after the other); their ids. */
export async function approvedOrders(ctx: TestContext, orders: OrdersService, holders: Holder[], n: number): Promise<string[]> {
  if (holders.length < n) throw new Error(`${n} holders wanted, ${holders.length} left`);
  const ids: string[] = [];
  for (const h of holders.splice(0, n)) {
    const order = await orderByPolicy(ctx, orders, h);
    if (order.status !== 'approved') throw new Error(`order ${order.id} is ${order.status}, not approved by policy`);
    ids.push(order.id);
  }
  return ids;
}
