import { type CommonErrorCode, DomainError } from '../common/errors/domain-error';

export const OPPOSITION_ERROR_CODES = ['validation_failed', 'opposition_not_found', 'crl_unavailable'] as const;
export type OppositionErrorCode = (typeof OPPOSITION_ERROR_CODES)[number];

/** Errors of the opposition module. */
export class OppositionError extends DomainError<OppositionErrorCode> {
  static override readonly titles: Readonly<Record<Exclude<OppositionErrorCode, CommonErrorCode>, string>> = {
    opposition_not_found: 'No such opposition',
    crl_unavailable: 'The revocation list cannot be served right now',
  };
}
