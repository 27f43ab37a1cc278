import { DomainError } from '../errors/domain-error';

export const CONSOLE_AUTH_ERROR_CODES = [
  'invalid_credentials',
  'account_locked',
  'session_expired',
  'csrf_token_missing',
  'csrf_token_invalid',
  'weak_password',
  'invalid_password_link',
  'user_exists',
  'user_not_found',
  'user_disabled',
  'too_busy',
] as const;
export type ConsoleAuthErrorCode = (typeof CONSOLE_AUTH_ERROR_CODES)[number];

/** Errors of console accounts and sessions (sign-in, set-password links, users:* commands). */
export class ConsoleAuthError extends DomainError<ConsoleAuthErrorCode> {
  static override readonly titles: Readonly<Record<ConsoleAuthErrorCode, string>> = {
    invalid_credentials: 'The login or the password is wrong',
    account_locked: 'The account is locked after too many failed sign-ins',
    session_expired: 'The session has expired: sign in again',
    csrf_token_missing: 'The X-CSRF-Token header of the session is missing',
    csrf_token_invalid: 'The X-CSRF-Token header does not match the session',
    weak_password: 'The password does not follow the rules',
    invalid_password_link: 'This set-password link is unknown, used or expired',
    user_exists: 'This person already has a console account',
    user_not_found: 'No console account has this name',
    user_disabled: 'This console account is disabled',
    too_busy: 'Too many sign-ins at once: try again in a moment',
  };
}
