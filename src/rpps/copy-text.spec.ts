import { copyField, copyRow } from './copy-text';
import { stableHash } from './stable-hash';

describe('copyField', () => {
  it('escapes what COPY text format treats specially', () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField(null)).toBe('\\N');
    expect(copyField("D'ALMEIDA \"LE\" |")).toBe("D'ALMEIDA \"LE\" |");
  });
  it('replaces NUL, which a text column cannot hold', () => {
    expect(copyField('a\0b')).toBe('a\uFFFDb');
  });
  it('ends a row with a newline and separates with tabs', () => {
    expect(copyRow(['a', 1, null])).toBe('a\t1\t\\N\n');
  });
});

describe('stableHash', () => {
  it('is deterministic and spreads similar strings', () => {
    expect(stableHash('CABINET MARTIN')).toBe(stableHash('CABINET MARTIN'));
    expect(stableHash('CABINET MARTIN')).not.toBe(stableHash('CABINET MARTIM'));
    expect(Number.isSafeInteger(stableHash('x'.repeat(1000)))).toBe(true);
  });
  it('keeps its values across releases (digests are stored)', () => {
    expect(stableHash('')).toBe(3338908027751811);
    expect(stableHash('810000000355')).toBe(stableHash('810000000355'));
  });
});
