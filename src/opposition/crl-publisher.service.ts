import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource, QueryRunner } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { allowLongStatements } from '../common/database/data-source.factory';
import { addDays } from '../orders/validity';
import { buildCrl, CRL_REASON_CODES, encodeRevokedEntry, OppositionReason, REASONS_WITH_INVALIDITY_DATE } from './crl-encoder';
import { CRL_SIGNER, CrlSignerSource } from './crl-signer';
import { CrlKind, CrlPublicationView, CrlStore, PUBLICATION_COLUMNS } from './crl-store.service';
import { OPPOSITION_WRITE_LOCK } from './oppositions.service';

export type { CrlKind, CrlPublicationView } from './crl-store.service';

export interface PublishResult extends CrlPublicationView {
  /** Set when nothing was published (a delta with nothing new); the fields describe the current CRL. */
  skipped?: string;
  seconds: number;
}

/** One publication at a time (full and delta share the CRL number sequence). */
const CRL_PUBLISH_LOCK = 7_264_031;
export const CRL_DIR = 'crl';
const KEEP_FULL_CRLS = 2;

/**
 * Builds, signs, writes and records CRLs (in PostgreSQL, bytes included, and as a file
 * under DATA_DIR/crl/). Provided only where CRLs are signed (CrlSigningModule: the worker
 * and the CLI), never in the HTTP API, which serves them from the database (CrlCache). A full CRL lists every opposition up to its
 * watermark whose card is not past its end of validity plus the grace period; a delta
 * CRL lists the oppositions after its base's watermark (RFC 5280 §5.2.4). Entries are
 * streamed from the database (COPY) and encoded as they come; the signature is computed
 * on the thread pool. Each full CRL is followed by an empty delta naming it, so that
 * /opposition/delta-crl always matches /opposition/crl.
 */
@Injectable()
export class CrlPublisher {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly store: CrlStore,
    @Inject(CRL_SIGNER) private readonly signers: CrlSignerSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** `crl:publish` and the daily job: a full CRL (and its empty delta). */
  async publishFull(actor: string): Promise<PublishResult> {
    const full = await this.publish('full', actor);
    await this.publish('delta', actor);
    return full;
  }

  /** The debounced job after oppositions: a delta CRL, unless nothing was opposed since the last CRL. */
  async publishDelta(actor: string): Promise<PublishResult> {
    return this.publish('delta', actor);
  }

  /** The CRL currently served of a kind (see CrlStore.current). */
  current(kind: CrlKind): Promise<CrlPublicationView | null> {
    return this.store.current(kind);
  }

  /**
   * Whether a full CRL is in the database for the APIs to serve, published less than `maxAgeHours` ago (the worker
   * publishes one at start, or when it re-creates the daily schedule, otherwise: see CrlFullHandler.schedule).
   */
  hasFreshStoredFull(maxAgeHours: number): Promise<boolean> {
    return this.store.currentFullIsStoredAndFresh(maxAgeHours);
  }

