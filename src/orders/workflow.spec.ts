import fc from 'fast-check';
import { DomainError } from '../common/errors/domain-error';
import {
  allowedCardActions,
  allowedOrderActions,
  CARD_ACTIONS,
  CARD_STATES,
  CARD_TRANSITIONS,
  cardTransition,
  FINAL_CARD_STATES,
  FINAL_ORDER_STATES,
  fromStatesFor,
  INITIAL_CARD_STATE,
  INITIAL_ORDER_STATE,
  importedCardState,
  isCardState,
  isOrderState,
  OPEN_ORDER_STATES,
  ORDER_ACTIONS,
  ORDER_STATES,
  ORDER_TRANSITIONS,
  orderTransition,
  TransitionError,
} from './workflow';

function caught(f: () => unknown): TransitionError {
  try {
    f();
  } catch (e) {
    if (e instanceof TransitionError) return e;
    throw e;
  }
  throw new Error('expected a TransitionError');
}

describe('the order workflow', () => {
  it('lists the ten order states', () => {
    expect([...ORDER_STATES]).toEqual([
      'requested',
      'approved',
      'personalizing',
      'personalized',
      'card-letter-sent',
      'pin-letter-sent',
      'closed',
      'rejected',
      'cancelled',
      'failed',
    ]);
    expect(INITIAL_ORDER_STATE).toBe('requested');
  });

  it('declares exactly the allowed transitions', () => {
    expect(ORDER_TRANSITIONS.map((t) => `${t.from} -${t.action}-> ${t.to}`).sort()).toEqual(
      [
        'requested -approve-> approved',
        'requested -reject-> rejected',
        'requested -cancel-> cancelled',
        'approved -cancel-> cancelled',
        'approved -start-personalization-> personalizing',
        'personalizing -personalized-> personalized',
        'personalizing -fail-> failed',
        'personalizing -release-> approved',
        'failed -retry-> approved',
        'failed -cancel-> cancelled',
        'personalizing -cancel-> cancelled',
        'personalized -card-letter-sent-> card-letter-sent',
        'card-letter-sent -pin-letter-sent-> pin-letter-sent',
        'pin-letter-sent -close-> closed',
        'card-letter-sent -close-> closed',
        'personalized -close-> closed',
      ].sort(),
    );
  });

  it('follows the happy path from requested to closed', () => {
    let s: string = 'requested';
    for (const a of ['approve', 'start-personalization', 'personalized', 'card-letter-sent', 'pin-letter-sent', 'close']) {
      s = orderTransition(s, a);
    }
    expect(s).toBe('closed');
  });

  it('lets a failed personalization be retried from approved', () => {
    expect(orderTransition('personalizing', 'fail')).toBe('failed');
    expect(orderTransition('failed', 'retry')).toBe('approved');
  });

  it('allows cancelling only while no card came of the order', () => {
    const cancellable = ['requested', 'approved', 'personalizing', 'failed'];
    for (const s of cancellable) expect(orderTransition(s, 'cancel')).toBe('cancelled');
    for (const s of ORDER_STATES.filter((s) => !cancellable.includes(s))) {
      expect(() => orderTransition(s, 'cancel')).toThrow(TransitionError);
    }
  });

  it('refuses approving a closed order with a clear 409', () => {
    const e = caught(() => orderTransition('closed', 'approve'));
    expect(e).toBeInstanceOf(DomainError);
    expect(e.code).toBe('transition_not_allowed');
    expect(e.status).toBe(409);
    expect(e.entity).toBe('order');
    expect(e.from).toBe('closed');
    expect(e.action).toBe('approve');
    expect(e.allowedFrom).toEqual(['requested']);
    expect(e.message).toBe('order in state "closed" cannot be approved (allowed from: requested)');
    expect(e.extra).toEqual({ entity: 'order', from: 'closed', action: 'approve', allowedFrom: ['requested'] });
  });

  it('names every allowed from-state in the message', () => {
    expect(caught(() => orderTransition('personalized', 'cancel')).message).toBe(
      'order in state "personalized" cannot be cancelled (allowed from: requested, approved, failed, personalizing)',
    );
  });

  it('refuses an unknown action', () => {
    const e = caught(() => orderTransition('requested', 'teleport'));
    expect(e.code).toBe('transition_not_allowed');
    expect(e.allowedFrom).toEqual([]);
    expect(e.message).toMatch(/^unknown order action "teleport" \(known actions: approve, reject/);
  });

  it('refuses any action from an unknown state', () => {
    expect(caught(() => orderTransition('lost', 'approve')).message).toBe(
      'order in unknown state "lost" cannot be approved (allowed from: requested)',
    );
  });

  it('refuses a card action on an order', () => {
    expect(() => orderTransition('personalized', 'send')).toThrow(TransitionError);
  });

  it('leaves no way out of a final state', () => {
    for (const s of FINAL_ORDER_STATES) {
      expect(allowedOrderActions(s)).toEqual([]);
      for (const a of ORDER_ACTIONS) expect(() => orderTransition(s, a)).toThrow(TransitionError);
    }
  });

  it('counts as open every state that is not final', () => {
    expect([...OPEN_ORDER_STATES].sort()).toEqual(ORDER_STATES.filter((s) => !FINAL_ORDER_STATES.includes(s)).sort());
  });

  it('lists the actions allowed from each state', () => {
    expect(allowedOrderActions('requested').sort()).toEqual(['approve', 'cancel', 'reject']);
    expect(allowedOrderActions('approved').sort()).toEqual(['cancel', 'start-personalization']);
    expect(allowedOrderActions('personalizing').sort()).toEqual(['cancel', 'fail', 'personalized', 'release']);
    expect(allowedOrderActions('failed').sort()).toEqual(['cancel', 'retry']);
    expect(allowedOrderActions('nonsense')).toEqual([]);
  });

  it('gives the from-states of an action for a conditional update', () => {
    expect(fromStatesFor('cancel')).toEqual(['requested', 'approved', 'failed', 'personalizing']);
    expect(fromStatesFor('approve')).toEqual(['requested']);
    expect(fromStatesFor('retry')).toEqual(['failed']);
    const a = fromStatesFor('cancel');
    a.push('closed');
    expect(fromStatesFor('cancel')).toEqual(['requested', 'approved', 'failed', 'personalizing']);
  });

  it('refuses from-states of an unknown action', () => {
    expect(() => fromStatesFor('teleport')).toThrow(/unknown action "teleport"/);
  });

  it('agrees between orderTransition, allowedOrderActions and fromStatesFor', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORDER_STATES), fc.constantFrom(...ORDER_ACTIONS), (from, action) => {
        const allowed = allowedOrderActions(from).includes(action);
        expect((fromStatesFor(action) as string[]).includes(from)).toBe(allowed);
        if (allowed) expect(ORDER_STATES).toContain(orderTransition(from, action));
        else expect(() => orderTransition(from, action)).toThrow(TransitionError);
      }),
    );
  });

  it('reaches every state from requested', () => {
    const seen = new Set<string>([INITIAL_ORDER_STATE]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of ORDER_TRANSITIONS) {
        if (seen.has(t.from) && !seen.has(t.to)) {
          seen.add(t.to);
          grew = true;
        }
      }
    }
    expect([...seen].sort()).toEqual([...ORDER_STATES].sort());
  });

  it('is immutable', () => {
    expect(Object.isFrozen(ORDER_TRANSITIONS)).toBe(true);
    expect(Object.isFrozen(ORDER_TRANSITIONS[0])).toBe(true);
    expect(Object.isFrozen(OPEN_ORDER_STATES)).toBe(true);
  });

  it('recognises order states', () => {
    expect(isOrderState('card-letter-sent')).toBe(true);
    expect(isOrderState('sent')).toBe(false);
  });
});

