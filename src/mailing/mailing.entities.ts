import { Check, Column, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Card } from '../orders/card.entity';
// Declared by the orders module, whose card and order views show the letters (see card-letters.ts).
import { LETTER_KINDS, LETTER_STATES, type LetterKind, type LetterState } from '../orders/card-letters';
import { CardOrder } from '../orders/card-order.entity';

export { LETTER_KINDS, LETTER_STATES, type LetterKind, type LetterState };

export const BATCH_STATES = ['rendering', 'ready', 'printed'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** The `held_reason` of the letters of an opposed card: never batched again. */
export const CARD_OPPOSED = 'card opposed';

/**
 * The `held_reason` of a card's letters waiting or held when one of its letters came back
 * (returned mail, MailingLettersService.returned): they are never batched (the card is
 * about to be opposed for non-receipt), as with `card opposed`.
 */
export const LETTER_RETURNED = 'letter returned';

/** The held reasons for good: a letter held for another reason (its address, say) is tried again by each batch. */
export const HELD_FOR_GOOD: readonly string[] = [CARD_OPPOSED, LETTER_RETURNED];

/** One PDF of letters of one kind, numbered for the mail room (migration 1764201500000-Mailing). */
@Entity('mailing_batch')
@Check('mailing_batch_kind_check', `kind IN ('card-letter','pin-letter')`)
@Check('mailing_batch_state_check', `state IN ('rendering','ready','printed')`)
@Check('mailing_batch_rendered_check', `(state = 'rendering') = (rendered_at IS NULL)`)
@Check('mailing_batch_printed_check', `(state = 'printed') = (printed_at IS NOT NULL)`)
@Unique('mailing_batch_number_key', ['number'])
@Index('mailing_batch_unfinished_idx', ['kind'], { where: `state = 'rendering'` })
export class MailingBatch {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'mailing_batch_pkey' }) id: string;
  /** The batch's number for the mail room (its barcodes and file names). */
  @Column('bigint')
  @Generated('increment')
  number: string;
  @Column('text') kind: LetterKind;
  @Column('date', { name: 'as_of' }) asOf: string;
  @Column('text', { default: 'rendering' }) state: BatchState;
  @Column('integer') letters: number;
  @Column('integer', { nullable: true }) pages: number | null;
  @Column('text', { name: 'pdf_path', nullable: true }) pdfPath: string | null;
  @Column('text', { name: 'manifest_path', nullable: true }) manifestPath: string | null;
  @Column('uuid', { name: 'job_run_id', nullable: true }) jobRunId: string | null;
  @Column('text', { name: 'created_by' }) createdBy: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'rendered_at', nullable: true }) renderedAt: Date | null;
  @Column('text', { name: 'printed_by', nullable: true }) printedBy: string | null;
  @Column('timestamptz', { name: 'printed_at', nullable: true }) printedAt: Date | null;
}

/**
 * A card's card letter or PIN letter: held, waiting, or in a batch at a sequence (migrations 1764201500000-Mailing,
 * 1764201600000-MailingLetterCard, 1764201700000-MailingCodesSweep).
 */
