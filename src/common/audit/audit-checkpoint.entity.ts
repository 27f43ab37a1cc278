import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A signed checkpoint of the audit chain (also appended to DATA_DIR/audit/checkpoints.jsonl). */
@Entity('audit_checkpoint')
@Index('audit_checkpoint_size_idx', ['size'])
export class AuditCheckpointRow {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('bigint')
  size: string;

  @Column('text')
  head: string;

  @Column('timestamptz', { name: 'signed_at' })
  signedAt: Date;

  @Column('text', { name: 'key_id' })
  keyId: string;

  @Column('text')
  signature: string;
}

/** The public half of an audit signing key (the private half never reaches the database). */
@Entity('audit_signing_key')
export class AuditSigningKey {
  @PrimaryColumn('text', { name: 'key_id' })
  keyId: string;

  @Column('text')
  algorithm: string;

  @Column('text', { name: 'public_key' })
  publicKey: string;

  @Column('timestamptz', { name: 'first_used_at', default: () => 'now()' })
  firstUsedAt: Date;
}