describe('the card workflow', () => {
  it('lists the four card states, opposed being final', () => {
    expect([...CARD_STATES]).toEqual(['personalized', 'sent', 'active', 'opposed']);
    expect([...FINAL_CARD_STATES]).toEqual(['opposed']);
    expect(INITIAL_CARD_STATE).toBe('personalized');
  });

  it('declares exactly the allowed transitions', () => {
    expect(CARD_TRANSITIONS.map((t) => `${t.from} -${t.action}-> ${t.to}`).sort()).toEqual(
      [
        'personalized -send-> sent',
        'sent -activate-> active',
        'personalized -oppose-> opposed',
        'sent -oppose-> opposed',
        'active -oppose-> opposed',
      ].sort(),
    );
  });

  it('sends then activates a card', () => {
    expect(cardTransition(cardTransition('personalized', 'send'), 'activate')).toBe('active');
  });

  it('refuses activating a card that was never sent', () => {
    const e = caught(() => cardTransition('personalized', 'activate'));
    expect(e.entity).toBe('card');
    expect(e.status).toBe(409);
    expect(e.message).toBe('card in state "personalized" cannot be activated (allowed from: sent)');
  });

  it('opposes a card in any state but opposed', () => {
    for (const s of ['personalized', 'sent', 'active']) expect(cardTransition(s, 'oppose')).toBe('opposed');
  });

  it('refuses every action on an opposed card', () => {
    expect(allowedCardActions('opposed')).toEqual([]);
    for (const a of CARD_ACTIONS) expect(() => cardTransition('opposed', a)).toThrow(TransitionError);
    expect(caught(() => cardTransition('opposed', 'oppose')).message).toBe(
      'card in state "opposed" cannot be opposed (allowed from: personalized, sent, active)',
    );
  });

  it('refuses an order action on a card', () => {
    expect(caught(() => cardTransition('personalized', 'approve')).message).toMatch(/^unknown card action "approve"/);
  });

  it('gives the from-states of a card action', () => {
    expect(fromStatesFor('oppose')).toEqual(['personalized', 'sent', 'active']);
    expect(fromStatesFor('activate')).toEqual(['sent']);
  });

  it('uses action names distinct from the order workflow', () => {
    for (const a of CARD_ACTIONS) expect(ORDER_ACTIONS as readonly string[]).not.toContain(a);
  });

  it('agrees between cardTransition, allowedCardActions and fromStatesFor', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CARD_STATES), fc.constantFrom(...CARD_ACTIONS), (from, action) => {
        const allowed = allowedCardActions(from).includes(action);
        expect((fromStatesFor(action) as string[]).includes(from)).toBe(allowed);
        if (allowed) expect(CARD_STATES).toContain(cardTransition(from, action));
        else expect(() => cardTransition(from, action)).toThrow(TransitionError);
      }),
    );
  });

  it('starts an imported card active, or opposed when the file gives an opposition date', () => {
    expect(importedCardState(null)).toBe('active');
    expect(importedCardState(undefined)).toBe('active');
    expect(importedCardState('  ')).toBe('active');
    expect(importedCardState('2024-05-02')).toBe('opposed');
  });

  it('recognises card states', () => {
    expect(isCardState('opposed')).toBe(true);
    expect(isCardState('closed')).toBe(false);
  });
});

