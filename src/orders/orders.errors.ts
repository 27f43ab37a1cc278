import { DomainError } from '../common/errors/domain-error';

export type OrdersErrorCode =
  | 'validation_failed'
  | 'order_not_found'
  | 'card_not_found'
  | 'open_order_exists'
  | 'approver_is_requester'
  | 'approver_not_a_person'
  | 'replaced_card_not_found'
  | 'replaced_card_mismatch'
  | 'idempotency_key_reused'
  | 'professional_not_in_registry'
  | 'unusable_input'
  | 'renewal_in_progress';

/** Errors of the orders module (transition refusals are TransitionError, code transition_not_allowed). */
export class OrdersError extends DomainError<OrdersErrorCode> {}
