/**
 * Base of every module's errors: a stable machine-readable `code`, an HTTP status,
 * and a message safe to show (never a PIN, a PUK or a token).
 *
 * Each subclass declares `titles`, one sentence a person reads per code of its own (the
 * problem's `title`: the same for every occurrence of the code; the `detail` says what
 * was wrong this time). Codes shared by every module (`validation_failed`, ...) take
 * their title from COMMON_TITLES; a code without one falls back to its status's title.
 */
export class DomainError<C extends string = string> extends Error {
  static readonly titles: Readonly<Record<string, string>> = {};

  /** Headers the answer carries besides the problem (Retry-After, a Set-Cookie that clears a session cookie). */
  headers?: Readonly<Record<string, string>>;

  constructor(
    public readonly code: C,
    message: string,
    public readonly status: number = 400,
    public readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** This error, its answer carrying `headers` too. */
  withHeaders(headers: Readonly<Record<string, string>>): this {
    this.headers = { ...this.headers, ...headers };
    return this;
  }

  /** The problem's title: a sentence, never a class name or a status constant. */
  get title(): string {
    const own = (this.constructor as typeof DomainError).titles;
    return own[this.code] ?? (COMMON_TITLES as Record<string, string>)[this.code] ?? statusTitle(this.status);
  }
}

export const COMMON_ERROR_CODES = [
  'validation_failed',
  'not_found',
  'unauthenticated',
  'forbidden',
  'payload_too_large',
  'unsupported_media_type',
  'too_many_requests',
  'unusable_input',
  'console_not_built',
  'check_in_progress',
  'audit_public_key_missing',
] as const;
export type CommonErrorCode = (typeof COMMON_ERROR_CODES)[number];

/** Titles of the codes every module may use. */
export const COMMON_TITLES: Readonly<Record<CommonErrorCode, string>> = {
  validation_failed: 'The request has invalid or missing fields',
  not_found: 'There is nothing at this address',
  unauthenticated: 'A valid bearer token or console session is required',
  forbidden: 'Your role does not allow this action',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'The request body must be JSON',
  too_many_requests: 'Too many requests: wait before trying again',
  unusable_input: 'The input cannot be used',
  console_not_built: 'The console has not been built',
  check_in_progress: 'The same check is already running',
  audit_public_key_missing: 'No audit public key is configured to check the signed checkpoints',
};

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: COMMON_TITLES.validation_failed,
  401: COMMON_TITLES.unauthenticated,
  403: COMMON_TITLES.forbidden,
  404: COMMON_TITLES.not_found,
  405: 'This method is not allowed at this address',
  406: 'The requested representation cannot be produced',
  408: 'The request took too long to arrive',
  409: 'The request conflicts with the current state',
  413: COMMON_TITLES.payload_too_large,
  415: COMMON_TITLES.unsupported_media_type,
  422: 'The request cannot be carried out',
  429: COMMON_TITLES.too_many_requests,
  500: 'An unexpected error occurred',
  502: 'A service behind this one failed',
  503: 'A service this one needs is unavailable',
  504: 'A service behind this one did not answer in time',
};

/** A readable title for an HTTP status (for errors that carry no code of their own). */
export function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? (status >= 500 ? STATUS_TITLES[500] : 'The request cannot be carried out');
}

export class CommonError extends DomainError<CommonErrorCode> {}
