import { invalidToken } from './status-flood-process';

/** The shape the API accepts before looking a token up (tokens.service.ts). */
const TOKEN_SHAPE = /^cps_[A-Za-z0-9_-]{43}$/;

describe('invalidToken (the flood of the crl benchmark)', () => {
  it('makes well-formed tokens, a new one each time, and one malformed in ten', () => {
    const tokens = Array.from({ length: 300 }, (_, n) => invalidToken(n));
    const wellFormed = tokens.filter((t) => TOKEN_SHAPE.test(t));
    expect(wellFormed).toHaveLength(270);
    expect(new Set(tokens).size).toBe(300);
    const malformed = tokens.filter((t) => !TOKEN_SHAPE.test(t));
    expect(malformed.some((t) => t.length < 47)).toBe(true);
    expect(malformed.some((t) => t.includes('!'))).toBe(true);
    expect(malformed.some((t) => t.startsWith('tok_'))).toBe(true);
    // a Bearer header carries each one as a single token (no space inside)
    expect(tokens.every((t) => /^\S+$/.test(t))).toBe(true);
  });
});
