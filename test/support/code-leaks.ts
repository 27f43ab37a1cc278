import type { CardCodes } from '../../src/mailing/pin-codes';

/**
 * The search for a card's codes in clear where they must never be (a database dump, Redis keys and
 * jobs, logs, outbox and audit rows), shared by the tests that look: one list of the forms a code
 * could take. The forms' names never hold a code nor the codes' names.
 */

const hex = (s: string) => Buffer.from(s, 'ascii').toString('hex');

/**
 * The forms a card's codes could leak in, each a pattern with its name. The hex forms are the
 * bytes a card gets (the 4-digit code padded with FF to 8 bytes); a run of digits longer than a
 * code (an id, a count) or of hex digits is not taken for one.
 */
export function codeLeakPatterns({ pin, puk }: CardCodes): Array<[string, RegExp]> {
  return [
    ['8-digit code', new RegExp(`(?<![0-9])${puk}(?![0-9])`)],
    ['4-digit code quoted', new RegExp(`["']${pin}["']`)],
    ['4-digit code as a JSON value', new RegExp(`pin\\\\?"?\\s*[:=]\\s*\\\\?"?${pin}(?![0-9])`, 'i')],
    ['8-digit code in hex', new RegExp(`(?<!3[0-9])${hex(puk)}(?!3[0-9])`, 'i')],
    ['4-digit code in hex (card form)', new RegExp(`${hex(pin)}ffffffff`, 'i')],
  ];
}

/** The forms of `codes` found in `text`, each named, with the text around it (to tell a leak from a coincidence); empty when none. */
export function findCodeLeaks(text: string, codes: CardCodes): string[] {
  return codeLeakPatterns(codes).flatMap(([name, re]) => {
    const m = re.exec(text);
    return m ? [`${name}: …${text.slice(Math.max(0, m.index - 60), m.index + m[0].length + 60)}…`] : [];
  });
}

/** Text holding each form of `codes` once, in codeLeakPatterns' order: planted in a searched text, it shows the search finds them. */
export function plantedCodeForms({ pin, puk }: CardCodes): string {
  return `x${puk}x "${pin}" {"pin":"${pin}"} \\x${hex(puk)} 00200081${hex(pin)}ffffffff`;
}

/** The names of the forms findCodeLeaks reports for `text` (without the text around them). */
export function codeLeakNames(found: string[]): string[] {
  return found.map((l) => l.slice(0, l.indexOf(':')));
}
