import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * One entry of the append-only audit trail, as the business transaction wrote it
 * (its id from `audit_log_id_seq`). Its place in the chain is in `audit_chain`.
 */
@Entity('audit_log')
@Index('audit_log_entity_idx', ['entity', 'entityId'])
@Index('audit_log_at_idx', ['at'])
export class AuditEntry {
  @PrimaryColumn('bigint')
  id: string;

  @Column('timestamptz')
  at: Date;

  @Column('text')
  actor: string;

  @Column('text')
  action: string;

  @Column('text')
  entity: string;

  @Column('text', { name: 'entity_id' })
  entityId: string;

  @Column('jsonb', { default: () => "'{}'" })
  details: Record<string, unknown>;

  /** The HTTP request (X-Request-Id) it was written for, by the API or a job that request caused; not in the chained content. */
  @Column('text', { name: 'request_id', nullable: true })
  requestId: string | null;
}

/** An entry committed but not yet linked into the chain (filled by a trigger on audit_log, emptied by the sequencer). */
@Entity('audit_queue')
export class AuditQueueItem {
  @PrimaryColumn('bigint', { name: 'entry_id' })
  entryId: string;
}

/** An entry's place in the hash chain, written by the sequencer only. */
@Entity('audit_chain')
@Unique('audit_chain_entry_id_key', ['entryId'])
export class AuditChainLink {
  /** 1, 2, 3 ...: the chain's size once this entry is in. */
  @PrimaryColumn('bigint')
  seq: string;

  @Column('bigint', { name: 'entry_id' })
  entryId: string;

  @Column('text', { name: 'prev_hash' })
  prevHash: string;

  /** SHA-256 of prev_hash, "\n" and the entry's canonical content. */
  @Column('text')
  hash: string;

  @Column('timestamptz', { name: 'sequenced_at', default: () => 'now()' })
  sequencedAt: Date;
}
