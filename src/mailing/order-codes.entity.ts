import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CardOrder } from '../orders/card-order.entity';

/**
 * The sealed codes of an order (the vault; see code-seal.ts and code-vault.service.ts): the
 * data key wrapped by master key `keyId`, and the codes encrypted under that data key.
 * Nothing in a row is a code or a key in clear.
 */
@Entity('order_codes')
@Check('order_codes_key_id_check', `key_id ~ '^[A-Za-z0-9._-]{1,64}$'`)
@Check('order_codes_iv_check', `octet_length(wrap_iv) = 12 AND octet_length(codes_iv) = 12`)
@Index('order_codes_key_id_idx', ['keyId'])
export class OrderCodes {
  @PrimaryColumn('uuid', { name: 'order_id', primaryKeyConstraintName: 'order_codes_pkey' }) orderId: string;

  @ManyToOne(() => CardOrder)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_codes_order_id_fkey' })
  order: CardOrder;

  @Column('text', { name: 'key_id' }) keyId: string;
  @Column('bytea', { name: 'wrapped_key' }) wrappedKey: Buffer;
  @Column('bytea', { name: 'wrap_iv' }) wrapIv: Buffer;
  @Column('bytea', { name: 'sealed_codes' }) sealedCodes: Buffer;
  @Column('bytea', { name: 'codes_iv' }) codesIv: Buffer;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  /** When its data key was last wrapped under another master key (vault:rotate). */
  @Column('timestamptz', { name: 'rewrapped_at', nullable: true }) rewrappedAt: Date | null;
}
