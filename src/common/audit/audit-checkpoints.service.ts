import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { parseCheckpoint, SignedCheckpoint } from './audit-chain';
import { AuditCheckpointSigner } from './audit-checkpoint.signer';

/** A checkpoint as the table holds it (its id pages the list). */
export interface StoredCheckpoint extends SignedCheckpoint {
  id: string;
}

export interface CheckpointFile {
  path: string;
  checkpoints: SignedCheckpoint[];
  /** lines that are not a checkpoint: "line N: why" */
  unreadable: string[];
}

const ROW = `id::text AS id, size::text AS size, head, signed_at AS "signedAt", key_id AS "keyId", signature`;

function fromRow(r: { id: string; size: string; head: string; signedAt: Date; keyId: string; signature: string }): StoredCheckpoint {
  return { id: r.id, size: Number(r.size), head: r.head, signedAt: r.signedAt.toISOString(), keyId: r.keyId, signature: r.signature };
}

/**
 * Where signed checkpoints are kept: appended (and fsync'd) to
 * `DATA_DIR/audit/checkpoints.jsonl`, one JSON object a line, outside the database; and
 * in the `audit_checkpoint` table, for the API and for other hosts. The file is what an
 * auditor trusts; the table's copies are only believed with a valid signature.
 */
@Injectable()
export class AuditCheckpoints {
  private appending: Promise<unknown> = Promise.resolve();
  private keysRecorded = new Set<string>();

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  get filePath(): string {
    return path.resolve(this.cfg.DATA_DIR, 'audit', 'checkpoints.jsonl');
  }

  /** Appends a checkpoint to the file (durably), then to the table. */
  async record(signer: AuditCheckpointSigner, cp: SignedCheckpoint): Promise<void> {
    const line = `${JSON.stringify({ size: cp.size, head: cp.head, signedAt: cp.signedAt, keyId: cp.keyId, signature: cp.signature })}\n`;
    const append = this.appending.then(() => this.appendLine(line));
    this.appending = append.catch(() => undefined);
    await append;
    if (!this.keysRecorded.has(signer.keyId)) {
      await this.ds.query(
        `INSERT INTO audit_signing_key (key_id, algorithm, public_key) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING`,
        [signer.keyId, signer.algorithm, signer.publicKeyPem],
      );
      this.keysRecorded.add(signer.keyId);
    }
    await this.ds.query(`INSERT INTO audit_checkpoint (size, head, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`, [
      cp.size,
      cp.head,
      cp.signedAt,
      cp.keyId,
      cp.signature,
    ]);
  }

  private async appendLine(line: string): Promise<void> {
    const file = this.filePath;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const fh = await fs.open(file, 'a', 0o644);
    try {
      await fh.write(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** Every checkpoint of a checkpoints file (the configured one by default); a missing file has none. */
  async readFile(file = this.filePath): Promise<CheckpointFile> {
    const out: CheckpointFile = { path: file, checkpoints: [], unreadable: [] };
    try {
      await fs.access(file);
    } catch {
      return out;
    }
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
    let n = 0;
    for await (const line of lines) {
      n += 1;
      if (!line.trim()) continue;
      try {
        out.checkpoints.push(parseCheckpoint(line));
      } catch (e) {
        out.unreadable.push(`line ${n}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  /** Every checkpoint of the table, in the order they were stored. */
  async all(pageSize = 10_000): Promise<StoredCheckpoint[]> {
    const out: StoredCheckpoint[] = [];
    let after = '0';
    for (;;) {
      const rows = await this.ds.query(`SELECT ${ROW} FROM audit_checkpoint c WHERE c.id > $1::bigint ORDER BY c.id LIMIT $2`, [
        after,
        pageSize,
      ]);
      for (const r of rows) out.push(fromRow(r));
      if (rows.length < pageSize) return out;
      after = rows[rows.length - 1].id;
    }
  }

  /** A page of the table, oldest first. */
  async list(afterId: string | undefined, limit: number): Promise<StoredCheckpoint[]> {
    const rows = await this.ds.query(`SELECT ${ROW} FROM audit_checkpoint c WHERE c.id > $1::bigint ORDER BY c.id LIMIT $2`, [
      afterId ?? '0',
      limit,
    ]);
    return rows.map(fromRow);
  }

  /** The checkpoint of the longest chain (the latest signed among equals). */
  async latest(): Promise<StoredCheckpoint | null> {
    const rows = await this.ds.query(`SELECT ${ROW} FROM audit_checkpoint c ORDER BY c.size DESC, c.signed_at DESC LIMIT 1`);
    return rows.length ? fromRow(rows[0]) : null;
  }

  /** The size of the longest chain signed so far (-1 when none was). */
  async maxSignedSize(): Promise<number> {
    const [{ size }] = await this.ds.query(`SELECT coalesce(max(size), -1)::text AS size FROM audit_checkpoint`);
    return Number(size);
  }

  /** The public keys checkpoints were signed with (as the signers recorded them). */
  async keys(): Promise<Array<{ keyId: string; algorithm: string; publicKey: string; firstUsedAt: Date }>> {
    return this.ds.query(
      `SELECT key_id AS "keyId", algorithm, public_key AS "publicKey", first_used_at AS "firstUsedAt" FROM audit_signing_key ORDER BY first_used_at`,
    );
  }
}
