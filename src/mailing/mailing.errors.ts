import { DomainError } from '../common/errors/domain-error';

export const MAILING_ERROR_CODES = ['vault_key_missing', 'vault_unreadable'] as const;
export type MailingErrorCode = (typeof MAILING_ERROR_CODES)[number];

/**
 * Errors of the mailing module (the owner of the codes). Their messages never carry a code,
 * a key, or the encrypted bytes: they name the order and the key id only.
 */
export class MailingError extends DomainError<MailingErrorCode> {
  static override readonly titles: Readonly<Record<MailingErrorCode, string>> = {
    vault_key_missing: 'The vault key that sealed these codes is not configured',
    vault_unreadable: 'The sealed codes cannot be opened',
  };
}
