import { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChainVerifier, checkpointSignatureValid, GENESIS_HASH, keyIdOf, SignedCheckpoint } from './audit-chain';

export interface CheckpointRef {
  size: number;
  signedAt: string;
}

export type AuditProblemKind =
  | 'entry-changed'
  | 'entry-missing'
  | 'chain-rewritten'
  | 'tail-deleted'
  | 'entry-late'
  | 'checkpoint-forged'
  | 'checkpoint-unreadable'
  | 'checkpoint-file-missing';

export interface AuditProblem {
  kind: AuditProblemKind;
  message: string;
  /** the audit entry concerned (its id), when one is */
  entry?: string;
  /** its position in the chain (1-based), when it has one */
  position?: number;
  /** the first checkpoint (earliest signed) that this contradicts */
  contradicts: CheckpointRef | null;
}

export interface AuditTrailReport {
  /** audit entries: those in the chain and those still queued */
  entries: number;
  ok: boolean;
  /** the first chain entry whose stored link does not hold (changed content, or a predecessor deleted or changed) */
  firstBadEntry: string | null;
  sequenced: number;
  queued: number;
  /** queued entries older than the sequencing delay and its margin */
  late: number;
  checkpoints: { checked: number; contradicted: number; latest: (CheckpointRef & { head: string }) | null };
  /** the first checkpoint (earliest signed) that the database contradicts */
  contradicts: CheckpointRef | null;
  problems: AuditProblem[];
}

export interface VerifyOptions {
  /** checkpoints to hold the chain to (from the file and the table); each is checked with publicKey first */
  checkpoints?: SignedCheckpoint[];
  publicKey?: KeyObject | null;
  /** a queued entry older than this (ms) is late; none is when undefined */
  lateAfterMs?: number;
  now?: Date;
  pageSize?: number;
}

const MAX_LISTED = 100;
/** Added to AUDIT_SEQUENCE_INTERVAL_MS before a queued entry is called late (a transaction's time is taken before its commit). */
export const LATE_MARGIN_MS = 30_000;
const ref = (c: SignedCheckpoint): CheckpointRef => ({ size: c.size, signedAt: c.signedAt });
const bySigned = (a: SignedCheckpoint, b: SignedCheckpoint) => a.signedAt.localeCompare(b.signedAt) || a.size - b.size;

/**
 * Recomputes the audit chain a page at a time (memory does not grow with the chain) and
 * holds it to every checkpoint given: each must carry a valid signature of the audit key,
 * the chain at that size must have that head, and the chain must be at least as long as
 * the longest. Entries still queued past the delay are reported too. Each problem names
 * the first checkpoint (earliest signed) it contradicts.
 */
export async function verifyAuditTrail(ds: DataSource, o: VerifyOptions = {}): Promise<AuditTrailReport> {
  const problems: AuditProblem[] = [];
  const valid = checkSignatures(o.checkpoints ?? [], o.publicKey ?? null, problems);
  const atSize = new Map<number, SignedCheckpoint[]>();
  for (const c of valid) atSize.set(c.size, [...(atSize.get(c.size) ?? []), c]);
  const mismatched: SignedCheckpoint[] = [];
  const heldSizes: number[] = [];
  const compare = (size: number, head: string | null) => {
    for (const c of atSize.get(size) ?? []) {
      if (c.head === head) heldSizes.push(size);
      else mismatched.push(c);
    }
  };

  const v = new ChainVerifier();
  compare(0, GENESIS_HASH);
  const pageSize = o.pageSize ?? 5000;
  let after = '0';
  for (;;) {
    const rows: ChainRow[] = await ds.query(
      `SELECT c.seq::text AS seq, c.entry_id::text AS entry_id, c.prev_hash, c.hash, a.id IS NOT NULL AS present,
              a.at, a.actor, a.action, a.entity, a.entity_id, a.details
         FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.entry_id
        WHERE c.seq > $1::bigint ORDER BY c.seq LIMIT $2`,
      [after, pageSize],
    );
    for (const r of rows) {
      if (r.present) {
        v.push({
          id: r.entry_id,
          at: r.at,
          actor: r.actor,
          action: r.action,
          entity: r.entity,
          entityId: r.entity_id,
          details: r.details,
          prevHash: r.prev_hash,
          hash: r.hash,
        });
      } else {
        v.pushMissing(r.entry_id, r.hash);
      }
      compare(v.entries, v.head);
    }
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1].seq;
  }
  const size = v.entries;
  const firstContradicted = (pred: (c: SignedCheckpoint) => boolean) => mismatched.filter(pred).sort(bySigned)[0];

  if (v.firstBadEntry !== null) {
    const pos = v.firstBadPosition as number;
    const c = firstContradicted((m) => m.size >= pos);
    const missing = v.head === null && !(await entryExists(ds, v.firstBadEntry));
    problems.push({
      kind: missing ? 'entry-missing' : 'entry-changed',
      entry: v.firstBadEntry,
      position: pos,
      contradicts: c ? ref(c) : null,
      message: missing
        ? `audit entry ${v.firstBadEntry} (position ${pos} of the chain) is gone from audit_log`
        : `audit entry ${v.firstBadEntry} (position ${pos}) does not hash to its link in the chain: its content was changed, ` +
          `or it was moved, or the entry before it was deleted or changed`,
    });
  }
  const explained = (c: SignedCheckpoint) => v.firstBadPosition !== null && c.size >= v.firstBadPosition;
  const rewritten = firstContradicted((m) => !explained(m));
  if (rewritten) {
    const lastHeld = Math.max(0, ...heldSizes.filter((s) => s < rewritten.size));
    problems.push({
      kind: 'chain-rewritten',
      contradicts: ref(rewritten),
      message:
        `the first ${rewritten.size} entries of the chain no longer hash to the head signed at ${rewritten.signedAt}: ` +
        `entries were changed, reordered, inserted or removed and the chain recomputed` +
        ` (between positions ${lastHeld + 1} and ${rewritten.size}, after the last checkpoint that still holds)`,
    });
  }
  const longer = valid.filter((c) => c.size > size).sort(bySigned);
  if (longer.length) {
    const c = longer[0];
    const longest = Math.max(...longer.map((x) => x.size));
    problems.push({
      kind: 'tail-deleted',
      position: size + 1,
      contradicts: ref(c),
      message:
        `the chain holds ${size} entries, but the checkpoint signed at ${c.signedAt} holds ${c.size}` +
        ` (the longest signed holds ${longest}): the last entries were deleted`,
    });
  }

  const queue = await findQueued(ds, valid, o, problems, pageSize);
  const contradicted = new Set([...mismatched, ...longer]).size;
  const latest = [...valid].sort((a, b) => b.size - a.size || b.signedAt.localeCompare(a.signedAt))[0];
  const firsts = problems.map((p) => p.contradicts).filter((c): c is CheckpointRef => c !== null);
  firsts.sort((a, b) => a.signedAt.localeCompare(b.signedAt) || a.size - b.size);
  return {
    entries: size + queue.queued,
    ok: problems.length === 0,
    firstBadEntry: v.firstBadEntry,
    sequenced: size,
    queued: queue.queued,
    late: queue.late,
    checkpoints: { checked: valid.length, contradicted, latest: latest ? { ...ref(latest), head: latest.head } : null },
    contradicts: firsts[0] ?? null,
    problems,
  };
}

