/**
 * The dated steps of a card's and an order's lives (issue 11: "the card and order screens show
 * each step"), each from what was recorded when it happened: a column of the card or the order,
 * or the audit entry written in the transaction of the step. A step with no such record is
 * left out, never given a guessed date.
 *
 * Pure code: the records go in, the steps come out.
 */

export const CARD_STEPS = ['ordered', 'approved', 'imported', 'personalized', 'sent', 'active', 'opposed'] as const;
export type CardStep = (typeof CARD_STEPS)[number];

export const ORDER_STEPS = [
  'created',
  'approved',
  'rejected',
  'cancelled',
  'failed',
  'retried',
  'personalized',
  'card-letter-sent',
  'pin-letter-sent',
  'closed',
] as const;
export type OrderStep = (typeof ORDER_STEPS)[number];

export interface TimelineStep<S extends string> {
  step: S;
  at: Date;
  /** Who or what made the step (the audit actor, the order's requester or approver), null where the record does not say. */
  by: string | null;
  /** Why, where the record says: an opposition's reason, a rejection's, a cancellation's, a failure's. */
  reason: string | null;
}

/** An audit entry, as AuditService.history reads it. */
export interface RecordedEntry {
  action: string;
  at: Date;
  actor: string;
  details: Record<string, unknown>;
}

/** The audit actions a card's timeline reads (entity `card`), and the step each records. */
export const CARD_ENTRY_STEPS: Readonly<Record<string, CardStep>> = {
  // its card letter printed (POST /api/v1/mailing/batches/:id/printed)
  'card.send': 'sent',
  // its first use, reported by the authentication service
  'card.activate': 'active',
};

/** The audit actions an order's timeline reads (entity `card_order`), and the step each records. */
export const ORDER_ENTRY_STEPS: Readonly<Record<string, OrderStep>> = {
  'order.reject': 'rejected',
  'order.cancel': 'cancelled',
  'order.fail': 'failed',
  'order.retry': 'retried',
  'order.personalized': 'personalized',
  'order.card-letter-sent': 'card-letter-sent',
  'order.pin-letter-sent': 'pin-letter-sent',
  'order.close': 'closed',
};

/** The columns of a card its timeline reads. */
export interface CardRecord {
  source: string;
  createdAt: Date;
  opposedAt: Date | null;
  oppositionReason: string | null;
}

/** The columns of an order a timeline reads. */
export interface OrderRecord {
  requestedAt: Date;
  requestedBy: string;
  approvedAt: Date | null;
  approvedBy: string | null;
}

/**
 * A card's steps, oldest first: ordered and approved (its order's columns; none for a card
 * brought in by cards:import, whose row's creation is `imported`), personalized (the card row
 * is made when its chip is written), sent and active (their audit entries), opposed (its
 * columns, with the reason: null for a card the old base handed over opposed).
 */
export function cardTimeline(card: CardRecord, order: OrderRecord | null, entries: RecordedEntry[]): TimelineStep<CardStep>[] {
  const steps: TimelineStep<CardStep>[] = [];
  if (order) steps.push(...orderStart(order, 'ordered'));
  steps.push({ step: card.source === 'import' ? 'imported' : 'personalized', at: card.createdAt, by: null, reason: null });
  for (const e of entries) {
    const step = CARD_ENTRY_STEPS[e.action];
    if (step) steps.push({ step, at: e.at, by: e.actor, reason: null });
  }
  if (card.opposedAt) steps.push({ step: 'opposed', at: card.opposedAt, by: null, reason: card.oppositionReason });
  return inOrder(steps, CARD_STEPS);
}

/**
 * An order's steps, oldest first: created and approved (its columns), then what its audit
 * entries record: rejected, cancelled, failed, retried (with their reasons), personalized,
 * card-letter-sent, pin-letter-sent, closed (with why: the card activated or opposed, a
 * letter returned).
 */
export function orderTimeline(order: OrderRecord, entries: RecordedEntry[]): TimelineStep<OrderStep>[] {
  const steps: TimelineStep<OrderStep>[] = [...orderStart(order, 'created')];
  for (const e of entries) {
    const step = ORDER_ENTRY_STEPS[e.action];
    if (step) steps.push({ step, at: e.at, by: e.actor, reason: reasonOf(e.details) });
  }
  return inOrder(steps, ORDER_STEPS);
}

function orderStart<S extends 'ordered' | 'created'>(order: OrderRecord, first: S): TimelineStep<S | 'approved'>[] {
  const steps: TimelineStep<S | 'approved'>[] = [{ step: first, at: order.requestedAt, by: order.requestedBy, reason: null }];
  if (order.approvedAt) steps.push({ step: 'approved', at: order.approvedAt, by: order.approvedBy, reason: null });
  return steps;
}

/** An entry's reason (a transition's `reason`; a failure at personalization says its `code`), null without one. */
function reasonOf(details: Record<string, unknown>): string | null {
  for (const key of ['reason', 'code']) {
    const v = details?.[key];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

/** By time; steps recorded at the same instant (an order made and approved by policy) in the order of their list. */
function inOrder<S extends string>(steps: TimelineStep<S>[], order: readonly S[]): TimelineStep<S>[] {
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.at.getTime() - b.s.at.getTime() || order.indexOf(a.s.step) - order.indexOf(b.s.step) || a.i - b.i)
    .map(({ s }) => s);
}
