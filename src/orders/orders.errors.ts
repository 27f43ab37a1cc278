import { parisDate } from '../common/clock/clock';
import { type CommonErrorCode, DomainError } from '../common/errors/domain-error';
import type { RegistryStanding } from '../rpps/rpps.service';

export const ORDERS_ERROR_CODES = [
  'validation_failed',
  'order_not_found',
  'card_not_found',
  'open_order_exists',
  'approver_is_requester',
  'approver_not_a_person',
  'replaced_card_not_found',
  'replaced_card_mismatch',
  'idempotency_key_reused',
  'professional_not_in_registry',
  'registry_changed',
  'professional_unknown',
  'professional_ceased',
  'profession_not_held',
  'unusable_input',
  'renewal_in_progress',
  'chip_already_used',
  'claim_lost',
  'expiry_in_progress',
] as const;
export type OrdersErrorCode = (typeof ORDERS_ERROR_CODES)[number];

/** Errors of the orders module (transition refusals are TransitionError, code transition_not_allowed). */
export class OrdersError extends DomainError<OrdersErrorCode> {
  static override readonly titles: Readonly<Record<Exclude<OrdersErrorCode, CommonErrorCode>, string>> = {
    order_not_found: 'No such order',
    card_not_found: 'No such card',
    open_order_exists: 'An order is already open for this card',
    approver_is_requester: 'An order is approved by someone other than its requester',
    approver_not_a_person: 'Only a person approves an order',
    replaced_card_not_found: 'The card to replace does not exist',
    replaced_card_mismatch: 'The card to replace belongs to another holder, profession or card type',
    idempotency_key_reused: 'This Idempotency-Key was already used for another order',
    professional_not_in_registry: 'The professional is no longer active in the registry with this profession',
    registry_changed: 'The registry changed while the order was being made: try again',
    professional_unknown: 'No card can be ordered for someone the registry does not know',
    professional_ceased: 'No card can be ordered for a professional who has ceased practising',
    profession_not_held: 'No card can be ordered for a profession the professional does not hold',
    renewal_in_progress: 'A renewal sweep is already running',
    chip_already_used: 'This chip already holds a card or was spoiled: it is never written again',
    claim_lost: 'The order is no longer being personalized by this encoder station',
    expiry_in_progress: 'An expiry sweep is running',
  };
}

/**
 * The approval of order `orderId` refused because the registry changed since the order was
 * made: a 409 `professional_not_in_registry` (the order exists; the registry moved), whose
 * detail says why with creation's wording (`standing` from RppsService.standing()); a 409
 * `registry_changed` when the registry says active again by the time it is read.
 */
export function approvalRefusal(
  s: RegistryStanding,
  orderId: string,
  nationalId: string,
  professionCode: string,
  /** What was refused: `approved` (default) or `retried`. */
  done: 'approved' | 'retried' = 'approved',
): OrdersError {
  const why = registryRefusal(s, nationalId, professionCode);
  if (!why) {
    return new OrdersError('registry_changed', `the registry changed while order ${orderId} was ${done}: try again`, 409, { orderId });
  }
  return new OrdersError('professional_not_in_registry', `order ${orderId} cannot be ${done}: ${why.message}`, 409, {
    ...why.extra,
    orderId,
    standing: why.code,
  });
}

/** Why the registry refuses a card for this professional and profession (null when it does not). */
export function registryRefusal(s: RegistryStanding, nationalId: string, professionCode: string): OrdersError | null {
  const who = { nationalId, professionCode };
  switch (s.kind) {
    case 'active':
      return null;
    case 'unknown':
      return new OrdersError(
        'professional_unknown',
        `no professional ${nationalId} in the registry: no card can be ordered for profession ${professionCode}`,
        422,
        who,
      );
    case 'ceased':
      return new OrdersError(
        'professional_ceased',
        `${nationalId} ceased in the registry on ${parisDate(s.ceasedAt)}` +
          (s.migratedTo ? ` (now identified as ${s.migratedTo})` : '') +
          `: no card can be ordered for profession ${professionCode}`,
        422,
        { ...who, ceasedAt: s.ceasedAt, migratedTo: s.migratedTo },
      );
    case 'profession_not_held':
      return new OrdersError(
        'profession_not_held',
        `${nationalId} does not hold profession ${professionCode} in the registry` +
          (s.professions.length ? ` (holds ${s.professions.join(', ')})` : ' (holds none)') +
          ': no card can be ordered for it',
        422,
        { ...who, professions: s.professions },
      );
  }
}
