import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../common/audit/audit.service';
import { Clock } from '../common/clock/clock';
import { OutboxService } from '../common/outbox/outbox.service';
import { CardsService, CardView } from '../orders/cards.service';
import { OppositionRequestsService } from '../orders/opposition-requests.service';
import { OrdersService } from '../orders/orders.service';
import { OppositionReason } from './crl-encoder';
import { OppositionError } from './opposition.errors';

/** What a person may declare; expiry and replacement are the system's. */
export const DECLARABLE_REASONS: readonly OppositionReason[] = ['loss', 'theft', 'malfunction', 'non-receipt', 'cessation'];
/** Declarations after which the holder gets a replacement card. */
export const REPLACED_AFTER: readonly OppositionReason[] = ['loss', 'theft', 'malfunction', 'non-receipt'];
export const CHANNELS = ['phone', 'form', 'portal', 'registry', 'system'] as const;
/** How a person's declaration reached them (`system` is the system's own). */
export const DECLARABLE_CHANNELS = ['phone', 'form', 'portal', 'registry'] as const;
const REQUEST_CHUNK = 1000;

/**
 * Advisory lock taken shared by every transaction that records oppositions, and
 * exclusively, for an instant, by a CRL publication reading its watermark: once it holds
 * the lock, every opposition id up to the highest one is committed, so "id ≤ watermark"
 * names exactly what a CRL includes and what the next delta must add.
 */
export const OPPOSITION_WRITE_LOCK = 7_264_030;

/** Takes OPPOSITION_WRITE_LOCK shared, for the transaction: every transaction that records oppositions does. */
export async function takeOppositionWriteLock(em: EntityManager): Promise<void> {
  await em.query(`SELECT pg_advisory_xact_lock_shared($1)`, [OPPOSITION_WRITE_LOCK]);
}

export interface Declaration {
  reason: OppositionReason;
  channel: (typeof CHANNELS)[number];
  verification: string;
  comment: string | null;
  invalidityDate: Date | null;
}

export interface OppositionView {
  id: string;
  cardNumber: string;
  reason: OppositionReason | null;
  source: string;
  channel: string;
  declaredBy: string;
  verification: string | null;
  comment: string | null;
  opposedAt: Date;
  invalidityDate: Date | null;
  replacementOrderId: string | null;
}

const OPPOSITION_COLUMNS = `id::text AS id, card_number AS "cardNumber", reason, source, channel, declared_by AS "declaredBy",
  verification, comment, opposed_at AS "opposedAt", invalidity_date AS "invalidityDate", replacement_order_id AS "replacementOrderId"`;

/** opposition_request.source → how the opposition is recorded. */
const REQUEST_SOURCES: Record<string, { source: string; channel: string; declaredBy: string }> = {
  registry: { source: 'registry', channel: 'registry', declaredBy: 'system:registry' },
  system: { source: 'system', channel: 'system', declaredBy: 'system:activation' },
  import: { source: 'import', channel: 'import', declaredBy: 'system:cards-import' },
  /** A letter came back (non-receipt): an operator recorded it (the mailing module's audit entry names them). */
  mailing: { source: 'operator', channel: 'returned-mail', declaredBy: 'system:mailing' },
};

/**
 * Oppositions: declared by the helpdesk or an operator, or handed over by the orders module
 * (cessation, replacement, cards imported already opposed); the expiry sweep is ExpiryService.
 * The card's state changes through the orders service; the opposition row, written in
 * the same transaction, is what the CRL lists.
 */
