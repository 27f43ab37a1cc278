import { DomainError } from '../common/errors/domain-error';

export const MAILING_ERROR_CODES = [
  'vault_key_missing',
  'vault_key_wrong',
  'vault_unreadable',
  'vault_keys_invalid',
  'vault_keys_required',
  'vault_order_unknown',
  'codes_destroyed',
  'mailing_not_configured',
  'mailing_invalid',
  'batch_not_found',
  'batch_not_ready',
  'batch_not_due',
  'card_letters_not_printed',
  'batch_in_progress',
  'letter_not_found',
  'letter_not_printed',
  'letter_barcode_mismatch',
  'reprint_not_allowed',
  'reprint_not_found',
  'reprint_in_progress',
  'letter_invalid',
  'letter_file_exists',
  'letter_render_failed',
] as const;
export type MailingErrorCode = (typeof MAILING_ERROR_CODES)[number];

/**
 * Errors of the mailing module (the owner of the codes). Their messages never carry a code,
 * a key, or the encrypted bytes: they name the order, the key id, a file and a line number only.
 */
export class MailingError extends DomainError<MailingErrorCode> {
  static override readonly titles: Readonly<Record<MailingErrorCode, string>> = {
    vault_key_missing: 'The vault key that sealed these codes is not configured',
    vault_key_wrong: 'A configured vault key does not open the codes sealed under its id',
    vault_unreadable: 'The sealed codes cannot be opened',
    vault_keys_invalid: 'The vault key file cannot be used',
    vault_keys_required: 'A vault key file is required in production',
    vault_order_unknown: 'There is no such order to hold codes for',
    codes_destroyed: 'The codes of this card were destroyed',
    mailing_not_configured: 'The letters cannot be made with this configuration',
    mailing_invalid: 'The mailing batch asked for is not valid',
    batch_not_found: 'There is no such mailing batch',
    batch_not_ready: 'The mailing batch is not in a state that allows this',
    batch_not_due: "The mailing batch's day has not come yet",
    card_letters_not_printed: 'The card letters of these letters of the codes are not printed yet',
    batch_in_progress: 'The mailing batch is being rendered by another run',
    letter_not_found: 'There is no such letter',
    letter_not_printed: 'The letter was not printed',
    letter_barcode_mismatch: 'The barcode given is not the letter named',
    reprint_not_allowed: 'This letter cannot be printed again',
    reprint_not_found: 'There is no such reprint request',
    reprint_in_progress: 'A reprint of this letter is approved and not printed yet',
    letter_invalid: 'A letter cannot be printed from these data',
    letter_file_exists: 'The letters file already exists: it is never overwritten',
    letter_render_failed: 'The letters could not be rendered',
  };
}
