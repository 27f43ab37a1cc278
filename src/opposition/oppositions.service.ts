import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../common/audit/audit.service';
import { parseBusinessDate, refuseFutureDate } from '../common/clock/business-date';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { jobErrorMessage } from '../common/jobs/jobs.errors';
import { JobsService } from '../common/jobs/jobs.service';
import { OutboxService } from '../common/outbox/outbox.service';
import { CardsService, CardView } from '../orders/cards.service';
import { OppositionRequestsService } from '../orders/opposition-requests.service';
import { OrdersService } from '../orders/orders.service';
import { RppsService } from '../rpps/rpps.service';
import { OppositionReason } from './crl-encoder';
import { confirmCommand, ExpiryScope, expiryScope, heldReason } from './expiry-hold';
import { OppositionError } from './opposition.errors';

/** What a person may declare; expiry and replacement are the system's. */
export const DECLARABLE_REASONS: readonly OppositionReason[] = ['loss', 'theft', 'malfunction', 'non-receipt', 'cessation'];
/** Declarations after which the holder gets a replacement card. */
export const REPLACED_AFTER: readonly OppositionReason[] = ['loss', 'theft', 'malfunction', 'non-receipt'];
export const CHANNELS = ['phone', 'form', 'portal', 'registry', 'system'] as const;
/** How a person's declaration reached them (`system` is the system's own). */
export const DECLARABLE_CHANNELS = ['phone', 'form', 'portal', 'registry'] as const;
const EXPIRY_CHUNK = 5000;
const REQUEST_CHUNK = 1000;

/** What an expiry sweep did, or why it is held (contract.md: cardsExpired, oppositionsCreated). */
export interface ExpiryResult extends Omit<ExpiryScope, 'massChange'> {
  status: 'applied' | 'held';
  asOf: string;
  /** True when the day was given (--as-of), false for today. */
  asOfGiven: boolean;
  cardsExpired: number;
  oppositionsCreated: number;
  /** Held: the cards nothing was done to, why, and the command that confirms it. */
  heldCards?: number;
  heldReason?: string;
  confirmWith?: string;
  /** Applied past EXPIRY_MAX_SHARE, confirmed at the host. */
  massChangeConfirmed?: boolean;
  jobRunId: string;
}

/**
 * Advisory lock taken shared by every transaction that records oppositions, and
 * exclusively, for an instant, by a CRL publication reading its watermark: once it holds
 * the lock, every opposition id up to the highest one is committed, so "id ≤ watermark"
 * names exactly what a CRL includes and what the next delta must add.
 */
export const OPPOSITION_WRITE_LOCK = 7_264_030;

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
};

/**
 * Oppositions: declared by the helpdesk or an operator, handed over by the orders module
 * (cessation, replacement, cards imported already opposed), or made by the expiry sweep.
 * The card's state changes through the orders service; the opposition row, written in
 * the same transaction, is what the CRL lists.
 */
