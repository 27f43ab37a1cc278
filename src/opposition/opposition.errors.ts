import { DomainError } from '../common/errors/domain-error';

export type OppositionErrorCode = 'validation_failed' | 'opposition_not_found' | 'crl_unavailable';

/** Errors of the opposition module. */
export class OppositionError extends DomainError<OppositionErrorCode> {}
