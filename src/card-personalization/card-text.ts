/**
 * Values as the card profile writes them: ASCII text, UTF-8 text (optionally cut at a
 * byte limit on a character boundary), ASCII dates `YYYYMMDD`, single bytes. Encoding
 * refuses what the profile cannot hold (a non-ASCII character in an ASCII field, an
 * impossible date) with an error naming the field; decoding refuses bytes that are not
 * valid text of their kind.
 *
 * Pure code: no framework, no database.
 */
import { CardPersonalizationError, MalformedDataError } from './card-personalization.errors';

/** How a field's value is written. */
export type ValueFormat =
  | { kind: 'byte' }
  | { kind: 'ascii' }
  | { kind: 'utf8'; maxBytes?: number }
  /** An ISO calendar date `YYYY-MM-DD` written as ASCII `YYYYMMDD`. */
  | { kind: 'date' };

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CARD_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * The UTF-8 bytes of `text`, at most `maxBytes` of them: when the text is longer, it is
 * cut before the first character that would not fit whole (never inside a multi-byte
 * sequence).
 */
export function utf8Cut(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  // A byte 10xxxxxx continues the character before it: back up to that character's start.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return Buffer.from(bytes.subarray(0, end));
}

/** The bytes for one field's value (`field` names it in errors). */
export function encodeValue(field: string, format: ValueFormat, value: string | number): Buffer {
  switch (format.kind) {
    case 'byte': {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xff) {
        throw unusable(field, `must be a number 0..255, found ${JSON.stringify(value)}`);
      }
      return Buffer.from([value]);
    }
    case 'ascii': {
      const text = String(value);
      if (!ASCII_PRINTABLE.test(text)) throw unusable(field, 'holds a character that is not printable ASCII');
      return Buffer.from(text, 'ascii');
    }
    case 'utf8': {
      const text = String(value);
      if (/[\u0000-\u001f\u007f]/.test(text)) throw unusable(field, 'holds a control character');
      return format.maxBytes === undefined ? Buffer.from(text, 'utf8') : utf8Cut(text, format.maxBytes);
    }
    case 'date': {
      const text = String(value);
      if (text === '') return Buffer.alloc(0);
      const m = ISO_DATE.exec(text);
      if (!m || !isCalendarDate(+m[1], +m[2], +m[3])) throw unusable(field, `must be a date YYYY-MM-DD, found "${text}"`);
      return Buffer.from(`${m[1]}${m[2]}${m[3]}`, 'ascii');
    }
  }
}

/** The value read back from a field's bytes: a number for `byte`, `YYYY-MM-DD` for a date, text otherwise. */
export function decodeValue(field: string, format: ValueFormat, bytes: Buffer): string | number {
  switch (format.kind) {
    case 'byte':
      if (bytes.length !== 1) throw new MalformedDataError(`${field}: expected 1 byte, found ${bytes.length}`);
      return bytes[0];
    case 'ascii': {
      const text = bytes.toString('latin1');
      if (!ASCII_PRINTABLE.test(text)) throw new MalformedDataError(`${field}: bytes that are not printable ASCII`);
      return text;
    }
    case 'utf8':
      try {
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        throw new MalformedDataError(`${field}: bytes that are not valid UTF-8`);
      }
    case 'date': {
      if (bytes.length === 0) return '';
      const m = CARD_DATE.exec(bytes.toString('latin1'));
      if (!m || !isCalendarDate(+m[1], +m[2], +m[3])) throw new MalformedDataError(`${field}: not a date YYYYMMDD`);
      return `${m[1]}-${m[2]}-${m[3]}`;
    }
  }
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  return d <= days;
}

function unusable(field: string, problem: string): CardPersonalizationError {
  return new CardPersonalizationError('unusable_card_data', `field "${field}" ${problem}`, 422, { field });
}
