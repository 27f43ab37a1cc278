import { CARD_ENTRY_STEPS, cardTimeline, ORDER_ENTRY_STEPS, orderTimeline, RecordedEntry } from './timeline';
import { CARD_ACTIONS, ORDER_ACTIONS } from './workflow';

const t = (minute: number) => new Date(Date.UTC(2026, 10, 30, 9, minute));
const entry = (action: string, minute: number, actor = 'x', details: Record<string, unknown> = {}): RecordedEntry => ({
  action,
  at: t(minute),
  actor,
  details,
});

describe('cardTimeline', () => {
  const order = { requestedAt: t(0), requestedBy: 'policy', approvedAt: t(0), approvedBy: 'policy' };

  it("gives a card's steps from its order's columns, its own and its audit entries, oldest first (same instant: in the list's order)", () => {
    const steps = cardTimeline({ source: 'order', createdAt: t(10), opposedAt: t(40), oppositionReason: 'loss' }, order, [
      entry('card.activate', 30, 'principal:auth'),
      entry('card.send', 20, 'principal:alice', { batch: 7 }),
    ]);
    expect(steps).toEqual([
      { step: 'ordered', at: t(0), by: 'policy', reason: null },
      { step: 'approved', at: t(0), by: 'policy', reason: null },
      { step: 'personalized', at: t(10), by: null, reason: null },
      { step: 'sent', at: t(20), by: 'principal:alice', reason: null },
      { step: 'active', at: t(30), by: 'principal:auth', reason: null },
      { step: 'opposed', at: t(40), by: null, reason: 'loss' },
    ]);
  });

  it('leaves out what was not recorded: no order, no approval, no entry, not opposed', () => {
    expect(cardTimeline({ source: 'import', createdAt: t(5), opposedAt: null, oppositionReason: null }, null, [])).toEqual([
      { step: 'imported', at: t(5), by: null, reason: null },
    ]);
    const waiting = { requestedAt: t(0), requestedBy: 'principal:alice', approvedAt: null, approvedBy: null };
    expect(
      cardTimeline({ source: 'order', createdAt: t(5), opposedAt: null, oppositionReason: null }, waiting, [entry('card.other', 6)]).map(
        (s) => s.step,
      ),
    ).toEqual(['ordered', 'personalized']);
  });
});

describe('orderTimeline', () => {
  it("gives an order's steps from its columns and its entries, with the reasons the entries give", () => {
    const steps = orderTimeline({ requestedAt: t(0), requestedBy: 'principal:alice', approvedAt: t(1), approvedBy: 'principal:bob' }, [
      entry('order.fail', 2, 'personalization', { code: 'memory_failure' }),
      entry('order.retry', 3, 'principal:bob', { from: 'failed', to: 'approved', reason: 'new reader' }),
      entry('order.personalized', 4, 'personalization'),
      entry('order.card-letter-sent', 5, 'system:orders', { reason: 'card letter printed' }),
      entry('order.pin-letter-sent', 6, 'system:orders', { reason: 'letter of the codes printed' }),
      entry('order.close', 7, 'system:orders', { reason: 'card activated' }),
      entry('order.start-personalization', 2, 'personalization'),
    ]);
    expect(steps.map((s) => [s.step, s.at.getUTCMinutes(), s.by, s.reason])).toEqual([
      ['created', 0, 'principal:alice', null],
      ['approved', 1, 'principal:bob', null],
      ['failed', 2, 'personalization', 'memory_failure'],
      ['retried', 3, 'principal:bob', 'new reader'],
      ['personalized', 4, 'personalization', null],
      ['card-letter-sent', 5, 'system:orders', 'card letter printed'],
      ['pin-letter-sent', 6, 'system:orders', 'letter of the codes printed'],
      ['closed', 7, 'system:orders', 'card activated'],
    ]);
  });

  it('shows a rejected or cancelled order ending there, with why', () => {
    const requested = { requestedAt: t(0), requestedBy: 'principal:alice', approvedAt: null, approvedBy: null };
    expect(orderTimeline(requested, [entry('order.reject', 1, 'principal:bob', { reason: 'duplicate' })])).toEqual([
      { step: 'created', at: t(0), by: 'principal:alice', reason: null },
      { step: 'rejected', at: t(1), by: 'principal:bob', reason: 'duplicate' },
    ]);
    expect(orderTimeline(requested, [entry('order.cancel', 1, 'system:registry', { reason: 'registry: ceased (event 4)' })])[1]).toEqual({
      step: 'cancelled',
      at: t(1),
      by: 'system:registry',
      reason: 'registry: ceased (event 4)',
    });
  });

  it('reads only entries of actions the workflows have (a renamed action would fail here)', () => {
    for (const action of Object.keys(ORDER_ENTRY_STEPS)) expect(ORDER_ACTIONS).toContain(action.replace(/^order\./, ''));
    for (const action of Object.keys(CARD_ENTRY_STEPS)) expect(CARD_ACTIONS).toContain(action.replace(/^card\./, ''));
  });
});
