/**
 * Base of every module's errors: a stable machine-readable `code`, an HTTP status,
 * and a message safe to show (never a PIN, a PUK or a token).
 */
export class DomainError<C extends string = string> extends Error {
  constructor(
    public readonly code: C,
    message: string,
    public readonly status: number = 400,
    public readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type CommonErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'payload_too_large'
  | 'too_many_requests';

export class CommonError extends DomainError<CommonErrorCode> {}
