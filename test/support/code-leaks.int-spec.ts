import { randomBytes } from 'node:crypto';
import { CPX_ISO_V1 } from '../../src/card-personalization/cpx-iso-v1.profile';
import { type CardCodes, drawCodes } from '../../src/mailing/pin-codes';
import { cardBytes, codeLeakNames, codeLeakPatterns, findCodeLeaks, plantedCodeForms } from './code-leaks';

/**
 * The code-leak search itself (test/support/code-leaks.ts, used by the tests that look for codes in
 * clear): it finds every form it names, wherever a code's bytes sit in a serialized buffer, and not
 * the forms of other codes. Pure code (in this tier because the tests it serves are).
 */
describe('the code-leak search', () => {
  const codes: CardCodes[] = Array.from({ length: 50 }, () => drawCodes());
  const names = (text: string, c: CardCodes) => codeLeakNames(findCodeLeaks(text, c));
  /** `bytes` inside a buffer: `before` random bytes ahead of them, `after` behind. */
  const within = (bytes: Buffer, before: number, after: number) => Buffer.concat([randomBytes(before), bytes, randomBytes(after)]);

  it('finds each form plantedCodeForms plants, in the order of codeLeakPatterns', () => {
    for (const c of codes) expect(names(`some text ${plantedCodeForms(c)} more text`, c)).toEqual(codeLeakPatterns(c).map(([n]) => n));
  });

  it('finds the card bytes of each code in base64 and base64url at any position in a buffer, ended or not', () => {
    for (const c of codes.slice(0, 10)) {
      for (const [which, bytes] of [
        ['8-digit code in base64', cardBytes(c.puk, CPX_ISO_V1.codes.puk)],
        ['4-digit code in base64 (card form)', cardBytes(c.pin, CPX_ISO_V1.codes.pin)],
      ] as const) {
        for (const before of [0, 1, 2, 3, 5]) {
          for (const after of [0, 1, 2, 4]) {
            const buffer = within(bytes, before, after);
            for (const encoding of ['base64', 'base64url'] as const) {
              expect({ before, after, encoding, found: names(`"${buffer.toString(encoding)}"`, c) }).toEqual({
                before,
                after,
                encoding,
                found: expect.arrayContaining([which]),
              });
            }
          }
        }
      }
    }
  });

  it('finds the card bytes of each code in a serialized Buffer, compact or indented', () => {
    for (const c of codes) {
      const pin = within(cardBytes(c.pin, CPX_ISO_V1.codes.pin), 5, 2);
      const puk = within(cardBytes(c.puk, CPX_ISO_V1.codes.puk), 3, 0);
      for (const text of [JSON.stringify({ pin, puk }), JSON.stringify({ pin, puk }, null, 2)]) {
        expect(names(text, c)).toEqual(['8-digit code as decimal bytes', '4-digit code as decimal bytes (card form)']);
      }
    }
  });

  it("does not take another card's codes, in any form, for these", () => {
    for (const c of codes) {
      let other = drawCodes();
      while (other.pin === c.pin || other.puk === c.puk) other = drawCodes();
      expect(names(plantedCodeForms(other), c)).toEqual([]);
    }
  });
});
