import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Page, paged } from '../database/paged';
import { queryPrepared } from '../database/prepared';
import { Param, SqlParams } from '../database/sql-params';
import { currentRequestId } from '../logging/request-context';
import { AuditEntity } from './audit-entities';
import { AuditTrailReport, VerifyOptions, verifyAuditTrail } from './audit-verification';

export interface AuditRecord {
  actor: string;
  action: string;
  entity: AuditEntity;
  entityId: string;
  details?: Record<string, unknown>;
}

/** A query of the trail, already valid (AuditQuery DTO): `from` included, `to` excluded. */
export interface AuditQuery {
  entity?: AuditEntity;
  id?: string;
  from?: Date;
  to?: Date;
  afterId?: string;
  /** 1-based; 1 unless given. */
  page?: number;
  /** 100 unless given. */
  pageSize?: number;
}

/** An entry as read back, with its place in the chain (null while it is queued). */
export interface AuditEntryView {
  id: string;
  at: Date;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  details: Record<string, unknown>;
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
  /** The HTTP request it was written for (audit_log.request_id), not in the chained content. */
  requestId: string | null;
}

/**
 * A change made in ONE statement with its audit entries (AuditService.withEntry).
 */
export interface ChangeWithEntry {
  /**
   * Common table expressions, comma-separated, from constant SQL: every value goes in through
   * `p`, never into the string. They may modify data. The name `audit_entry` is taken.
   */
  ctes: (p: Param) => string;
  /** The CTE whose rows the statement records (one entry each) and returns, and its column naming the entity. */
  recorded: { cte: string; idColumn: string };
  entry: Omit<AuditRecord, 'entityId'>;
  /**
   * Names the statement, prepared once per connection (queryPrepared): for a hot path run on
   * the DataSource, whose CTEs' text never varies. Ignored inside a transaction.
   */
  prepareAs?: string;
}

const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The head of every insert into the audit log; ids come from audit_log_id_seq. */
const INSERT_AUDIT_LOG = 'INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details, request_id)';

@Injectable()
export class AuditService {
  constructor(private readonly ds: DataSource) {}

  /**
   * Queues an entry inside the caller's transaction: it commits or rolls back with the
   * change it records. A plain INSERT, no lock: the sequencer links it into the chain
   * after the commit (AuditSequencer). Its time is taken here: call it last, just before
   * the commit, so that the time is that of the change.
   */
  async append(em: EntityManager, r: AuditRecord): Promise<string> {
    const [id] = await this.appendMany(em, [r]);
    return id;
  }

