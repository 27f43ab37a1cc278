/**
 * What the letters accept of the settings printed on them (HELPDESK_PHONE, MAILING_SENDER):
 * one set of predicates, used by the configuration check at start-up (config.ts) and by the
 * letters' own checks (mailing/letters/letter-data.ts, letter-pdf-writer.ts), so that a
 * setting accepted at start-up is never refused when a batch is drawn. Pure; here, in
 * `common`, because the configuration may not import the mailing module (design.md).
 */

/** A phone number as printed: 5 to 20 digits, spaces and dots (an optional leading + besides), starting and ending with a digit. */
export const HELPDESK_PHONE_PATTERN = /^\+?[0-9][0-9 .]{3,18}[0-9]$/;

/** The longest sender name the letters print (the sender block, the signature). */
export const MAX_SENDER_NAME_LENGTH = 60;

/** Printable text of one line: at most `max` characters, no control character, not only spaces. */
export function isPrintableLine(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.trim().length > 0 && v.length <= max && !/\p{Cc}/u.test(v);
}

export function isHelpdeskPhone(v: unknown): v is string {
  return typeof v === 'string' && HELPDESK_PHONE_PATTERN.test(v);
}

export function isSenderName(v: unknown): v is string {
  return isPrintableLine(v, MAX_SENDER_NAME_LENGTH);
}
