import { createHash, KeyObject, sign, verify } from 'node:crypto';

/** The prev_hash of the first entry, and the head of an empty chain. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  at: Date;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  details: unknown;
}

/** JSON with object keys sorted at every depth: the same content always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/**
 * The canonical content of an entry (what its hash covers). The id is not in it: the
 * order of entries is held by each one carrying the previous entry's hash.
 */
export function canonicalContent(c: AuditContent): string {
  return canonicalJson({
    at: c.at.toISOString(),
    actor: c.actor,
    action: c.action,
    entity: c.entity,
    entityId: c.entityId,
    details: c.details ?? {},
  });
}

/** SHA-256 of the previous entry's hash, a newline, and this entry's canonical content. */
export function entryHash(prevHash: string, c: AuditContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalContent(c)).digest('hex');
}

export interface StoredEntry extends AuditContent {
  id: string;
  prevHash: string;
  hash: string;
}

/**
 * Walks the chain in order. It keeps two things: whether each stored link holds (the
 * first entry that does not is `firstBadEntry`: changed content, or a predecessor deleted
 * or changed), and the head recomputed from the entries' content alone, which signed
 * checkpoints are compared with (a chain rewritten and re-hashed consistently holds link
 * by link, but no longer has the heads that were signed).
 */
export class ChainVerifier {
  private expectedPrev = GENESIS_HASH;
  /** Recomputed from content only; null once an entry is missing (nothing after it can be recomputed). */
  head: string | null = GENESIS_HASH;
  entries = 0;
  firstBadEntry: string | null = null;
  firstBadPosition: number | null = null;

  push(e: StoredEntry): void {
    this.entries += 1;
    if (this.head !== null) this.head = entryHash(this.head, e);
    if (this.firstBadEntry === null) {
      const ok = e.prevHash === this.expectedPrev && entryHash(e.prevHash, e) === e.hash;
      if (!ok) this.bad(e.id);
    }
    this.expectedPrev = e.hash;
  }

  /** A link whose entry is gone from audit_log. */
  pushMissing(id: string, hash: string): void {
    this.entries += 1;
    this.head = null;
    if (this.firstBadEntry === null) this.bad(id);
    this.expectedPrev = hash;
  }

  private bad(id: string): void {
    this.firstBadEntry = String(id);
    this.firstBadPosition = this.entries;
  }

  get ok(): boolean {
    return this.firstBadEntry === null;
  }
}

// ---- checkpoints ----

/** What a checkpoint states: the chain had `size` entries and its last hash was `head`, at `signedAt`. */
export interface CheckpointStatement {
  size: number;
  head: string;
  /** ISO 8601, UTC, milliseconds */
  signedAt: string;
}

export interface SignedCheckpoint extends CheckpointStatement {
  /** SHA-256 (hex) of the signing key's SubjectPublicKeyInfo (DER). */
  keyId: string;
  /** base64 */
  signature: string;
}

/**
 * The exact bytes signed (UTF-8): five lines, each ending with "\n". An auditor checks a
 * checkpoint with the public key alone, e.g. for Ed25519:
 * `openssl pkeyutl -verify -pubin -inkey audit-public-key.pem -rawin -in body -sigfile sig`.
 */
export function checkpointBody(c: CheckpointStatement & { keyId: string }): string {
  return `cps-audit-checkpoint/1\nsize ${c.size}\nhead ${c.head}\nsignedAt ${c.signedAt}\nkeyId ${c.keyId}\n`;
}

/** The id of a public key: SHA-256 (hex) of its DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Ed25519 signs the message itself; ECDSA P-256 signs its SHA-256 (DER signature). */
function digestFor(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
}

export function signCheckpoint(s: CheckpointStatement, privateKey: KeyObject, keyId: string): SignedCheckpoint {
  const body = Buffer.from(checkpointBody({ ...s, keyId }), 'utf8');
  const signature = sign(digestFor(privateKey), body, { key: privateKey, dsaEncoding: 'der' }).toString('base64');
  return { size: s.size, head: s.head, signedAt: s.signedAt, keyId, signature };
}

/** Whether the checkpoint was signed by this public key (a checkpoint of another key is not). */
export function checkpointSignatureValid(c: SignedCheckpoint, publicKey: KeyObject, keyId = keyIdOf(publicKey)): boolean {
  if (c.keyId !== keyId) return false;
  try {
    const body = Buffer.from(checkpointBody(c), 'utf8');
    return verify(digestFor(publicKey), body, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Parses one line of checkpoints.jsonl; throws naming what is wrong. */
export function parseCheckpoint(line: string): SignedCheckpoint {
  const o = JSON.parse(line) as Record<string, unknown>;
  const { size, head, signedAt, keyId, signature } = o;
  if (!Number.isSafeInteger(size) || (size as number) < 0) throw new Error('size: expected a whole number');
  if (typeof head !== 'string' || !/^[0-9a-f]{64}$/.test(head)) throw new Error('head: expected 64 hex digits');
  if (typeof signedAt !== 'string' || Number.isNaN(Date.parse(signedAt))) throw new Error('signedAt: expected a timestamp');
  if (typeof keyId !== 'string' || typeof signature !== 'string') throw new Error('keyId and signature: expected strings');
  return { size: size as number, head, signedAt, keyId, signature };
}