@Injectable()
export class OppositionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly cards: CardsService,
    private readonly orders: OrdersService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly requests: OppositionRequestsService,
  ) {}

  /**
   * The declaration as the route's schema checked it (DeclareOppositionBody), with the
   * rule that needs the clock: an invalidity date is not in the future.
   */
  toDeclaration(
    body: { reason: string; channel: Declaration['channel']; verification: string; comment?: string; invalidityDate?: string },
    now = this.clock.now(),
  ): Declaration {
    const invalidityDate = body.invalidityDate === undefined ? null : new Date(body.invalidityDate);
    if (invalidityDate && invalidityDate.getTime() > now.getTime() + 60_000) {
      throw new OppositionError('validation_failed', 'invalidityDate: in the future', 400, { problems: ['invalidityDate: in the future'] });
    }
    return {
      reason: body.reason as OppositionReason,
      channel: body.channel,
      verification: body.verification,
      comment: body.comment ?? null,
      invalidityDate,
    };
  }

  /**
   * A declaration (helpdesk, operator). The first one opposes the card, for good, and
   * after a loss, theft, malfunction or non-receipt orders its replacement; any later one
   * (whatever its reason) returns the existing opposition with `created: false`.
   */
  async declare(
    cardNumber: string,
    d: Declaration,
    actor: string,
    role: string,
  ): Promise<{ opposition: OppositionView; created: boolean }> {
    return this.ds.transaction(async (em) => {
      await takeOppositionWriteLock(em);
      const { card, opposedNow } = await this.cards.oppose(em, cardNumber, d.reason);
      if (!opposedNow) return { opposition: await this.recordExisting(em, card, null), created: false };
      const replacementOrderId = REPLACED_AFTER.includes(d.reason) ? await this.orders.orderReplacement(em, card) : null;
      const opposition = (await this.insertOpposition(em, card, {
        source: role === 'operator' ? 'operator' : 'helpdesk',
        channel: d.channel,
        declaredBy: actor,
        requestId: null,
        verification: d.verification,
        comment: d.comment,
        invalidityDate: d.invalidityDate,
        replacementOrderId,
      }))!; // the card was opposed just now, in this transaction: it has no opposition yet
      await this.outbox.add(em, 'crl.delta-requested', {});
      await this.audit.append(em, {
        actor,
        action: 'opposition.declare',
        entity: 'card',
        entityId: card.cardNumber,
        details: {
          oppositionId: opposition.id,
          reason: d.reason,
          channel: d.channel,
          verification: d.verification,
          comment: d.comment,
          invalidityDate: d.invalidityDate?.toISOString() ?? null,
          replacementOrderId,
        },
      });
      return { opposition, created: true };
    });
  }

  async get(cardNumber: string): Promise<OppositionView> {
    const [row] = await this.ds.query(`SELECT ${OPPOSITION_COLUMNS} FROM opposition WHERE card_number = $1`, [cardNumber]);
    if (!row) throw new OppositionError('opposition_not_found', `card ${cardNumber} has no opposition`, 404);
    return row;
  }

  /**
   * Opposition requests from the orders module (registry cessation, activation of a
   * replacement, cards imported opposed), all the pending ones, a chunk per transaction.
   * Idempotent: a request is handled once, a card gets one opposition.
   */
  async handleRequests(): Promise<{ requestsHandled: number; oppositionsCreated: number }> {
    let requestsHandled = 0;
    let oppositionsCreated = 0;
    for (;;) {
      const chunk = await this.ds.transaction(async (em) => {
        const requests = await this.requests.claimPending(em, REQUEST_CHUNK);
        if (!requests.length) return null;
        await takeOppositionWriteLock(em);
        const audits: AuditRecord[] = [];
        let created = 0;
        for (const r of requests) {
          // A cessation opposes a card still valid; activation and cards:import already did.
          const { card, opposedNow } = await this.cards.oppose(em, r.cardNumber, r.reason);
          const how = REQUEST_SOURCES[r.source] ?? REQUEST_SOURCES.system;
          const row = await this.insertOpposition(em, card, { ...how, requestId: r.id });
          if (!row) continue;
          created += 1;
          audits.push({
            actor: how.declaredBy,
            action: 'opposition.record',
            entity: 'card',
            entityId: card.cardNumber,
            details: {
              oppositionId: row.id,
              reason: card.oppositionReason,
              source: how.source,
              requestId: r.id,
              sourceRef: r.sourceRef,
              cardOpposedNow: opposedNow,
            },
          });
        }
        await this.requests.markHandled(
          em,
          requests.map((r) => r.id),
        );
        if (created) await this.outbox.add(em, 'crl.delta-requested', {});
        await this.audit.appendMany(em, audits);
        return { handled: requests.length, created };
      });
      if (!chunk) break;
      requestsHandled += chunk.handled;
      oppositionsCreated += chunk.created;
    }
    return { requestsHandled, oppositionsCreated };
  }

  /** The opposition of a card already opposed; recorded now if the card was opposed elsewhere and not yet recorded. */
  private async recordExisting(em: EntityManager, card: CardView, requestId: string | null): Promise<OppositionView> {
    const [row] = await em.query(`SELECT ${OPPOSITION_COLUMNS} FROM opposition WHERE card_number = $1`, [card.cardNumber]);
    if (row) return row;
    const source = card.source === 'import' && !card.oppositionReason ? REQUEST_SOURCES.import : REQUEST_SOURCES.system;
    const inserted = await this.insertOpposition(em, card, { ...source, requestId });
    if (inserted) {
      await this.outbox.add(em, 'crl.delta-requested', {});
      await this.audit.append(em, {
        actor: source.declaredBy,
        action: 'opposition.record',
        entity: 'card',
        entityId: card.cardNumber,
        details: { oppositionId: inserted.id, reason: card.oppositionReason, source: source.source },
      });
      return inserted;
    }
    const [again] = await em.query(`SELECT ${OPPOSITION_COLUMNS} FROM opposition WHERE card_number = $1`, [card.cardNumber]);
    return again;
  }

  /** Records the opposition of an opposed card, with the card's reason and time; null when it has one already. */
  private async insertOpposition(
    em: EntityManager,
    card: CardView,
    how: {
      source: string;
      channel: string;
      declaredBy: string;
      requestId: string | null;
      verification?: string;
      comment?: string | null;
      invalidityDate?: Date | null;
      replacementOrderId?: string | null;
    },
  ): Promise<OppositionView | null> {
    const [row] = await em.query(
      `INSERT INTO opposition (card_number, reason, source, channel, declared_by, opposed_at, valid_until, request_id,
                               verification, comment, invalidity_date, replacement_order_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (card_number) DO NOTHING RETURNING ${OPPOSITION_COLUMNS}`,
      [
        card.cardNumber,
        card.oppositionReason,
        how.source,
        how.channel,
        how.declaredBy,
        card.opposedAt ?? new Date(),
        card.validUntil,
        how.requestId,
        how.verification ?? null,
        how.comment ?? null,
        how.invalidityDate ?? null,
        how.replacementOrderId ?? null,
      ],
    );
    return row ?? null;
  }
}
