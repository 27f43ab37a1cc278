import fc from 'fast-check';
import { MalformedDataError } from './card-personalization.errors';
import { decodeValue, encodeValue, utf8Cut } from './card-text';

/** Strings mixing 1, 2, 3 and 4 byte UTF-8 characters. */
const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', 'é', 'È', 'ß', '€', '中', '😀', '𝄞', "'", '-'), maxLength: 80 });

describe('card text', () => {
  describe('utf8Cut', () => {
    it('keeps at most the limit, cuts on a character boundary, and keeps the longest whole prefix', () => {
      fc.assert(
        fc.property(text, fc.integer({ min: 0, max: 100 }), (s, limit) => {
          const cut = utf8Cut(s, limit);
          expect(cut.length).toBeLessThanOrEqual(limit);
          // Valid UTF-8 (a fatal decoder throws on a split character) and a prefix of the text.
          const decoded = new TextDecoder('utf-8', { fatal: true }).decode(cut);
          expect(s.startsWith(decoded)).toBe(true);
          // The next character would not have fitted.
          if (decoded.length < s.length) {
            const next = String.fromCodePoint(s.codePointAt(decoded.length)!);
            expect(cut.length + Buffer.byteLength(next)).toBeGreaterThan(limit);
          } else {
            expect(cut).toEqual(Buffer.from(s, 'utf8'));
          }
        }),
      );
    });

    it('cuts a site name at 64 bytes before a 2-byte character that would straddle the limit', () => {
      const name = `${'A'.repeat(63)}ÉCOLE`;
      const cut = utf8Cut(name, 64);
      expect(cut.length).toBe(63);
      expect(cut.toString('utf8')).toBe('A'.repeat(63));
      expect(utf8Cut(`${'A'.repeat(62)}É`, 64).toString('utf8')).toBe(`${'A'.repeat(62)}É`);
    });
  });

  describe('encodeValue / decodeValue', () => {
    it('writes ASCII, refusing any other character and naming the field', () => {
      expect(encodeValue('cardNumber', { kind: 'ascii' }, '2900995230')).toEqual(Buffer.from('2900995230'));
      expect(() => encodeValue('postalCode', { kind: 'ascii' }, '75Ö11')).toThrow(
        /field "postalCode" holds a character that is not printable ASCII/,
      );
    });

    it('writes UTF-8 as is, or cut at the format limit', () => {
      expect(encodeValue('lastName', { kind: 'utf8' }, 'LEFÈVRE')).toEqual(Buffer.from('4C4546C388565245', 'hex'));
      expect(encodeValue('city', { kind: 'utf8', maxBytes: 64 }, 'É'.repeat(40)).length).toBe(64);
      expect(() => encodeValue('lastName', { kind: 'utf8' }, 'A\nB')).toThrow(/control character/);
    });

    it('writes dates as YYYYMMDD and reads them back as YYYY-MM-DD', () => {
      expect(encodeValue('validUntil', { kind: 'date' }, '2032-02-29')).toEqual(Buffer.from('20320229'));
      expect(decodeValue('validUntil', { kind: 'date' }, Buffer.from('20320229'))).toBe('2032-02-29');
      expect(() => encodeValue('validUntil', { kind: 'date' }, '2031-02-29')).toThrow(/must be a date YYYY-MM-DD, found "2031-02-29"/);
      expect(() => decodeValue('validUntil', { kind: 'date' }, Buffer.from('20311301'))).toThrow(MalformedDataError);
    });

    it('writes one byte', () => {
      expect(encodeValue('profileVersion', { kind: 'byte' }, 1)).toEqual(Buffer.from([1]));
      expect(() => encodeValue('situationNumber', { kind: 'byte' }, 256)).toThrow(/0\.\.255/);
      expect(() => decodeValue('situationNumber', { kind: 'byte' }, Buffer.from([1, 2]))).toThrow(/expected 1 byte/);
    });

    it('reads back what it writes', () => {
      fc.assert(
        fc.property(text, (s) => {
          expect(decodeValue('f', { kind: 'utf8' }, encodeValue('f', { kind: 'utf8' }, s))).toBe(s);
        }),
      );
      expect(decodeValue('f', { kind: 'ascii' }, encodeValue('f', { kind: 'ascii' }, 'DR'))).toBe('DR');
    });

    it('refuses bytes that are not valid text of their kind', () => {
      expect(() => decodeValue('lastName', { kind: 'utf8' }, Buffer.from([0x41, 0xc3]))).toThrow(
        /lastName: bytes that are not valid UTF-8/,
      );
      expect(() => decodeValue('cardType', { kind: 'ascii' }, Buffer.from([0x43, 0xe9]))).toThrow(/not printable ASCII/);
    });
  });
});
