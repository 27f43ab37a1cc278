import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CardOrder } from './card-order.entity';

/** A card: the one personalized from an order, or one brought in by cards:import. */
@Entity('card')
@Check('card_card_type_check', `card_type IN ('CPS','CPF','CPE','CPA')`)
@Check('card_state_check', `state IN ('personalized','sent','active','opposed')`)
@Check('card_source_check', `source IN ('order','import')`)
@Check('card_validity_check', `valid_until >= valid_from`)
@Index('card_one_active_idx', ['nationalId', 'professionCode', 'cardType'], { unique: true, where: `state = 'active'` })
@Index('card_holder_idx', ['nationalId', 'professionCode', 'cardType', 'validUntil'])
@Index('card_valid_until_idx', ['validUntil'], { where: `state <> 'opposed'` })
@Index('card_chip_serial_idx', ['chipSerial'], { unique: true, where: `chip_serial IS NOT NULL` })
@Index('card_from_order_unique_idx', ['orderId'], { unique: true, where: `order_id IS NOT NULL` })
export class Card {
  @PrimaryColumn('text', { name: 'card_number' }) cardNumber: string;
  @Column('text', { name: 'card_type' }) cardType: string;
  @Column('text', { nullable: true }) generation: string | null;
  @Column('text', { name: 'national_id' }) nationalId: string;
  @Column('text', { name: 'national_id_in_card' }) nationalIdInCard: string;
  @Column('text', { name: 'profession_code' }) professionCode: string;
  @Column('text', { name: 'last_name', default: '' }) lastName: string;
  @Column('text', { name: 'first_name', default: '' }) firstName: string;
  @Column('date', { name: 'valid_from' }) validFrom: string;
  @Column('date', { name: 'valid_until' }) validUntil: string;
  @Column('text', { name: 'chip_serial', nullable: true }) chipSerial: string | null;
  @Column('text') state: string;
  @Column('uuid', { name: 'order_id', nullable: true }) orderId: string | null;

  @ManyToOne(() => CardOrder, { nullable: true })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'card_order_id_fkey' })
  order: CardOrder | null;
  @Column('text', { name: 'replaces_card', nullable: true }) replacesCard: string | null;
  @Column('text') source: string;
  @Column('timestamptz', { name: 'opposed_at', nullable: true }) opposedAt: Date | null;
  @Column('text', { name: 'opposition_reason', nullable: true }) oppositionReason: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

@Entity('opposition_request')
@Check('opposition_request_reason_check', `reason IN ('expiry','loss','theft','malfunction','non-receipt','cessation','replacement')`)
@Index('opposition_request_once_idx', ['cardNumber', 'reason', 'sourceRef'], { unique: true })
@Index('opposition_request_pending_idx', ['id'], { where: 'handled_at IS NULL' })
export class OppositionRequest {
  @Column('bigint', { primary: true, generated: 'increment' }) id: string;
  @Column('text', { name: 'card_number' }) cardNumber: string;

  @ManyToOne(() => Card)
  @JoinColumn({ name: 'card_number', foreignKeyConstraintName: 'opposition_request_card_number_fkey' })
  card: Card;

  /** Null for a card brought in already opposed by cards:import (the old base gives no reason). */
  @Column('text', { nullable: true }) reason: string | null;
  @Column('text') source: string;
  @Column('text', { name: 'source_ref', nullable: true }) sourceRef: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'handled_at', nullable: true }) handledAt: Date | null;
}

/** A card spoiled while being written (its chip serial never takes another order). */
@Entity('spoiled_card')
@Index('spoiled_card_order_idx', ['orderId'])
export class SpoiledCard {
  @PrimaryColumn('text', { name: 'chip_serial' }) chipSerial: string;
  @Column('uuid', { name: 'order_id' }) orderId: string;
  @ManyToOne(() => CardOrder)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'spoiled_card_order_id_fkey' })
  order: CardOrder;
  /** The number it was being written with (never given to another card either). */
  @Column('text', { name: 'card_number', nullable: true }) cardNumber: string | null;
  @Column('text') station: string;
  @Column('text') stage: string;
  @Column('text', { name: 'error_code' }) errorCode: string;
  @Column('text') error: string;
  @Column('timestamptz', { name: 'spoiled_at', default: () => 'now()' }) spoiledAt: Date;
}