  /** Queues several entries in one statement; returns their ids, in the order given. */
  async appendMany(em: EntityManager, records: AuditRecord[]): Promise<string[]> {
    if (!records.length) return [];
    const rows: Array<{ id: string }> = await em.query(
      `WITH input AS MATERIALIZED (
         SELECT nextval('audit_log_id_seq') AS id, u.*
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) WITH ORDINALITY
                AS u(actor, action, entity, entity_id, details, ord)
       ), inserted AS (
         ${INSERT_AUDIT_LOG}
         SELECT id, $1, actor, action, entity, entity_id, details, $7::text FROM input
       )
       SELECT id::text AS id FROM input ORDER BY ord`,
      [
        new Date(),
        records.map((r) => r.actor),
        records.map((r) => r.action),
        records.map((r) => r.entity),
        records.map((r) => r.entityId),
        records.map((r) => JSON.stringify(r.details ?? {})),
        currentRequestId() ?? null,
      ],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Makes a change and queues its entries in one statement, outside any explicit
   * transaction: one round trip instead of BEGIN, change, entry, COMMIT, for a hot path such
   * as order creation. The statement is atomic: a failing part (a unique violation) leaves
   * neither the change nor the entry. Returns the recorded CTE's rows.
   */
  async withEntry<T>(q: EntityManager | DataSource, c: ChangeWithEntry): Promise<T[]> {
    const { cte, idColumn } = c.recorded;
    if (!SQL_NAME.test(cte) || !SQL_NAME.test(idColumn) || cte === 'audit_entry') {
      throw new Error(`withEntry: "${cte}"."${idColumn}" is not a plain SQL name of the caller's`);
    }
    const { p, values } = new SqlParams();
    const ctes = c.ctes(p);
    const text = `WITH ${ctes},
       audit_entry AS (
         ${INSERT_AUDIT_LOG}
         SELECT nextval('audit_log_id_seq'), ${p(new Date())}, ${p(c.entry.actor)}, ${p(c.entry.action)}, ${p(c.entry.entity)},
                r."${idColumn}"::text, ${p(JSON.stringify(c.entry.details ?? {}))}::jsonb, ${p(currentRequestId() ?? null)}::text
           FROM ${cte} r
       )
       SELECT * FROM ${cte}`;
    return c.prepareAs && q instanceof DataSource ? queryPrepared<T>(q, c.prepareAs, text, values) : q.query(text, values);
  }

  /** Recomputes the chain (a page at a time) and holds it to the checkpoints given (see verifyAuditTrail). */
  verify(o: VerifyOptions = {}): Promise<AuditTrailReport> {
    return verifyAuditTrail(this.ds, o);
  }

  /**
   * One page of the entries matching `q` (by id, oldest first), each with its place in the
   * chain once sequenced (seq, prevHash, hash; null before), and how many match.
   */
  async list(q: AuditQuery): Promise<Page<AuditEntryView>> {
    const found = await paged<Omit<AuditEntryView, 'seq'> & { seq: string | null }>(this.ds, {
      select: `a.id::text AS id, a.at, a.actor, a.action, a.entity, a.entity_id AS "entityId", a.details,
               c.seq::text AS seq, c.prev_hash AS "prevHash", c.hash, a.request_id AS "requestId"`,
      from: 'audit_log a LEFT JOIN audit_chain c ON c.entry_id = a.id',
      where: (p) => auditFilter(q, p),
      orderBy: 'a.id',
      deeperHint: '(or go on from the last entry seen with after=<its id>)',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 100,
    });
    return { ...found, items: found.items.map((r) => ({ ...r, seq: r.seq === null ? null : Number(r.seq) })) };
  }

  /**
   * The entries of `actions` about the rows `entityIds` of `entity`, oldest first (by time, then
   * id): the recorded steps of a few rows' lives (a card's, an order's), read through the
   * (entity, entity_id) index. Details come whole: the caller keeps what it shows.
   */
  async history(
    entity: AuditEntity,
    entityIds: string[],
    actions: readonly string[],
  ): Promise<Array<{ entityId: string; action: string; at: Date; actor: string; details: Record<string, unknown> }>> {
    if (!entityIds.length || !actions.length) return [];
    return this.ds.query(
      `SELECT entity_id AS "entityId", action, at, actor, details FROM audit_log
        WHERE entity = $1 AND entity_id = ANY($2::text[]) AND action = ANY($3::text[]) ORDER BY at, id`,
      [entity, entityIds, [...actions]],
    );
  }

  /** The chain's length and head, and how many entries wait to be linked. */
  async chainState(): Promise<{ size: number; head: string | null; queued: number }> {
    const [r] = await this.ds.query(
      `SELECT (SELECT c.seq::text FROM audit_chain c ORDER BY c.seq DESC LIMIT 1) AS size,
              (SELECT c.hash FROM audit_chain c ORDER BY c.seq DESC LIMIT 1) AS head,
              (SELECT count(*)::int FROM audit_queue) AS queued`,
    );
    return { size: Number(r.size ?? 0), head: r.head, queued: r.queued };
  }
}

/** The WHERE clause of a query of the trail (its values added with `p`). */
function auditFilter(q: AuditQuery, p: Param): string {
  const where: string[] = [];
  if (q.entity) where.push(`a.entity = ${p(q.entity)}`);
  if (q.id) where.push(`a.entity_id = ${p(q.id)}`);
  if (q.from) where.push(`a.at >= ${p(q.from)}`);
  if (q.to) where.push(`a.at < ${p(q.to)}`);
  if (q.afterId) where.push(`a.id > ${p(q.afterId)}::bigint`);
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}
