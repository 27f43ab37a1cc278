import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { entryHash, GENESIS_HASH, SignedCheckpoint } from './audit-chain';
import { AuditCheckpointSigner, loadAuditSigner } from './audit-checkpoint.signer';
import { AuditCheckpoints } from './audit-checkpoints.service';

/** Held (per transaction) by whichever process is integrating queued entries. */
export const AUDIT_SEQUENCER_LOCK = 7_264_003;
const BATCH = 5000;

export interface ChainState {
  size: number;
  head: string;
  /** entries linked by this call */
  integrated: number;
}

interface QueuedRow {
  queued: string;
  id: string | null;
  at: Date;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  details: unknown;
  chained: boolean;
}

/**
 * The audit trail's sequencer (Certificate Transparency's model): business transactions
 * only queue their entries; this links the queued entries into the hash chain, in the
 * order it finds them committed (by id among those queued: an entry whose transaction
 * commits late simply gets a later position), then signs a checkpoint of the chain.
 *
 * One process at a time integrates: each round runs in a transaction that first takes
 * the advisory lock AUDIT_SEQUENCER_LOCK with pg_try_advisory_xact_lock; a worker that
 * does not get it skips the round, so several workers stand by for each other and none
 * waits (a worker that dies mid-round releases the lock with its transaction). Rounds run
 * every AUDIT_SEQUENCE_INTERVAL_MS / 2, so an entry is signed within the interval.
 *
 * The signing key is loaded on first use: the API, which never sequences, never reads it.
 */
@Injectable()
export class AuditSequencer implements OnApplicationShutdown {
  private readonly log = new Logger('AuditSequencer');
  private signer: Promise<AuditCheckpointSigner> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private current: Promise<unknown> = Promise.resolve();
  private lastSignedSize: number | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly checkpoints: AuditCheckpoints,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /** Loads the signing key (failing here, at start-up, when it is unusable), then runs rounds until stop(). */
  async start(): Promise<void> {
    const signer = await this.loadSigner();
    this.stopped = false;
    const period = Math.max(10, Math.floor(this.cfg.AUDIT_SEQUENCE_INTERVAL_MS / 2));
    const tick = async (): Promise<void> => {
      if (this.stopped) return;
      const t0 = Date.now();
      this.current = this.round().catch((e) => this.log.error(`audit sequencing round failed: ${(e as Error).message}`));
      await this.current;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), Math.max(0, period - (Date.now() - t0)));
    };
    this.log.log(`audit sequencer started: a round every ${period} ms, checkpoints signed with key ${signer.keyId.slice(0, 16)}…`);
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /**
   * One round: integrates what is queued unless another process is doing so, and signs a
   * checkpoint when the chain is longer than the last one signed. Returns that checkpoint.
   */
  async round(): Promise<SignedCheckpoint | null> {
    const [probe] = await this.ds.query(
      `SELECT EXISTS (SELECT 1 FROM audit_queue) AS queued, (SELECT c.seq::text FROM audit_chain c ORDER BY c.seq DESC LIMIT 1) AS size`,
    );
    const size = Number(probe.size ?? 0);
    // Another worker may have signed meanwhile: read what was signed before signing the same size again.
    if (this.lastSignedSize === null || (!probe.queued && size > this.lastSignedSize)) {
      this.lastSignedSize = await this.checkpoints.maxSignedSize();
    }
    if (!probe.queued && size <= this.lastSignedSize) return null;
    const state = await this.integrate(false);
    if (!state || state.size <= this.lastSignedSize) return null;
    return this.sign(state);
  }

  /** audit:checkpoint: waits for the lock, integrates everything queued, and signs a checkpoint now. */
  async checkpointNow(): Promise<SignedCheckpoint & { integrated: number }> {
    const state = await this.integrate(true);
    if (!state) throw new Error('the audit sequencer lock was not granted');
    return { ...(await this.sign(state)), integrated: state.integrated };
  }

  /**
   * Links queued entries into the chain, a batch per transaction, until none is left.
   * With wait=false, returns null when another process holds the lock.
   */
  async integrate(wait: boolean): Promise<ChainState | null> {
    let integrated = 0;
    for (;;) {
      const r = await this.ds.transaction((em) => this.integrateBatch(em, wait));
      if (!r) return null;
      integrated += r.integrated;
      if (!r.more) return { size: r.size, head: r.head, integrated };
    }
  }

  private async integrateBatch(em: EntityManager, wait: boolean): Promise<(ChainState & { more: boolean }) | null> {
    if (wait) {
      await em.query(`SET LOCAL lock_timeout = '60s'`);
      await em.query(`SELECT pg_advisory_xact_lock($1)`, [AUDIT_SEQUENCER_LOCK]);
    } else {
      const [{ got }] = await em.query(`SELECT pg_try_advisory_xact_lock($1) AS got`, [AUDIT_SEQUENCER_LOCK]);
      if (!got) return null;
    }
    const last: Array<{ seq: string; hash: string }> = await em.query(
      `SELECT c.seq::text AS seq, c.hash FROM audit_chain c ORDER BY c.seq DESC LIMIT 1`,
    );
    let size = last.length ? Number(last[0].seq) : 0;
    let head = last.length ? last[0].hash : GENESIS_HASH;
    const rows: QueuedRow[] = await em.query(
      `SELECT q.entry_id::text AS queued, a.id::text AS id, a.at, a.actor, a.action, a.entity, a.entity_id, a.details,
              EXISTS (SELECT 1 FROM audit_chain c WHERE c.entry_id = q.entry_id) AS chained
         FROM audit_queue q LEFT JOIN audit_log a ON a.id = q.entry_id
        ORDER BY q.entry_id LIMIT $1`,
      [BATCH],
    );
    const seqs: number[] = [];
    const ids: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const r of rows) {
      if (r.id === null || r.chained) continue; // a queue row without its entry, or already linked: dropped below
      const hash = entryHash(head, {
        at: r.at,
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        details: r.details,
      });
      size += 1;
      seqs.push(size);
      ids.push(r.id);
      prevs.push(head);
      hashes.push(hash);
      head = hash;
    }
    if (ids.length) {
      await em.query(
        `INSERT INTO audit_chain (seq, entry_id, prev_hash, hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])`,
        [seqs, ids, prevs, hashes],
      );
    }
    if (rows.length) {
      await em.query(`DELETE FROM audit_queue WHERE entry_id = ANY($1::bigint[])`, [rows.map((r) => r.queued)]);
    }
    return { size, head, integrated: ids.length, more: rows.length === BATCH };
  }

  private async sign(state: ChainState): Promise<SignedCheckpoint> {
    const signer = await this.loadSigner();
    const cp = signer.sign({ size: state.size, head: state.head, signedAt: new Date().toISOString() });
    await this.checkpoints.record(signer, cp);
    this.lastSignedSize = Math.max(this.lastSignedSize ?? -1, cp.size);
    return cp;
  }

  private loadSigner(): Promise<AuditCheckpointSigner> {
    this.signer ??= loadAuditSigner({
      keyFile: this.cfg.AUDIT_SIGNING_KEY_FILE,
      dataDir: this.cfg.DATA_DIR,
      profile: this.cfg.NODE_ENV,
    }).then((r) => {
      if (r.generated) this.log.warn(`generated a development audit signing key (${r.signer.origin})`);
      return r.signer;
    });
    this.signer.catch(() => {
      this.signer = null;
    });
    return this.signer;
  }
}
