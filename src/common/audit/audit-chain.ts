import { createHash } from 'node:crypto';

/** The prev_hash of the first entry. */
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
 * Walks entries in id order, carrying the expected previous hash; returns the id of
 * the first entry that does not hold (changed content, or a predecessor deleted or changed).
 */
export class ChainVerifier {
  private expectedPrev = GENESIS_HASH;
  entries = 0;
  firstBadEntry: string | null = null;

  push(e: StoredEntry): void {
    this.entries += 1;
    if (this.firstBadEntry !== null) return;
    const ok = e.prevHash === this.expectedPrev && entryHash(e.prevHash, e) === e.hash;
    if (!ok) this.firstBadEntry = String(e.id);
    this.expectedPrev = e.hash;
  }

  get ok(): boolean {
    return this.firstBadEntry === null;
  }
}