interface ChainRow {
  seq: string;
  entry_id: string;
  prev_hash: string;
  hash: string;
  present: boolean;
  at: Date;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  details: unknown;
}

/** The checkpoints signed by the audit key (one of each); the others are reported. */
function checkSignatures(all: SignedCheckpoint[], publicKey: KeyObject | null, problems: AuditProblem[]): SignedCheckpoint[] {
  const seen = new Set<string>();
  const valid: SignedCheckpoint[] = [];
  const keyId = publicKey ? keyIdOf(publicKey) : null;
  let forged = 0;
  for (const c of all) {
    const k = `${c.size}|${c.head}|${c.signedAt}|${c.keyId}|${c.signature}`;
    if (seen.has(k)) continue;
    seen.add(k);
    if (publicKey && checkpointSignatureValid(c, publicKey, keyId as string)) {
      valid.push(c);
      continue;
    }
    forged += 1;
    if (forged > MAX_LISTED) continue;
    problems.push({
      kind: 'checkpoint-forged',
      contradicts: ref(c),
      message: publicKey
        ? `the checkpoint of size ${c.size} signed at ${c.signedAt} does not carry a valid signature of the audit key ` +
          `${(keyId as string).slice(0, 16)}… (it names key ${c.keyId.slice(0, 16)}…)`
        : `the checkpoint of size ${c.size} signed at ${c.signedAt} cannot be checked: no audit public key is configured`,
    });
  }
  return valid;
}

async function entryExists(ds: DataSource, id: string): Promise<boolean> {
  const rows = await ds.query(`SELECT 1 FROM audit_log WHERE id = $1::bigint`, [id]);
  return rows.length > 0;
}

/** Entries in audit_log but not in the chain, a page at a time; the late ones become problems. */
async function findQueued(
  ds: DataSource,
  checkpoints: SignedCheckpoint[],
  o: VerifyOptions,
  problems: AuditProblem[],
  pageSize: number,
): Promise<{ queued: number; late: number }> {
  const sorted = [...checkpoints].sort(bySigned);
  const now = (o.now ?? new Date()).getTime();
  let queued = 0;
  let late = 0;
  let after = '0';
  for (;;) {
    const rows: Array<{ id: string; at: Date }> = await ds.query(
      `SELECT a.id::text AS id, a.at FROM audit_log a
        WHERE a.id > $1::bigint AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.entry_id = a.id)
        ORDER BY a.id LIMIT $2`,
      [after, pageSize],
    );
    for (const r of rows) {
      queued += 1;
      if (o.lateAfterMs === undefined || r.at.getTime() + o.lateAfterMs >= now) continue;
      late += 1;
      if (late > MAX_LISTED) continue;
      const due = new Date(r.at.getTime() + o.lateAfterMs).toISOString();
      const c = sorted.find((x) => x.signedAt > due);
      problems.push({
        kind: 'entry-late',
        entry: r.id,
        contradicts: c ? ref(c) : null,
        message:
          `audit entry ${r.id} of ${r.at.toISOString()} is still not in the chain, past the sequencing delay and its margin ` +
          `(${o.lateAfterMs} ms)` +
          (c
            ? `, although the checkpoint signed at ${c.signedAt} came after it was due`
            : '; no checkpoint was signed since: is a worker running?'),
      });
    }
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1].id;
  }
  return { queued, late };
}
