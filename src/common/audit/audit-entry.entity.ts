import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One entry of the append-only, hash-chained audit trail. */
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

  @Column('text', { name: 'prev_hash' })
  prevHash: string;

  @Column('text', { unique: true })
  hash: string;
}