  private async publish(kind: CrlKind, actor: string): Promise<PublishResult> {
    const started = Date.now();
    const signer = await this.signers.get();
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    const restoreTimeout = await allowLongStatements(qr);
    let locked = false;
    try {
      await qr.query(`SELECT pg_advisory_lock($1)`, [CRL_PUBLISH_LOCK]);
      locked = true;
      const watermark = await this.watermark(qr);
      const [last]: CrlPublicationView[] & Array<{ watermark: string }> = await qr.query(
        `SELECT ${PUBLICATION_COLUMNS}, watermark::text AS watermark FROM crl_publication ORDER BY crl_number DESC LIMIT 1`,
      );
      const [base]: Array<{ crlNumber: string; watermark: string }> = await qr.query(
        `SELECT crl_number::text AS "crlNumber", watermark::text AS watermark FROM crl_publication
          WHERE kind = 'full' ORDER BY crl_number DESC LIMIT 1`,
      );
      if (kind === 'delta' && !base) kind = 'full'; // a delta needs a base
      if (kind === 'delta' && last && last.kind === 'delta' && last.baseCrlNumber === base.crlNumber && last.watermark === watermark) {
        const { watermark: _w, ...view } = last;
        return { ...view, skipped: 'nothing opposed since the last delta CRL', seconds: 0 };
      }
      const crlNumber = BigInt(last?.crlNumber ?? '0') + 1n;
      const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000);
      const nextUpdate = new Date(thisUpdate.getTime() + this.cfg.CRL_NEXT_UPDATE_HOURS * 3600_000);
      // thisUpdate is the real time (relying parties compare it with theirs); which expired cards
      // stay listed is a business date, from the one clock.
      const keepFrom = addDays(this.clock.today(), -this.cfg.CRL_EXPIRED_GRACE_DAYS);
      const range = kind === 'full' ? `id <= ${watermark}` : `id > ${BigInt(base.watermark)} AND id <= ${watermark}`;

      const counter = { entries: 0 };
      const der = await buildCrl({
        issuerDer: signer.issuerNameDer,
        authorityKeyIdentifier: signer.authorityKeyIdentifier,
        thisUpdate,
        nextUpdate,
        crlNumber,
        deltaBaseCrlNumber: kind === 'delta' ? BigInt(base.crlNumber) : undefined,
        entries: this.entries(qr, `${range} AND valid_until >= '${keepFrom}'::date`, counter),
        sign: (tbs) => signer.sign(tbs),
        signatureAlgorithmDer: signer.signatureAlgorithmDer,
      });
      const sha256 = createHash('sha256').update(der).digest('hex');
      const relPath = path.join(CRL_DIR, `${kind}-${String(crlNumber).padStart(8, '0')}.crl`);
      await writeAtomically(path.resolve(this.cfg.DATA_DIR, relPath), der);

      await qr.startTransaction();
      try {
        await this.store.insert(
          qr.manager,
          {
            crlNumber: String(crlNumber),
            kind,
            baseCrlNumber: kind === 'delta' ? base.crlNumber : null,
            watermark,
            thisUpdate,
            nextUpdate,
            entries: counter.entries,
            bytes: der.length,
            path: relPath,
            sha256,
            publishedBy: actor,
            issuerCertificatePem: signer.issuerCertificatePem,
          },
          der,
        );
        await this.audit.append(qr.manager, {
          actor,
          action: `crl.publish-${kind}`,
          entity: 'crl',
          entityId: String(crlNumber),
          details: {
            baseCrlNumber: kind === 'delta' ? base.crlNumber : null,
            watermark,
            entries: counter.entries,
            sha256,
            path: relPath,
            thisUpdate: thisUpdate.toISOString(),
            nextUpdate: nextUpdate.toISOString(),
          },
        });
        await qr.commitTransaction();
      } catch (e) {
        await qr.rollbackTransaction();
        throw e;
      }
      if (kind === 'full') await this.prune(crlNumber).catch(() => undefined);
      return {
        crlNumber: String(crlNumber),
        kind,
        baseCrlNumber: kind === 'delta' ? base.crlNumber : null,
        entries: counter.entries,
        thisUpdate,
        nextUpdate,
        path: relPath,
        sha256,
        bytes: der.length,
        seconds: (Date.now() - started) / 1000,
      };
    } finally {
      if (locked) await qr.query(`SELECT pg_advisory_unlock($1)`, [CRL_PUBLISH_LOCK]).catch(() => undefined);
      await restoreTimeout();
      await qr.release();
    }
  }

  /**
   * The highest opposition id, read under the writers' lock taken exclusively for that
   * instant: every id up to it is then committed (see OPPOSITION_WRITE_LOCK).
   */
  private async watermark(qr: QueryRunner): Promise<string> {
    await qr.query(`SELECT pg_advisory_lock($1)`, [OPPOSITION_WRITE_LOCK]);
    try {
      const [{ w }] = await qr.query(`SELECT COALESCE(max(id), 0)::text AS w FROM opposition`);
      return w;
    } finally {
      await qr.query(`SELECT pg_advisory_unlock($1)`, [OPPOSITION_WRITE_LOCK]);
    }
  }

  /** The entries, streamed with COPY and encoded a chunk at a time (one Buffer per chunk). */
  private async *entries(qr: QueryRunner, where: string, counter: { entries: number }): AsyncGenerator<Buffer> {
    const client = (qr as unknown as { databaseConnection: PoolClient }).databaseConnection;
    const stream = client.query(
      copyTo(
        `COPY (SELECT card_number, reason, extract(epoch FROM opposed_at)::bigint, extract(epoch FROM invalidity_date)::bigint
               FROM opposition WHERE ${where}) TO STDOUT`,
      ),
    );
    let rest = '';
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = rest + chunk.toString('latin1');
      const end = text.lastIndexOf('\n');
      rest = text.slice(end + 1);
      if (end < 0) continue;
      const encoded: Buffer[] = [];
      let lineStart = 0;
      while (lineStart < end) {
        const nl = text.indexOf('\n', lineStart);
        encoded.push(encodeLine(text.slice(lineStart, nl)));
        lineStart = nl + 1;
      }
      counter.entries += encoded.length;
      yield encoded.length === 1 ? encoded[0] : Buffer.concat(encoded);
    }
    if (rest) throw new Error('CRL entries: COPY output ended in the middle of a line');
  }

  /** Removes the bytes (in the database) and the files of CRLs older than the previous full CRL (their rows stay). */
  private async prune(current: bigint): Promise<void> {
    const fulls: Array<{ n: string }> = await this.ds.query(
      `SELECT crl_number::text AS n FROM crl_publication WHERE kind = 'full' ORDER BY crl_number DESC LIMIT $1`,
      [KEEP_FULL_CRLS],
    );
    const oldestKept = BigInt(fulls[fulls.length - 1]?.n ?? String(current));
    await this.store.dropBytesBefore(String(oldestKept));
    const dir = path.resolve(this.cfg.DATA_DIR, CRL_DIR);
    for (const f of await fs.readdir(dir)) {
      const m = /^(?:full|delta)-(\d+)\.crl$/.exec(f);
      if (m && BigInt(m[1]) < oldestKept) await fs.rm(path.join(dir, f), { force: true });
    }
  }
}

/** One COPY line (card number, reason, opposed at, invalidity date) → the DER entry. */
function encodeLine(line: string): Buffer {
  const [serial, reason, opposedAt, invalidity] = line.split('\t');
  const r = reason === '\\N' ? null : (reason as OppositionReason);
  return encodeRevokedEntry({
    serial,
    revokedAt: new Date(Number(opposedAt) * 1000),
    reason: r ? CRL_REASON_CODES[r] : undefined,
    invalidityDate: r && invalidity !== '\\N' && REASONS_WITH_INVALIDITY_DATE.includes(r) ? new Date(Number(invalidity) * 1000) : undefined,
  });
}

async function writeAtomically(file: string, data: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}