@Entity('mailing_letter')
@Check('mailing_letter_kind_check', `kind IN ('card-letter','pin-letter')`)
@Check('mailing_letter_state_check', `state IN ('held','waiting','batched','printed','returned')`)
@Check('mailing_letter_batched_check', `(batch_id IS NULL) = (state IN ('held','waiting')) AND (batch_id IS NULL) = (sequence IS NULL)`)
@Check('mailing_letter_held_check', `(state = 'held') = (held_reason IS NOT NULL)`)
@Check('mailing_letter_reprint_kind_check', `reprint_of IS NULL OR kind = 'pin-letter'`)
@Unique('mailing_letter_sequence_key', ['batchId', 'sequence'])
@Index('mailing_letter_first_idx', ['cardNumber', 'kind'], { unique: true, where: 'reprint_of IS NULL' })
@Index('mailing_letter_pending_idx', ['kind', 'createdAt'], { where: `state IN ('held','waiting')` })
@Index('mailing_letter_batch_idx', ['batchId', 'sequence'])
@Index('mailing_letter_card_idx', ['cardNumber'])
@Index('mailing_letter_order_idx', ['orderId'], { where: `kind = 'pin-letter'` })
@Index('mailing_letter_returned_idx', ['cardNumber'], { where: `state = 'returned'` })
export class MailingLetter {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'mailing_letter_pkey' }) id: string;
  @Column('text') kind: LetterKind;
  @Column('text', { name: 'card_number' }) cardNumber: string;

  @ManyToOne(() => Card)
  @JoinColumn({ name: 'card_number', foreignKeyConstraintName: 'mailing_letter_card_fkey' })
  card: Card;

  @Column('uuid', { name: 'order_id' }) orderId: string;

  @ManyToOne(() => CardOrder)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'mailing_letter_order_fkey' })
  order: CardOrder;

  @Column('uuid', { name: 'batch_id', nullable: true }) batchId: string | null;

  @ManyToOne(() => MailingBatch, { nullable: true })
  @JoinColumn({ name: 'batch_id', foreignKeyConstraintName: 'mailing_letter_batch_fkey' })
  batch: MailingBatch | null;

  @Column('integer', { nullable: true }) sequence: number | null;
  @Column('text') state: LetterState;
  @Column('text', { name: 'held_reason', nullable: true }) heldReason: string | null;
  /** The address as laid out for this letter (postal-address.ts). */
  @Column('jsonb', { name: 'address_lines', nullable: true }) addressLines: string[] | null;
  @Column('uuid', { name: 'reprint_of', nullable: true }) reprintOf: string | null;

  @ManyToOne(() => MailingLetter, { nullable: true })
  @JoinColumn({ name: 'reprint_of', foreignKeyConstraintName: 'mailing_letter_reprint_fkey' })
  reprinted: MailingLetter | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'printed_at', nullable: true }) printedAt: Date | null;
  @Column('timestamptz', { name: 'returned_at', nullable: true }) returnedAt: Date | null;
  @Column('text', { name: 'returned_by', nullable: true }) returnedBy: string | null;
}

/** A PIN letter to print again within the reprint window: asked by one principal, decided by another. */
@Entity('mailing_reprint_request')
@Check('mailing_reprint_request_state_check', `state IN ('requested','approved','rejected')`)
@Check('mailing_reprint_request_decided_check', `(state = 'requested') = (decided_at IS NULL)`)
@Check('mailing_reprint_request_four_eyes_check', `decided_by_principal IS NULL OR decided_by_principal <> requested_by_principal`)
@Index('mailing_reprint_request_open_idx', ['letterId'], { unique: true, where: `state = 'requested'` })
export class MailingReprintRequest {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'mailing_reprint_request_pkey' }) id: string;
  @Column('uuid', { name: 'letter_id' }) letterId: string;

  @ManyToOne(() => MailingLetter)
  @JoinColumn({ name: 'letter_id', foreignKeyConstraintName: 'mailing_reprint_request_letter_fkey' })
  letter: MailingLetter;

  @Column('text') reason: string;
  @Column('text', { name: 'requested_by' }) requestedBy: string;
  @Column('uuid', { name: 'requested_by_principal' }) requestedByPrincipal: string;
  @Column('timestamptz', { name: 'requested_at', default: () => 'now()' }) requestedAt: Date;
  @Column('text', { default: 'requested' }) state: string;
  @Column('text', { name: 'decided_by', nullable: true }) decidedBy: string | null;
  @Column('uuid', { name: 'decided_by_principal', nullable: true }) decidedByPrincipal: string | null;
  @Column('timestamptz', { name: 'decided_at', nullable: true }) decidedAt: Date | null;
  @Column('uuid', { name: 'reprint_letter_id', nullable: true }) reprintLetterId: string | null;
  /** Why a request was closed without a person's decision (the daily sweep: its codes destroyed), null otherwise. */
  @Column('text', { name: 'decision_reason', nullable: true }) decisionReason: string | null;

  @ManyToOne(() => MailingLetter, { nullable: true })
  @JoinColumn({ name: 'reprint_letter_id', foreignKeyConstraintName: 'mailing_reprint_request_reprint_fkey' })
  reprintLetter: MailingLetter | null;
}
