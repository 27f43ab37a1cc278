import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A row written in the same transaction as the change it announces; the relay turns it into
 * a job, and relays it again until its consumer marks it consumed (or refuses it for good).
 */
@Entity('outbox')
@Index('outbox_unpublished_idx', ['id'], { where: 'published_at IS NULL' })
@Index('outbox_unconsumed_idx', ['publishedAt'], {
  where: 'consumed_at IS NULL AND failed_at IS NULL AND published_at IS NOT NULL',
})
@Index('outbox_error_idx', ['id'], { where: 'last_error IS NOT NULL' })
@Index('outbox_consumed_idx', ['consumedAt'], { where: 'consumed_at IS NOT NULL' })
export class OutboxMessage {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('text')
  topic: string;

  @Column('jsonb')
  payload: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** When it was last relayed (null: waiting for its first relay). */
  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt: Date | null;

  /** Deliveries so far; the n-th delivery's job id ends in -n. */
  @Column('integer', { default: 0 })
  attempts: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  /** Set by the consumer, in the transaction of its work. */
  @Column('timestamptz', { name: 'consumed_at', nullable: true })
  consumedAt: Date | null;

  /** Refused for good by its consumer (never relayed again). */
  @Column('timestamptz', { name: 'failed_at', nullable: true })
  failedAt: Date | null;
}

/** One random id per database (see the OutboxDelivery migration): part of every outbox job id. */
@Entity('database_identity')
@Check('database_identity_singleton_check', 'singleton')
export class DatabaseIdentity {
  @PrimaryColumn('boolean', { default: true })
  singleton: boolean;

  @Column('text')
  id: string;

  @Column('bigint', { name: 'database_oid' })
  databaseOid: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
