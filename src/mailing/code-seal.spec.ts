import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { MasterKey, openCodes, rewrapCodes, SealedCodes, sealCodes } from './code-seal';
import { MailingError } from './mailing.errors';

const k1: MasterKey = { id: 'k1', key: randomBytes(32) };
const k2: MasterKey = { id: 'k2', key: randomBytes(32) };
const ORDER = '2b0f7a3e-8d1c-4a8e-9a51-3f0c2d9e7b10';
const OTHER = '7c4e1b2a-0f3d-4e5a-8b6c-1d2e3f4a5b6c';
const codes = { pin: '4719', puk: '03815526' };
const keyring = (...ks: MasterKey[]) => new Map(ks.map((k) => [k.id, k.key]));

/** A copy with its first bit changed (an altered byte, whatever it was). */
function flipFirstBit(b: Buffer): Buffer {
  const c = Buffer.from(b);
  c[0] ^= 0x01;
  return c;
}

/** Every byte of what is kept, as text: what a database dump would show. */
const kept = (s: SealedCodes) =>
  [s.keyId, s.wrappedKey, s.wrapIv, s.ciphertext, s.iv].map((b) => b.toString('hex') + b.toString('latin1')).join('|');

describe('sealed codes (AES-256-GCM, a data key per order wrapped by a master key)', () => {
  it('opens what it sealed, for any codes, and keeps nothing of them in clear', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{4}$/), fc.stringMatching(/^\d{8}$/), (pin, puk) => {
        const sealed = sealCodes(ORDER, { pin, puk }, k1);
        expect(openCodes(ORDER, sealed, keyring(k1))).toEqual({ pin, puk });
        expect(kept(sealed)).not.toContain(puk);
        expect(sealed.keyId).toBe('k1');
      }),
      { numRuns: 50 },
    );
  });

  it("refuses to open another order's codes, altered bytes, or a wrong key, without saying the codes", () => {
    const sealed = sealCodes(ORDER, codes, k1);
    const attempts: Array<() => unknown> = [
      () => openCodes(OTHER, sealed, keyring(k1)),
      () => openCodes(ORDER, { ...sealed, ciphertext: flipFirstBit(sealed.ciphertext) }, keyring(k1)),
      () => openCodes(ORDER, { ...sealed, wrappedKey: flipFirstBit(sealed.wrappedKey) }, keyring(k1)),
      () => openCodes(ORDER, sealed, new Map([['k1', k2.key]])),
    ];
    for (const attempt of attempts) {
      let err: unknown;
      try {
        attempt();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MailingError);
      expect((err as MailingError).code).toBe('vault_unreadable');
      expect((err as Error).message).not.toMatch(/4719|03815526/);
    }
  });

  it('names the missing key id when the key that sealed the codes is not configured', () => {
    const sealed = sealCodes(ORDER, codes, k1);
    expect(() => openCodes(ORDER, sealed, keyring(k2))).toThrow(/vault key "k1", which is not configured/);
  });

  it('rotates: old codes open with the old key until re-wrapped, then with the new key only', () => {
    const old = sealCodes(ORDER, codes, k1);
    const fresh = sealCodes(OTHER, { pin: '8265', puk: '99120034' }, k2);
    // both keys configured: old codes open with k1, new ones with k2
    expect(openCodes(ORDER, old, keyring(k1, k2))).toEqual(codes);
    expect(openCodes(OTHER, fresh, keyring(k1, k2))).toEqual({ pin: '8265', puk: '99120034' });
    const rotated = rewrapCodes(ORDER, old, keyring(k1, k2), k2);
    expect(rotated.keyId).toBe('k2');
    expect(rotated.ciphertext).toEqual(old.ciphertext);
    expect(openCodes(ORDER, rotated, keyring(k2))).toEqual(codes);
    expect(() => openCodes(ORDER, rotated, keyring(k1))).toThrow(MailingError);
    expect(rewrapCodes(ORDER, rotated, keyring(k2), k2)).toBe(rotated);
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => sealCodes(ORDER, codes, { id: 'short', key: randomBytes(16) })).toThrow(/32 bytes expected/);
  });
});