/** Written out by hand from the issue, independently of the tables under test. */
const EXPECTED_ORDER: Record<string, Record<string, string>> = {
  requested: { approve: 'approved', reject: 'rejected', cancel: 'cancelled' },
  approved: { cancel: 'cancelled', 'start-personalization': 'personalizing' },
  personalizing: { personalized: 'personalized', fail: 'failed', release: 'approved', cancel: 'cancelled' },
  personalized: { 'card-letter-sent': 'card-letter-sent', close: 'closed' },
  'card-letter-sent': { 'pin-letter-sent': 'pin-letter-sent', close: 'closed' },
  'pin-letter-sent': { close: 'closed' },
  failed: { retry: 'approved', cancel: 'cancelled' },
  closed: {},
  rejected: {},
  cancelled: {},
};
const EXPECTED_CARD: Record<string, Record<string, string>> = {
  personalized: { send: 'sent', oppose: 'opposed' },
  sent: { activate: 'active', oppose: 'opposed' },
  active: { oppose: 'opposed' },
  opposed: {},
};

describe('every order transition, allowed or refused', () => {
  const pairs = ORDER_STATES.flatMap((from) => ORDER_ACTIONS.map((action) => [from, action] as const));
  it.each(pairs)('from %s, %s', (from, action) => {
    const to = EXPECTED_ORDER[from][action];
    if (to) expect(orderTransition(from, action)).toBe(to);
    else expect(() => orderTransition(from, action)).toThrow(TransitionError);
  });
});

describe('every card transition, allowed or refused', () => {
  const pairs = CARD_STATES.flatMap((from) => CARD_ACTIONS.map((action) => [from, action] as const));
  it.each(pairs)('from %s, %s', (from, action) => {
    const to = EXPECTED_CARD[from][action];
    if (to) expect(cardTransition(from, action)).toBe(to);
    else expect(() => cardTransition(from, action)).toThrow(TransitionError);
  });
});