@Injectable()
export class OppositionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly cards: CardsService,
    private readonly orders: OrdersService,
    private readonly rpps: RppsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
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
      await this.writeLock(em);
      const { card, opposedNow } = await this.cards.oppose(em, cardNumber, d.reason);
      if (!opposedNow) return { opposition: await this.recordExisting(em, card, null), created: false };
      const replacementOrderId = REPLACED_AFTER.includes(d.reason) ? await this.orderReplacement(em, card) : null;
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
        await this.writeLock(em);
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

  /**
   * The expiry sweep: every card whose end of validity is before `asOf` (default today,
   * Paris time; never after today: an opposition is final) is opposed with reason expiry,
   * a chunk per transaction; a rerun finds nothing. A sweep that would oppose more than
   * EXPIRY_MAX_SHARE of the valid cards is held (job run `held`, nothing opposed) unless
   * `confirmMassChange` (someone at the host) says it is real.
   */
  async expire(o: {
    asOf?: string;
    actor: string;
    confirmMassChange?: boolean;
    onProgress?: (done: number) => void;
  }): Promise<ExpiryResult> {
    const today = this.clock.today();
    const asOfGiven = o.asOf !== undefined;
    const asOf = o.asOf === undefined ? today : parseBusinessDate(o.asOf, '--as-of');
    refuseFutureDate(asOf, today, '--as-of', 'the expiry sweep opposes cards for good: an opposition');
    const counts = await this.cards.expiryCounts(asOf);
    const scope = expiryScope(counts.due, counts.valid, this.cfg.EXPIRY_MAX_SHARE);
    const { massChange, ...shown } = scope;
    const jobRunId = await this.jobs.create('expiry', o.actor, { asOf, asOfGiven, confirmMassChange: !!o.confirmMassChange });
    if (massChange && !o.confirmMassChange) {
      const reason = heldReason(asOf, scope);
      const held: ExpiryResult = {
        status: 'held',
        asOf,
        asOfGiven,
        cardsExpired: 0,
        oppositionsCreated: 0,
        ...shown,
        heldCards: scope.cardsDue,
        heldReason: reason,
        confirmWith: confirmCommand(asOf),
        jobRunId,
      };
      await this.ds.transaction(async (em) => {
        await this.audit.append(em, {
          actor: o.actor,
          action: 'opposition.expiry.held',
          entity: 'job_run',
          entityId: jobRunId,
          details: { asOf, asOfGiven, ...shown },
        });
      });
      await this.jobs.hold(jobRunId, { ...held });
      return held;
    }
    const reporter = this.jobs.reporter(jobRunId);
    let cardsExpired = 0;
    let oppositionsCreated = 0;
    try {
      if (massChange) {
        await this.ds.transaction(async (em) => {
          await this.audit.append(em, {
            actor: o.actor,
            action: 'opposition.expiry.mass-change-confirmed',
            entity: 'job_run',
            entityId: jobRunId,
            details: {
              asOf,
              asOfGiven,
              ...shown,
              massChangeConfirmed: `expiry sweep of ${scope.cardsDue} cards confirmed at the host by ${o.actor} (--confirm-mass-change)`,
            },
          });
        });
      }
      for (;;) {
        const chunk = await this.ds.transaction(async (em) => {
          await this.writeLock(em);
          const expired = await this.cards.opposeExpired(em, asOf, EXPIRY_CHUNK);
          if (!expired.length) return null;
          const rows: Array<{ id: string; cardNumber: string }> = await em.query(
            `INSERT INTO opposition (card_number, reason, source, channel, declared_by, opposed_at, valid_until)
             SELECT n, 'expiry', 'system', 'system', $4, at, vu::date FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS x(n, at, vu)
             ON CONFLICT (card_number) DO NOTHING RETURNING id::text AS id, card_number AS "cardNumber"`,
            [expired.map((c) => c.cardNumber), expired.map((c) => c.opposedAt), expired.map((c) => c.validUntil), o.actor],
          );
          if (rows.length) await this.outbox.add(em, 'crl.delta-requested', {});
          await this.audit.appendMany(
            em,
            rows.map((r) => ({
              actor: o.actor,
              action: 'opposition.expiry',
              entity: 'card',
              entityId: r.cardNumber,
              details: { oppositionId: r.id, asOf, jobRunId },
            })),
          );
          return { expired: expired.length, created: rows.length };
        });
        if (!chunk) break;
        cardsExpired += chunk.expired;
        oppositionsCreated += chunk.created;
        reporter.progress(cardsExpired, null, 'opposing expired cards');
        o.onProgress?.(cardsExpired);
      }
      await reporter.flush();
      const result: ExpiryResult = {
        status: 'applied',
        asOf,
        asOfGiven,
        cardsExpired,
        oppositionsCreated,
        ...shown,
        ...(massChange ? { massChangeConfirmed: true } : {}),
        jobRunId,
      };
      await this.jobs.succeed(jobRunId, { ...result });
      return result;
    } catch (e) {
      await this.jobs.fail(jobRunId, jobErrorMessage(e), { cardsExpired, oppositionsCreated }).catch(() => undefined);
      throw e;
    }
  }

  private async writeLock(em: EntityManager): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock_shared($1)`, [OPPOSITION_WRITE_LOCK]);
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

  /**
   * The replacement order after a declaration, per OPPOSITION_REPLACEMENT: approved by
   * policy, waiting for an operator, or none. None either when the holder is no longer
   * in the registry for that profession (a card is only issued from the registry).
   */
  private async orderReplacement(em: EntityManager, card: CardView): Promise<string | null> {
    const policy = this.cfg.OPPOSITION_REPLACEMENT;
    if (policy === 'none') return null;
    if (!(await this.rpps.cardContent(card.nationalId, card.professionCode, em))) return null;
    const r = await this.orders.createByPolicy(em, {
      nationalId: card.nationalId,
      professionCode: card.professionCode,
      cardType: card.cardType,
      reason: 'replacement',
      replacesCard: card.cardNumber,
      sourceEventId: null,
      approval: policy,
    });
    return r.order?.id ?? r.refreshed?.id ?? null;
  }
}
