import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MailingError } from './mailing.errors';
import type { CardCodes } from './pin-codes';

/**
 * Envelope encryption of a card's codes (the vault's format; pure code, keys as parameters):
 * - a data key of its own per order (32 random bytes) encrypts the codes with AES-256-GCM;
 * - a master key (from the configuration, with an id) wraps the data key, also AES-256-GCM;
 * - the order id is authenticated with both (additional data): sealed codes moved to another
 *   order do not open;
 * - rotation re-wraps the data key under a new master key, the codes' ciphertext unchanged:
 *   codes sealed under an old key open while that key is still configured.
 */

/** A master key: its id (kept beside what it wraps) and 32 bytes. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/** What is kept for an order: nothing in it is a code or a key in clear. */
export interface SealedCodes {
  keyId: string;
  /** The data key, encrypted under the master key `keyId` (ciphertext then 16-byte tag). */
  wrappedKey: Buffer;
  wrapIv: Buffer;
  /** The codes, encrypted under the data key (ciphertext then 16-byte tag). */
  ciphertext: Buffer;
  iv: Buffer;
}

const TAG_BYTES = 16;
const IV_BYTES = 12;
const KEY_BYTES = 32;

function checkKey(k: MasterKey): void {
  if (k.key.length !== KEY_BYTES) throw new RangeError(`master key ${k.id}: ${KEY_BYTES} bytes expected, got ${k.key.length}`);
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; sealed: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const sealed = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  return { iv, sealed };
}

/**
 * The plaintext, or null when the bytes, the key or the additional data do not match; the caller
 * zeroes it. The decipher's own pieces of it are zeroed here (GCM gives them out before the tag is
 * checked: zeroed too when it does not match).
 */
function decrypt(key: Buffer, iv: Buffer, sealed: Buffer, aad: string): Buffer | null {
  if (sealed.length < TAG_BYTES || iv.length !== IV_BYTES) return null;
  let head: Buffer | null = null;
  let tail: Buffer | null = null;
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    head = d.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    tail = d.final();
    return Buffer.concat([head, tail]);
  } catch {
    return null;
  } finally {
    head?.fill(0);
    tail?.fill(0);
  }
}

/** Altered bytes, a wrong key, or another order's codes: GCM cannot tell which, and neither do we. */
const unreadable = (orderId: string) =>
  new MailingError('vault_unreadable', `the sealed codes of order ${orderId} do not open (altered, or another order's)`, 500);

const codesAad = (orderId: string) => `cps-codes:${orderId}`;
const wrapAad = (orderId: string, keyId: string) => `cps-data-key:${orderId}:${keyId}`;

/** Seals the codes of order `orderId` under `master`. The data key and the codes' bytes are zeroed once used, whatever happens. */
export function sealCodes(orderId: string, codes: CardCodes, master: MasterKey): SealedCodes {
  checkKey(master);
  const dataKey = randomBytes(KEY_BYTES);
  const plaintext = Buffer.from(JSON.stringify({ pin: codes.pin, puk: codes.puk }), 'utf8');
  try {
    const body = encrypt(dataKey, plaintext, codesAad(orderId));
    const wrap = encrypt(master.key, dataKey, wrapAad(orderId, master.id));
    return { keyId: master.id, wrappedKey: wrap.sealed, wrapIv: wrap.iv, ciphertext: body.sealed, iv: body.iv };
  } finally {
    plaintext.fill(0);
    dataKey.fill(0);
  }
}

/** The data key of `sealed`, opened with the configured master keys; the caller wipes it. */
function unwrap(orderId: string, sealed: SealedCodes, keys: ReadonlyMap<string, Buffer>): Buffer {
  const master = keys.get(sealed.keyId);
  if (!master) {
    throw new MailingError(
      'vault_key_missing',
      `the codes of order ${orderId} are sealed under vault key "${sealed.keyId}", which is not configured`,
      500,
    );
  }
  const dataKey = decrypt(master, sealed.wrapIv, sealed.wrappedKey, wrapAad(orderId, sealed.keyId));
  if (!dataKey) throw unreadable(orderId);
  return dataKey;
}

/**
 * Whether the master key `sealed` names opens its data key (a keyring check: a key id configured
 * with the wrong bytes). The data key is wiped; nothing is returned of it.
 */
export function keyOpens(orderId: string, sealed: SealedCodes, keys: ReadonlyMap<string, Buffer>): boolean {
  try {
    unwrap(orderId, sealed, keys).fill(0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens the codes of order `orderId` (at the moment of use only: writing the card, printing the
 * letter). The data key and the codes' bytes are zeroed before it returns or throws; what it returns
 * are strings, which JavaScript cannot wipe.
 */
export function openCodes(orderId: string, sealed: SealedCodes, keys: ReadonlyMap<string, Buffer>): CardCodes {
  const dataKey = unwrap(orderId, sealed, keys);
  let plaintext: Buffer | null = null;
  try {
    plaintext = decrypt(dataKey, sealed.iv, sealed.ciphertext, codesAad(orderId));
    if (!plaintext) throw unreadable(orderId);
    const { pin, puk } = JSON.parse(plaintext.toString('utf8')) as CardCodes;
    return { pin, puk };
  } finally {
    plaintext?.fill(0);
    dataKey.fill(0);
  }
}

/** The same codes, their data key wrapped under `next` instead (key rotation); the ciphertext is kept. */
export function rewrapCodes(orderId: string, sealed: SealedCodes, keys: ReadonlyMap<string, Buffer>, next: MasterKey): SealedCodes {
  checkKey(next);
  if (sealed.keyId === next.id) return sealed;
  const dataKey = unwrap(orderId, sealed, keys);
  try {
    const wrap = encrypt(next.key, dataKey, wrapAad(orderId, next.id));
    return { ...sealed, keyId: next.id, wrappedKey: wrap.sealed, wrapIv: wrap.iv };
  } finally {
    dataKey.fill(0);
  }
}
