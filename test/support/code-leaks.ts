import type { CodeSpec } from '../../src/card-personalization/card-profile';
import { CPX_ISO_V1 } from '../../src/card-personalization/cpx-iso-v1.profile';
import type { CardCodes } from '../../src/mailing/pin-codes';

/**
 * The search for a card's codes in clear where they must never be (a database dump, Redis keys and
 * jobs, logs, outbox and audit rows), shared by the tests that look: one list of the forms a code
 * could take. The forms' names never hold a code nor the codes' names.
 */

const hex = (s: string) => Buffer.from(s, 'ascii').toString('hex');

/** A code as the card gets it (CHANGE REFERENCE DATA's data): its digits in ASCII, padded as the profile says (the PIN: FF to 8 bytes). */
export function cardBytes(code: string, spec: CodeSpec): Buffer {
  return Buffer.concat([Buffer.from(code, 'ascii'), Buffer.alloc(spec.length - spec.digits, spec.padding)]);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The character of a base64 digit, the base64url one too (`-` and `_` for `+` and `/`). */
const digitChars = (v: number) => (v === 62 ? '+-' : v === 63 ? '/_' : BASE64[v]);
const charClass = (chars: string) => (chars.length === 1 ? chars : `[${chars.replace(/[-/+]/g, '\\$&')}]`);

/**
 * A pattern for `bytes` in the base64 (or base64url) of any buffer that holds them: three
 * alternatives, one for each position of their first byte in a 3-byte group. A digit that also
 * carries bits of the bytes around them is the class of the digits these bytes allow; the
 * digits that carry none of their bits are left out.
 */
export function base64Pattern(bytes: Buffer): string {
  const alternatives = [0, 1, 2].map((before) => {
    const bits = (before + bytes.length) * 8;
    const digits: string[] = [];
    for (let start = 0; start < bits; start += 6) {
      let known = 0; // the digit's bits that come from `bytes`
      let value = 0;
      for (let b = 0; b < 6; b++) {
        const at = start + b - before * 8; // the bit's place in `bytes`
        if (at >= 0 && at < bytes.length * 8) {
          known |= 1 << (5 - b);
          if ((bytes[at >> 3] >> (7 - (at & 7))) & 1) value |= 1 << (5 - b);
        }
      }
      if (known === 0) continue;
      const allowed = [...Array(64).keys()].filter((v) => (v & known) === value);
      digits.push(charClass(allowed.map(digitChars).join('')));
    }
    return digits.join('');
  });
  return `(?:${alternatives.join('|')})`;
}

/** A pattern for `bytes` in a list of byte values in decimal, as JSON writes a Buffer (`{"type":"Buffer","data":[0,36,…]}`). */
export function decimalBytesPattern(bytes: Buffer): string {
  return `(?<![0-9])${[...bytes].join('\\s*,\\s*')}(?![0-9])`;
}

/**
 * The forms a card's codes could leak in, each a pattern with its name. The hex, decimal and
 * base64 forms are of the bytes a card gets (the 4-digit code padded with FF to 8 bytes, the
 * 8-digit code as its 8 ASCII digits): a Buffer logged or serialized (pino, JSON.stringify),
 * an APDU. A run of digits longer than a code (an id, a count) or of hex digits is not taken for
 * one; a bare 4-digit number is not looked for (byte counts, years and ports would match it).
 */
export function codeLeakPatterns({ pin, puk }: CardCodes): Array<[string, RegExp]> {
  const pinBytes = cardBytes(pin, CPX_ISO_V1.codes.pin);
  const pukBytes = cardBytes(puk, CPX_ISO_V1.codes.puk);
  return [
    ['8-digit code', new RegExp(`(?<![0-9])${puk}(?![0-9])`)],
    ['4-digit code quoted', new RegExp(`["']${pin}["']`)],
    ['4-digit code as a JSON value', new RegExp(`pin\\\\?"?\\s*[:=]\\s*\\\\?"?${pin}(?![0-9])`, 'i')],
    ['8-digit code in hex', new RegExp(`(?<!3[0-9])${hex(puk)}(?!3[0-9])`, 'i')],
    ['4-digit code in hex (card form)', new RegExp(`${hex(pin)}ffffffff`, 'i')],
    ['8-digit code as decimal bytes', new RegExp(decimalBytesPattern(pukBytes))],
    ['4-digit code as decimal bytes (card form)', new RegExp(decimalBytesPattern(pinBytes))],
    ['8-digit code in base64', new RegExp(base64Pattern(pukBytes))],
    ['4-digit code in base64 (card form)', new RegExp(base64Pattern(pinBytes))],
  ];
}

/** The forms of `codes` found in `text`, each named, with the text around it (to tell a leak from a coincidence); empty when none. */
export function findCodeLeaks(text: string, codes: CardCodes): string[] {
  return codeLeakPatterns(codes).flatMap(([name, re]) => {
    const m = re.exec(text);
    return m ? [`${name}: …${text.slice(Math.max(0, m.index - 60), m.index + m[0].length + 60)}…`] : [];
  });
}

/**
 * Text holding each form of `codes` once, in codeLeakPatterns' order: planted in a searched text, it
 * shows the search finds them. The byte forms are CHANGE REFERENCE DATA commands (header, length,
 * the code's card bytes) as JSON writes a Buffer and in base64, the code's bytes after the 5-byte
 * header (the base64 patterns' other alignments are checked by code-leaks.int-spec).
 */
export function plantedCodeForms({ pin, puk }: CardCodes): string {
  const command = (reference: number, data: Buffer) => Buffer.concat([Buffer.from([0x00, 0x24, 0x01, reference, data.length]), data]);
  const pinCommand = command(CPX_ISO_V1.codes.pin.reference, cardBytes(pin, CPX_ISO_V1.codes.pin));
  const pukCommand = command(CPX_ISO_V1.codes.puk.reference, cardBytes(puk, CPX_ISO_V1.codes.puk));
  return [
    `x${puk}x "${pin}" {"pin":"${pin}"} \\x${hex(puk)} 00200081${hex(pin)}ffffffff`,
    JSON.stringify({ apdu: pukCommand }),
    JSON.stringify({ apdu: pinCommand }),
    `{"apdu":"${pukCommand.toString('base64')}"}`,
    `{"apdu":"${pinCommand.toString('base64')}"}`,
  ].join(' ');
}

/** The names of the forms findCodeLeaks reports for `text` (without the text around them). */
export function codeLeakNames(found: string[]): string[] {
  return found.map((l) => l.slice(0, l.indexOf(':')));
}
