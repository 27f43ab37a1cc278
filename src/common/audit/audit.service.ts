import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ChainVerifier, entryHash } from './audit-chain';

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

@Injectable()
export class AuditService {
  constructor(private readonly ds: DataSource) {}

  /**
   * Appends an entry inside the caller's transaction (the entry commits or rolls back
   * with the change it records). Holds the audit lock until that transaction ends: call
   * it last, just before the commit (see appendMany).
   */
  async append(em: EntityManager, r: AuditRecord): Promise<string> {
    const [id] = await this.appendMany(em, [r]);
    return id;
  }

  /** Appends several entries in one go: one round trip takes the lock and the ids, one inserts. */
  async appendMany(em: EntityManager, records: AuditRecord[]): Promise<string[]> {
    if (!records.length) return [];
    if (!em.queryRunner?.isTransactionActive) {
      return this.ds.transaction((tx) => this.appendMany(tx, records));
    }
    const [{ prev_hash: first, ids }]: Array<{ prev_hash: string; ids: string[] }> = await em.query(
      `SELECT prev_hash, ids::text[] AS ids FROM audit_chain_next($1)`,
      [records.length],
    );
    let prevHash = first;
    const at = new Date();
    const rows = records.map((r, i) => {
      const id = String(ids[i]);
      const details = r.details ?? {};
      const hash = entryHash(prevHash, { id, at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entityId, details });
      const row = [id, r.actor, r.action, r.entity, r.entityId, JSON.stringify(details), prevHash, hash];
      prevHash = hash;
      return row;
    });
    const col = (k: number) => rows.map((row) => row[k]);
    await em.query(
      `INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details, prev_hash, hash)
       SELECT id, $1, actor, action, entity, entity_id, details::jsonb, prev_hash, hash
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
              AS x(id, actor, action, entity, entity_id, details, prev_hash, hash)
        ORDER BY id`,
      [at, col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7)],
    );
    return rows.map((r) => r[0]);
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
