/**
 * The order and card workflows, declared as data.
 *
 * Each table lists one entry per allowed transition `{ from, to, action }`; everything
 * else is refused with a `TransitionError` (HTTP 409, code `transition_not_allowed`).
 * Persistence applies a transition with a conditional update built from the same table:
 * `UPDATE ... SET status = $to WHERE id = $id AND status = ANY($from)` where
 * `$from = fromStatesFor(action)`; when no row is updated the transition lost a race,
 * and re-reading the state then calling `orderTransition` / `cardTransition` gives the
 * same clear 409.
 *
 * Pure code: no framework, no database.
 */
import { DomainError } from '../common/errors/domain-error';

// ---------------------------------------------------------------------------------------
// Orders

export const ORDER_STATES = [
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
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const ORDER_ACTIONS = [
  'approve',
  'reject',
  'cancel',
  'start-personalization',
  'personalized',
  'fail',
  'release',
  'retry',
  'card-letter-sent',
  'pin-letter-sent',
  'close',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export interface Transition<S extends string, A extends string> {
  readonly from: S;
  readonly to: S;
  readonly action: A;
}

export const ORDER_TRANSITIONS: readonly Transition<OrderState, OrderAction>[] = Object.freeze(
  [
    { from: 'requested', to: 'approved', action: 'approve' },
    { from: 'requested', to: 'rejected', action: 'reject' },
    { from: 'requested', to: 'cancelled', action: 'cancel' },
    { from: 'approved', to: 'cancelled', action: 'cancel' },
    { from: 'approved', to: 'personalizing', action: 'start-personalization' },
    { from: 'personalizing', to: 'personalized', action: 'personalized' },
    { from: 'personalizing', to: 'failed', action: 'fail' },
    // a card failed (or its station went silent): the order waits for the next blank card
    { from: 'personalizing', to: 'approved', action: 'release' },
    { from: 'failed', to: 'approved', action: 'retry' },
    // no card came of it: a failed order, or one being written (its card is then spoiled), may still be cancelled
    { from: 'failed', to: 'cancelled', action: 'cancel' },
    { from: 'personalizing', to: 'cancelled', action: 'cancel' },
    { from: 'personalized', to: 'card-letter-sent', action: 'card-letter-sent' },
    { from: 'card-letter-sent', to: 'pin-letter-sent', action: 'pin-letter-sent' },
    // closed when its card is activated, or opposed (its card is final, whatever came of its letters)
    { from: 'pin-letter-sent', to: 'closed', action: 'close' },
    { from: 'card-letter-sent', to: 'closed', action: 'close' },
    { from: 'personalized', to: 'closed', action: 'close' },
  ].map((t) => Object.freeze(t as Transition<OrderState, OrderAction>)),
);

/** The state of a newly created order. */
export const INITIAL_ORDER_STATE: OrderState = 'requested';

/** States in which an order counts as open (blocks a second order for the same card). */
export const OPEN_ORDER_STATES: readonly OrderState[] = Object.freeze([
  'requested',
  'approved',
  'personalizing',
  'personalized',
  'card-letter-sent',
  'pin-letter-sent',
  'failed',
] as const);

/** States with no way out. */
export const FINAL_ORDER_STATES: readonly OrderState[] = Object.freeze(['closed', 'rejected', 'cancelled'] as const);

// ---------------------------------------------------------------------------------------
// Cards

export const CARD_STATES = ['personalized', 'sent', 'active', 'opposed'] as const;
export type CardState = (typeof CARD_STATES)[number];

export const CARD_ACTIONS = ['send', 'activate', 'oppose'] as const;
export type CardAction = (typeof CARD_ACTIONS)[number];

export const CARD_TRANSITIONS: readonly Transition<CardState, CardAction>[] = Object.freeze(
  [
    { from: 'personalized', to: 'sent', action: 'send' },
    { from: 'sent', to: 'active', action: 'activate' },
    { from: 'personalized', to: 'opposed', action: 'oppose' },
    { from: 'sent', to: 'opposed', action: 'oppose' },
    { from: 'active', to: 'opposed', action: 'oppose' },
  ].map((t) => Object.freeze(t as Transition<CardState, CardAction>)),
);

/** The state of a card made by personalization. */
export const INITIAL_CARD_STATE: CardState = 'personalized';

/** Opposition is final, whatever the reason. */
export const FINAL_CARD_STATES: readonly CardState[] = Object.freeze(['opposed'] as const);

/**
 * State of a card brought in by `cards:import`: active, or opposed when the file gives an
 * opposition date (a blank or whitespace-only date counts as none).
 */
export function importedCardState(oppositionDate: string | null | undefined): CardState {
  return oppositionDate != null && oppositionDate.trim() !== '' ? 'opposed' : 'active';
}

// ---------------------------------------------------------------------------------------
// Errors

export type TransitionEntity = 'order' | 'card';

/** Past participle used in messages: `order in state "closed" cannot be <approved>`. */
const ACTION_WORDING: Record<OrderAction | CardAction, string> = {
  approve: 'approved',
  reject: 'rejected',
  cancel: 'cancelled',
  'start-personalization': 'sent to personalization',
  personalized: 'marked personalized',
  fail: 'marked failed',
  release: 'returned to the personalization queue',
  retry: 'retried',
  'card-letter-sent': 'marked card-letter-sent',
  'pin-letter-sent': 'marked pin-letter-sent',
  close: 'closed',
  send: 'sent',
  activate: 'activated',
  oppose: 'opposed',
};

/**
 * A transition that the workflow does not allow (or that lost a race: the state changed
 * under us). HTTP 409, code `transition_not_allowed`.
 */
export class TransitionError extends DomainError<'transition_not_allowed'> {
  static override readonly titles = { transition_not_allowed: 'This change of state is not allowed now' };

  constructor(
    public readonly entity: TransitionEntity,
    public readonly from: string,
    public readonly action: string,
    /** States from which `action` is allowed (empty when the action is unknown). */
    public readonly allowedFrom: readonly string[],
    message: string,
  ) {
    super('transition_not_allowed', message, 409, { entity, from, action, allowedFrom: [...allowedFrom] });
  }
}

// ---------------------------------------------------------------------------------------
// Lookups

interface Workflow<S extends string, A extends string> {
  entity: TransitionEntity;
  states: readonly S[];
  actions: readonly A[];
  transitions: readonly Transition<S, A>[];
}

const ORDER_WORKFLOW: Workflow<OrderState, OrderAction> = {
  entity: 'order',
  states: ORDER_STATES,
  actions: ORDER_ACTIONS,
  transitions: ORDER_TRANSITIONS,
};

const CARD_WORKFLOW: Workflow<CardState, CardAction> = {
  entity: 'card',
  states: CARD_STATES,
  actions: CARD_ACTIONS,
  transitions: CARD_TRANSITIONS,
};

function includes<T extends string>(list: readonly T[], s: string): s is T {
  return (list as readonly string[]).includes(s);
}

function transition<S extends string, A extends string>(w: Workflow<S, A>, from: string, action: string): S {
  if (!includes(w.actions, action)) {
    throw new TransitionError(
      w.entity,
      from,
      action,
      [],
      `unknown ${w.entity} action "${action}" (known actions: ${w.actions.join(', ')})`,
    );
  }
  const found = w.transitions.find((t) => t.action === action && t.from === from);
  if (found) return found.to;
  const allowedFrom = w.transitions.filter((t) => t.action === action).map((t) => t.from);
  const known = includes(w.states, from) ? 'state' : 'unknown state';
  throw new TransitionError(
    w.entity,
    from,
    action,
    allowedFrom,
    `${w.entity} in ${known} "${from}" cannot be ${ACTION_WORDING[action as OrderAction | CardAction]} ` +
      `(allowed from: ${allowedFrom.join(', ')})`,
  );
}

function allowed<S extends string, A extends string>(w: Workflow<S, A>, from: string): A[] {
  return w.transitions.filter((t) => t.from === from).map((t) => t.action);
}

function fromStates<S extends string, A extends string>(w: Workflow<S, A>, action: A): S[] {
  return w.transitions.filter((t) => t.action === action).map((t) => t.from);
}

export function isOrderState(s: string): s is OrderState {
  return includes(ORDER_STATES, s);
}

export function isCardState(s: string): s is CardState {
  return includes(CARD_STATES, s);
}

export function isOrderAction(s: string): s is OrderAction {
  return includes(ORDER_ACTIONS, s);
}

export function isCardAction(s: string): s is CardAction {
  return includes(CARD_ACTIONS, s);
}

/** Target state of `action` on an order in state `from`; throws `TransitionError` if not allowed. */
export function orderTransition(from: string, action: string): OrderState {
  return transition(ORDER_WORKFLOW, from, action);
}

/** Target state of `action` on a card in state `from`; throws `TransitionError` if not allowed. */
export function cardTransition(from: string, action: string): CardState {
  return transition(CARD_WORKFLOW, from, action);
}

/** Actions allowed on an order in state `from` (empty for a final or unknown state). */
export function allowedOrderActions(from: string): OrderAction[] {
  return allowed(ORDER_WORKFLOW, from);
}

/** Actions allowed on a card in state `from` (empty for an opposed card or an unknown state). */
export function allowedCardActions(from: string): CardAction[] {
  return allowed(CARD_WORKFLOW, from);
}

/**
 * The states from which `action` is allowed: the `$from` of a conditional
 * `UPDATE ... WHERE status = ANY($from)`. Order and card action names are distinct, so the
 * action alone tells the entity. A fresh array each call. Throws on an unknown action.
 */
export function fromStatesFor(action: OrderAction): OrderState[];
export function fromStatesFor(action: CardAction): CardState[];
export function fromStatesFor(action: string): OrderState[] | CardState[];
export function fromStatesFor(action: string): OrderState[] | CardState[] {
  if (isOrderAction(action)) return fromStates(ORDER_WORKFLOW, action);
  if (isCardAction(action)) return fromStates(CARD_WORKFLOW, action);
  throw new Error(`fromStatesFor: unknown action "${action}"`);
}
