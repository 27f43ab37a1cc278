import { DomainError } from '../errors/domain-error';

export const HEALTH_ERROR_CODES = ['not_ready'] as const;
export type HealthErrorCode = (typeof HEALTH_ERROR_CODES)[number];

/** A dependency of the process does not answer: 503, naming it (`failing`) and why (`checks`). */
export class HealthError extends DomainError<HealthErrorCode> {
  static override readonly titles: Readonly<Record<HealthErrorCode, string>> = {
    not_ready: 'A service this one needs is unavailable',
  };
}
