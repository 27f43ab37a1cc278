import crypto, { randomBytes } from 'node:crypto';
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

  describe('zeroes the keys and codes it held in clear once done (the strings it returns cannot be)', () => {
    /** Every buffer the decipher gave out, and every one Buffer.concat made (a data key, the codes' bytes): recorded. */
    function recordClearBuffers(): Buffer[] {
      const seen: Buffer[] = [];
      const createDecipheriv = crypto.createDecipheriv;
      jest.spyOn(crypto, 'createDecipheriv').mockImplementation(((...args: Parameters<typeof createDecipheriv>) => {
        const d = createDecipheriv(...args);
        const update = d.update.bind(d) as (data: Buffer) => Buffer;
        const final = d.final.bind(d) as () => Buffer;
        Object.assign(d, {
          update: (data: Buffer) => seen[seen.push(update(data)) - 1],
          final: () => seen[seen.push(final()) - 1],
        });
        return d;
      }) as typeof createDecipheriv);
      const concat = Buffer.concat;
      jest
        .spyOn(Buffer, 'concat')
        .mockImplementation(((list: Uint8Array[], length?: number) => seen[seen.push(concat(list, length)) - 1]) as typeof concat);
      return seen;
    }
    const zeroed = (bufs: Buffer[]) => bufs.every((b) => b.every((x) => x === 0));
    afterEach(() => jest.restoreAllMocks());

    it("sealCodes: its data key and the codes' bytes, once it returned or threw; what it sealed opens", () => {
      const dataKeys: Buffer[] = [];
      const plain: Buffer[] = [];
      const random = crypto.randomBytes;
      jest.spyOn(crypto, 'randomBytes').mockImplementation(((n: number) => {
        const b = random(n);
        if (n === 32) dataKeys.push(b);
        return b;
      }) as typeof random);
      const from = Buffer.from;
      jest.spyOn(Buffer, 'from').mockImplementation(((...args: unknown[]) => {
        const b = (from as (...a: unknown[]) => Buffer)(...args);
        if (typeof args[0] === 'string' && args[0].startsWith('{"pin"')) plain.push(b);
        return b;
      }) as typeof from);
      const sealed = sealCodes(ORDER, codes, k1);
      expect([dataKeys.length, plain.length]).toEqual([1, 1]);
      expect(zeroed([...dataKeys, ...plain])).toBe(true);
      // the cipher failing midway: still zeroed
      jest.spyOn(crypto, 'createCipheriv').mockImplementationOnce(() => {
        throw new Error('cipher unavailable');
      });
      expect(() => sealCodes(ORDER, codes, k1)).toThrow('cipher unavailable');
      expect([dataKeys.length, plain.length]).toEqual([2, 2]);
      expect(zeroed([...dataKeys, ...plain])).toBe(true);
      jest.restoreAllMocks();
      expect(openCodes(ORDER, sealed, keyring(k1))).toEqual(codes);
    });

    it("openCodes and rewrapCodes: the data key and the codes' bytes, opened or refused", () => {
      const sealed = sealCodes(ORDER, codes, k1);
      const seen = recordClearBuffers();
      expect(openCodes(ORDER, sealed, keyring(k1))).toEqual(codes);
      expect(seen.filter((b) => b.length > 0).length).toBeGreaterThanOrEqual(3); // the data key, its pieces, the codes
      expect(zeroed(seen)).toBe(true);

      // altered codes: GCM gives out bytes before it finds the tag wrong; they are zeroed too
      seen.length = 0;
      expect(() => openCodes(ORDER, { ...sealed, ciphertext: flipFirstBit(sealed.ciphertext) }, keyring(k1))).toThrow(MailingError);
      expect(seen.some((b) => b.length === sealed.ciphertext.length - 16)).toBe(true);
      expect(zeroed(seen)).toBe(true);

      seen.length = 0;
      const rotated = rewrapCodes(ORDER, sealed, keyring(k1, k2), k2);
      const unwrapped = seen.filter((b) => b.length === 32);
      expect(unwrapped.length).toBeGreaterThanOrEqual(1);
      expect(zeroed(unwrapped)).toBe(true);
      jest.restoreAllMocks();
      expect(openCodes(ORDER, rotated, keyring(k2))).toEqual(codes);
    });
  });
});
