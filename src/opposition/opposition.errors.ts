import { type CommonErrorCode, DomainError } from '../common/errors/domain-error';

export const OPPOSITION_ERROR_CODES = [
  'validation_failed',
  'opposition_not_found',
  'crl_unavailable',
  'card_import_in_progress',
  'expiry_grew_since_held',
] as const;
export type OppositionErrorCode = (typeof OPPOSITION_ERROR_CODES)[number];

/** Errors of the opposition module. */
export class OppositionError extends DomainError<OppositionErrorCode> {
  static override readonly titles: Readonly<Record<Exclude<OppositionErrorCode, CommonErrorCode>, string>> = {
    opposition_not_found: 'No such opposition',
    crl_unavailable: 'The revocation list cannot be served right now',
    card_import_in_progress: 'A card base import is running',
    expiry_grew_since_held: 'More cards are due than the held sweep showed',
  };
}
