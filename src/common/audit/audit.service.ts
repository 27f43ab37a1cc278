import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ChainVerifier, canonicalContent } from './audit-chain';

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

  /** Appends several entries in one round trip (the database chains them under its lock). */
  async appendMany(em: EntityManager, records: AuditRecord[]): Promise<string[]> {
    if (!records.length) return [];
    if (!em.queryRunner?.isTransactionActive) {
      return this.ds.transaction((tx) => this.appendMany(tx, records));
    }
    const at = new Date();
    const details = records.map((r) => r.details ?? {});
    const [{ ids }]: Array<{ ids: string[] }> = await em.query(`SELECT audit_append($1, $2, $3, $4, $5, $6::jsonb[], $7)::text[] AS ids`, [
      at,
      records.map((r) => r.actor),
      records.map((r) => r.action),
      records.map((r) => r.entity),
      records.map((r) => r.entityId),
      details.map((d) => JSON.stringify(d)),
      records.map((r, i) =>
        canonicalContent({ at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entityId, details: details[i] }),
      ),
    ]);
    return ids;
  }

  /** Recomputes the whole chain in id order, a page at a time. */
  async verify(pageSize = 5000): Promise<AuditVerification> {
    const v = new ChainVerifier();
    let after = '0';
    for (;;) {
      const rows: Array<{
        id: string;
        at: Date;
        actor: string;
        action: string;
        entity: string;
        entity_id: string;
        details: unknown;
        prev_hash: string;
        hash: string;
      }> = await this.ds.query(
        `SELECT id::text, at, actor, action, entity, entity_id, details, prev_hash, hash
             FROM audit_log WHERE audit_log.id > $1::bigint ORDER BY audit_log.id LIMIT $2`,
        [after, pageSize],
      );
      for (const r of rows) {
        v.push({
          id: r.id,
          at: r.at,
          actor: r.actor,
          action: r.action,
          entity: r.entity,
          entityId: r.entity_id,
          details: r.details,
          prevHash: r.prev_hash,
          hash: r.hash,
        });
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
    if (q.afterId) add('audit_log.id > ?::bigint', q.afterId);
    params.push(Math.min(Math.max(q.limit ?? 100, 1), 1000));
    const rows: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT id::text AS id, at, actor, action, entity, entity_id AS "entityId", details, prev_hash AS "prevHash", hash
         FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY audit_log.id LIMIT $${params.length}`,
      params,
    );
    return rows;
  }
}
