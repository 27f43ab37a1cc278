import { copyField, copyRow, copyRowClean } from './copy-text';
import { addMod48, hashAdd, hashBegin, hashEnd, stableHash } from './stable-hash';

describe('copyField', () => {
  it('escapes what COPY text format treats specially', () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField(null)).toBe('\\N');
    expect(copyField('D\'ALMEIDA "LE" |')).toBe('D\'ALMEIDA "LE" |');
  });
  it('replaces NUL, which a text column cannot hold', () => {
    expect(copyField('a\0b')).toBe('a\uFFFDb');
  });
  it('ends a row with a newline and separates with tabs', () => {
    expect(copyRow(['a', 1, null])).toBe('a\t1\t\\N\n');
  });
});

describe('copyRowClean', () => {
  it('joins clean fields and escapes a backslash like copyRow', () => {
    expect(copyRowClean(['a', 1, 'b'])).toBe('a\t1\tb\n');
    expect(copyRowClean(['a\\b', 2])).toBe(copyRow(['a\\b', 2]));
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

describe('incremental hashing', () => {
  it('equals the hash of the parts joined with |', () => {
    hashBegin();
    hashAdd('10');
    hashAdd('CABINET');
    hashAdd('');
    expect(hashEnd()).toBe(stableHash('10|CABINET|'));
  });
  it('keeps digest sums exact and below 2^48', () => {
    let s = 0;
    for (let i = 0; i < 1000; i++) s = addMod48(s, stableHash(String(i)));
    expect(s).toBeLessThan(2 ** 48);
    expect(Number.isSafeInteger(s)).toBe(true);
    let t = 0;
    for (let i = 999; i >= 0; i--) t = addMod48(t, stableHash(String(i)));
    expect(t).toBe(s);
  });
});
