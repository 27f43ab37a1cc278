import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PrincipalAccount } from '../common/auth/principal.entity';
import { JobRun } from '../common/jobs/job-run.entity';

/** A card order: why, for whom, its state, and the card content frozen at approval. */
@Entity('card_order')
@Check('card_order_card_type_check', `card_type IN ('CPS','CPF','CPE','CPA')`)
@Check('card_order_reason_check', `reason IN ('first-issue','renewal','content-change','replacement','manual')`)
@Check(
  'card_order_status_check',
  `status IN ('requested','approved','personalizing','personalized','card-letter-sent','pin-letter-sent','closed','rejected','cancelled','failed')`,
)
@Check('card_order_generation_check', `generation IN ('CPS3','CPS4')`)
@Index('card_order_one_open_idx', ['nationalId', 'professionCode', 'cardType'], {
  unique: true,
  where: `status IN ('requested','approved','personalizing','personalized','card-letter-sent','pin-letter-sent','failed')`,
})
@Index('card_order_status_idx', ['status', 'reason'])
@Index('card_order_requested_idx', ['requestedAt'])
@Index('card_order_claimed_idx', ['claimedAt'], { where: `status = 'personalizing'` })
@Index('card_order_claimed_chip_idx', ['claimedChipSerial'], { unique: true, where: `claimed_chip_serial IS NOT NULL` })
@Index('card_order_claim_token_idx', ['claimToken'], { where: `claim_token IS NOT NULL` })
@Index('card_order_approved_queue_idx', ['approvedAt', 'id'], { where: `status = 'approved'` })
export class CardOrder {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { name: 'national_id' }) nationalId: string;
  @Column('text', { name: 'profession_code' }) professionCode: string;
  @Column('text', { name: 'card_type' }) cardType: string;
  @Column('text') reason: string;
  @Column('text') status: string;
  @Column('text', { nullable: true }) generation: string | null;
  @Column('jsonb', { nullable: true }) content: Record<string, unknown> | null;
  @Column('text', { name: 'replaces_card', nullable: true }) replacesCard: string | null;
  @Column('bigint', { name: 'source_event_id', nullable: true }) sourceEventId: string | null;
  @Column('text', { name: 'requested_by' }) requestedBy: string;
  @Column('timestamptz', { name: 'requested_at', default: () => 'now()' }) requestedAt: Date;
  /** The principal that asked for it over the API; null for orders the system derives itself. */
  @Column('uuid', { name: 'requested_by_principal', nullable: true }) requestedByPrincipal: string | null;
  @ManyToOne(() => PrincipalAccount, { nullable: true })
  @JoinColumn({ name: 'requested_by_principal', foreignKeyConstraintName: 'card_order_requested_by_principal_fkey' })
  requester: PrincipalAccount | null;
  @Column('text', { name: 'approved_by', nullable: true }) approvedBy: string | null;
  /** The principal that approved it; null when approved by policy. */
  @Column('uuid', { name: 'approved_by_principal', nullable: true }) approvedByPrincipal: string | null;
  @ManyToOne(() => PrincipalAccount, { nullable: true })
  @JoinColumn({ name: 'approved_by_principal', foreignKeyConstraintName: 'card_order_approved_by_principal_fkey' })
  approver: PrincipalAccount | null;
  @Column('timestamptz', { name: 'approved_at', nullable: true }) approvedAt: Date | null;
  @Column('text', { name: 'status_reason', nullable: true }) statusReason: string | null;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  /** Cards tried for this order (a spoiled card counts; a card found unusable before writing does not). */
  @Column('integer', { name: 'personalization_attempts', default: 0 }) personalizationAttempts: number;
  /** While personalizing: the claim of the station writing it (only that claim may record the result). */
  @Column('uuid', { name: 'claim_token', nullable: true }) claimToken: string | null;
  @Column('text', { name: 'claimed_by', nullable: true }) claimedBy: string | null;
  @Column('timestamptz', { name: 'claimed_at', nullable: true }) claimedAt: Date | null;
  /** The chip the claim was taken for, named before anything is written: spoiled if the claim is given back unrecorded. */
  @Column('text', { name: 'claimed_chip_serial', nullable: true }) claimedChipSerial: string | null;
}

@Entity('order_idempotency_key')
@Index('order_idempotency_key_created_idx', ['createdAt'])
export class OrderIdempotencyKey {
  @Column('text', { primary: true }) principal: string;
  @Column('text', { primary: true }) key: string;
  @Column('text', { name: 'request_hash' }) requestHash: string;
  @Column('uuid', { name: 'order_id' }) orderId: string;

  @ManyToOne(() => CardOrder)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_idempotency_key_order_id_fkey' })
  order: CardOrder;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

@Entity('consumed_registry_event')
@Index('consumed_registry_event_consumed_idx', ['consumedAt'])
export class ConsumedRegistryEvent {
  @Column('bigint', { name: 'event_id', primary: true }) eventId: string;
  @Column('jsonb', { default: () => "'{}'" }) outcome: Record<string, unknown>;
  @Column('timestamptz', { name: 'consumed_at', default: () => 'now()' }) consumedAt: Date;
}

@Entity('renewal_run')
export class RenewalRun {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('date', { name: 'as_of' }) asOf: string;
  @Column('integer', { name: 'window_days' }) windowDays: number;
  @Column('integer', { name: 'cards_due', default: 0 }) cardsDue: number;
  @Column('integer', { name: 'orders_created', default: 0 }) ordersCreated: number;
  @Column('integer', { name: 'already_open', default: 0 }) alreadyOpen: number;
  @Column('uuid', { name: 'job_run_id', nullable: true }) jobRunId: string | null;

  @ManyToOne(() => JobRun, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'job_run_id', foreignKeyConstraintName: 'renewal_run_job_run_id_fkey' })
  jobRun: JobRun | null;
  @Column('timestamptz', { name: 'started_at', default: () => 'now()' }) startedAt: Date;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt: Date | null;
}
