import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ChainVerifier, entryHash, GENESIS_HASH } from './audit-chain';

export interface AuditRecord {
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  details?: Record<string, unknown>;
}

export interface AuditVerification {
  entries: number;
  ok: boolean;
  firstBadEntry: string | null;
}

export interface AuditQuery {
  entity?: string;
  id?: string;
  from?: string;
  to?: string;
  limit?: number;
  afterId?: string;
}

/** Serialises appends so that ids and the hash chain follow one order. */
const AUDIT_LOCK = 7_264_002;

@Injectable()
export class AuditService {
  constructor(private readonly ds: DataSource) {}

  /**
   * Appends an entry inside the caller's transaction (the entry commits or rolls back
   * with the change it records). Holds the audit lock until that transaction ends.
   */
  async append(em: EntityManager, r: AuditRecord): Promise<string> {
    if (!em.queryRunner?.isTransactionActive) {
      return this.ds.transaction((tx) => this.append(tx, r));
    }
    await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const last: Array<{ hash: string }> = await em.query('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
    const prevHash = last[0]?.hash ?? GENESIS_HASH;
    const [{ id }]: Array<{ id: string }> = await em.query(`SELECT nextval('audit_log_id_seq')::text AS id`);
    const at = new Date();
    const details = r.details ?? {};
    const hash = entryHash(prevHash, { id, at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entityId, details });
    await em.query(
      `INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, at, r.actor, r.action, r.entity, r.entityId, JSON.stringify(details), prevHash, hash],
    );
    return id;
  }

  /** Recomputes the whole chain in id order, a page at a time. */
  async verify(pageSize = 5000): Promise<AuditVerification> {
    const v = new ChainVerifier();
    let after = '0';
    for (;;) {
      const rows: Array<{ id: string; at: Date; actor: string; action: string; entity: string; entity_id: string; details: unknown; prev_hash: string; hash: string }> =
        await this.ds.query(
          `SELECT id::text, at, actor, action, entity, entity_id, details, prev_hash, hash
             FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`,
          [after, pageSize],
        );
      for (const r of rows) {
        v.push({ id: r.id, at: r.at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entity_id,
          details: r.details, prevHash: r.prev_hash, hash: r.hash });
      }
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1].id;
    }
    return { entries: v.entries, ok: v.ok, firstBadEntry: v.firstBadEntry };
  }

  async find(q: AuditQuery) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.entity) add('entity = ?', q.entity);
    if (q.id) add('entity_id = ?', q.id);
    if (q.from) add('at >= ?', q.from);
    if (q.to) add('at < ?', q.to);
    if (q.afterId) add('id > ?', q.afterId);
    params.push(Math.min(Math.max(q.limit ?? 100, 1), 1000));
    const rows: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT id::text AS id, at, actor, action, entity, entity_id AS "entityId", details, prev_hash AS "prevHash", hash
         FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id LIMIT $${params.length}`,
      params,
    );
    return rows;
  }
}
