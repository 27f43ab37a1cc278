import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { Card, OppositionRequest } from '../orders/card.entity';

/** A card's opposition: one per card, final. Its id orders the oppositions for delta CRLs. */
@Entity('opposition')
@Unique('opposition_card_number_key', ['cardNumber'])
@Check('opposition_reason_check', `reason IN ('expiry','loss','theft','malfunction','non-receipt','cessation','replacement')`)
@Check('opposition_source_check', `source IN ('helpdesk','operator','registry','system','import')`)
@Check('opposition_channel_check', `channel IN ('phone','form','portal','registry','system','import','returned-mail')`)
export class Opposition {
  @Column('bigint', { primary: true, generated: 'increment' }) id: string;
  @Column('text', { name: 'card_number' }) cardNumber: string;

  @ManyToOne(() => Card)
  @JoinColumn({ name: 'card_number', foreignKeyConstraintName: 'opposition_card_number_fkey' })
  card: Card;

  /** Null only for a card imported already opposed, whose reason the old base does not give. */
  @Column('text', { nullable: true }) reason: string | null;
  @Column('text') source: string;
  @Column('text') channel: string;
  @Column('text', { name: 'declared_by' }) declaredBy: string;
  @Column('text', { nullable: true }) verification: string | null;
  @Column('text', { nullable: true }) comment: string | null;
  @Column('timestamptz', { name: 'opposed_at' }) opposedAt: Date;
  @Column('timestamptz', { name: 'invalidity_date', nullable: true }) invalidityDate: Date | null;
  /** The card's end of validity, copied: an expired card leaves the CRL after it plus a grace period. */
  @Column('date', { name: 'valid_until' }) validUntil: string;
  @Column('bigint', { name: 'request_id', nullable: true }) requestId: string | null;

  @ManyToOne(() => OppositionRequest, { nullable: true })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'opposition_request_id_fkey' })
  request: OppositionRequest | null;

  @Column('uuid', { name: 'replacement_order_id', nullable: true }) replacementOrderId: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

/** A published CRL, full or delta. CRL numbers are shared by both kinds and strictly increase. */
@Entity('crl_publication')
@Check('crl_publication_kind_check', `kind IN ('full','delta')`)
@Check('crl_publication_delta_base_check', `(kind = 'delta') = (base_crl_number IS NOT NULL)`)
@Index('crl_publication_kind_idx', ['kind', 'crlNumber'])
export class CrlPublication {
  @PrimaryColumn('bigint', { name: 'crl_number' }) crlNumber: string;
  @Column('text') kind: string;
  @Column('bigint', { name: 'base_crl_number', nullable: true }) baseCrlNumber: string | null;

  @ManyToOne(() => CrlPublication, { nullable: true })
  @JoinColumn({ name: 'base_crl_number', foreignKeyConstraintName: 'crl_publication_base_crl_number_fkey' })
  base: CrlPublication | null;

  /** The highest opposition id this CRL takes into account. */
  @Column('bigint') watermark: string;
  @Column('timestamptz', { name: 'this_update' }) thisUpdate: Date;
  @Column('timestamptz', { name: 'next_update' }) nextUpdate: Date;
  @Column('integer') entries: number;
  @Column('bigint') bytes: string;
  @Column('text') path: string;
  @Column('text') sha256: string;
  @Column('text', { name: 'published_by' }) publishedBy: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  /** The issuer certificate (PEM) the CRL was signed under; null for CRLs published before CRLs were kept in the database. */
  @Column('text', { name: 'issuer_certificate', nullable: true }) issuerCertificate: string | null;
}

/**
 * A published CRL's DER bytes, in parts of at most CRL_PART_BYTES, in order. Rows of CRLs
 * older than the previous full CRL lose their parts (their crl_publication rows stay).
 */
@Entity('crl_publication_part')
@Check('crl_publication_part_part_check', `part >= 0`)
export class CrlPublicationPart {
  @PrimaryColumn('bigint', { name: 'crl_number', primaryKeyConstraintName: 'crl_publication_part_pkey' }) crlNumber: string;
  @PrimaryColumn('integer', { primaryKeyConstraintName: 'crl_publication_part_pkey' }) part: number;

  @ManyToOne(() => CrlPublication, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'crl_number', foreignKeyConstraintName: 'crl_publication_part_crl_number_fkey' })
  publication: CrlPublication;

  @Column('bytea') bytes: Buffer;
}
