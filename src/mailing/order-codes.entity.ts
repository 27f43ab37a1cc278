import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CardOrder } from '../orders/card-order.entity';

/**
 * The sealed codes of an order (the vault; see code-seal.ts and code-vault.service.ts): the
 * data key wrapped by master key `keyId`, and the codes encrypted under that data key.
 * Nothing in a row is a code or a key in clear. Destroyed codes keep their row, everything
 * sealed erased, with when and why (a reprint asked too late is told so).
 */
@Entity('order_codes')
@Check('order_codes_key_id_check', `key_id ~ '^[A-Za-z0-9._-]{1,64}$'`)
@Check('order_codes_iv_check', `destroyed_at IS NOT NULL OR (octet_length(wrap_iv) = 12 AND octet_length(codes_iv) = 12)`)
@Check(
  'order_codes_destroyed_check',
  `(destroyed_at IS NULL) = (sealed_codes IS NOT NULL) AND (destroyed_at IS NULL) = (wrapped_key IS NOT NULL) AND (destroyed_at IS NULL) = (key_id IS NOT NULL) AND (destroyed_at IS NULL) = (destroyed_reason IS NULL)`,
)
@Index('order_codes_key_id_idx', ['keyId'])
@Index('order_codes_kept_idx', ['orderId'], { where: 'destroyed_at IS NULL' })
export class OrderCodes {
  @PrimaryColumn('uuid', { name: 'order_id', primaryKeyConstraintName: 'order_codes_pkey' }) orderId: string;

  @ManyToOne(() => CardOrder)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_codes_order_id_fkey' })
  order: CardOrder;

  @Column('text', { name: 'key_id', nullable: true }) keyId: string | null;
  @Column('bytea', { name: 'wrapped_key', nullable: true }) wrappedKey: Buffer | null;
  @Column('bytea', { name: 'wrap_iv', nullable: true }) wrapIv: Buffer | null;
  @Column('bytea', { name: 'sealed_codes', nullable: true }) sealedCodes: Buffer | null;
  @Column('bytea', { name: 'codes_iv', nullable: true }) codesIv: Buffer | null;
  /** When the codes were erased (their PIN letter printed and the reprint window passed, or the card opposed). */
  @Column('timestamptz', { name: 'destroyed_at', nullable: true }) destroyedAt: Date | null;
  @Column('text', { name: 'destroyed_reason', nullable: true }) destroyedReason: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  /** When its data key was last wrapped under another master key (vault:rotate). */
  @Column('timestamptz', { name: 'rewrapped_at', nullable: true }) rewrappedAt: Date | null;
}
