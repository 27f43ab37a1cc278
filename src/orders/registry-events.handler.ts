import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Clock } from '../common/clock/clock';
import { PurgeOptions, purgeInBatches } from '../common/database/purge';
import { rowsReturned } from '../common/database/returning';
import { OutboxService } from '../common/outbox/outbox.service';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { JobPayloads, QueueName } from '../common/queue/queues';
import { CardContent, RppsService } from '../rpps/rpps.service';
import { OrdersService } from './orders.service';
import { abandonClaims } from './personalization-orders.service';
import { cardTypeForCategory } from './validity';
import { fromStatesFor, orderTransition } from './workflow';

export interface ConsumeOutcome {
  skipped?: 'already consumed' | 'event not found';
  ordersCreated: string[];
  ordersRefreshed: string[];
  oppositionsRequested: string[];
  ordersCancelled: string[];
}

interface ValidCard {
  card_number: string;
  national_id: string;
  profession_code: string;
  card_type: string;
  last_name: string;
  first_name: string;
  content: CardContent | null;
}

/** What a card shows and holds, for comparing a card with the registry. */
function printedContent(c: Partial<CardContent> | null): string {
  if (!c) return '';
  return JSON.stringify([
    c.nationalId,
    c.lastName,
    c.firstName,
    c.civilityPracticeCode,
    c.professionCode,
    c.categoryCode,
    c.specialtyTypeCode,
    c.specialtyCode,
    (c.situations ?? []).map((s) => [
      s.structureId,
      s.siteName,
      s.streetNumber,
      s.streetTypeLabel,
      s.streetLabel,
      s.postalCode,
      s.city,
      s.modeCode,
    ]),
  ]);
}

/**
 * Turns registry events into orders (idempotently: each event is consumed once, in the
 * transaction that makes its orders): newcomers and new professions get a first card,
 * changes that alter a valid card's content get a content-change order, cessations are
 * handed to opposition.
 */
@Injectable()
export class RegistryEventsHandler implements JobHandler {
  readonly queue = QueueName.RegistryEvents;
  readonly jobName = 'registry.event';
  readonly concurrency = 4;

  constructor(
    private readonly ds: DataSource,
    private readonly rpps: RppsService,
    private readonly orders: OrdersService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async handle(job: Job<JobPayloads['registry.event']>, log: JobLogger): Promise<ConsumeOutcome> {
    const out = await this.consume(job.data.eventId, job);
    log.info({ eventId: job.data.eventId, ...out }, 'registry event consumed');
    return out;
  }

  /** `job`: the delivery, marked consumed in the transaction that makes the orders. */
  async consume(eventId: string, job?: { id?: string }): Promise<ConsumeOutcome> {
    const out: ConsumeOutcome = { ordersCreated: [], ordersRefreshed: [], oppositionsRequested: [], ordersCancelled: [] };
    const event = await this.rpps.getEvent(eventId);
    if (!event) return { ...out, skipped: 'event not found' };
    return this.ds.transaction(async (em) => {
      const claimed = await em.query(
        `INSERT INTO consumed_registry_event (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id`,
        [eventId],
      );
      await this.outbox.markConsumed(em, job);
      if (!claimed.length) return { ...out, skipped: 'already consumed' };
      const d = event.details as { professions?: string[]; fromNationalId?: string };
      switch (event.kind) {
        case 'NEW_PROFESSIONAL':
          for (const p of d.professions ?? []) await this.firstIssue(em, event.nationalId, p, eventId, out);
          break;
        case 'PROFESSION_ADDED':
          if (event.professionCode) await this.firstIssue(em, event.nationalId, event.professionCode, eventId, out);
          break;
        case 'IDENTITY_CHANGED':
        case 'SITUATION_CHANGED':
          await this.refreshOpenOrders(em, event.nationalId, eventId, out);
          await this.contentChange(em, event.nationalId, event.nationalId, eventId, event.kind, out);
          break;
        case 'IDENTIFIER_MIGRATED':
          if (d.fromNationalId) await this.contentChange(em, d.fromNationalId, event.nationalId, eventId, event.kind, out);
          break;
        case 'CEASED':
          await this.handToOpposition(em, event.nationalId, null, eventId, out);
          break;
        case 'PROFESSION_REMOVED':
          await this.handToOpposition(em, event.nationalId, event.professionCode, eventId, out);
          break;
      }
      await em.query(`UPDATE consumed_registry_event SET outcome = $2 WHERE event_id = $1`, [eventId, JSON.stringify(out)]);
      return out;
    });
  }

  /** A first card, unless a valid one exists; an open order not yet personalized is refreshed. */
  private async firstIssue(em: EntityManager, nationalId: string, professionCode: string, eventId: string, out: ConsumeOutcome) {
    const content = await this.rpps.cardContent(nationalId, professionCode, em);
    if (!content) return;
    const cardType = cardTypeForCategory(content.categoryCode);
    const valid = await em.query(
      `SELECT 1 FROM card WHERE national_id = $1 AND profession_code = $2 AND card_type = $3
          AND state IN ('personalized', 'sent', 'active') AND valid_until >= $4::date`,
      [nationalId, professionCode, cardType, this.clock.today()],
    );
    if (valid.length) return;
    const r = await this.orders.createByPolicy(em, {
      nationalId,
      professionCode,
      cardType,
      reason: 'first-issue',
      replacesCard: null,
      sourceEventId: eventId,
    });
    if (r.order) out.ordersCreated.push(r.order.id);
    if (r.refreshed) out.ordersRefreshed.push(r.refreshed.id);
  }

  /**
   * The holder's orders that have no card yet take the registry's new content: an approved or
   * failed one is updated (a retry then writes what the registry says); one being written is
   * taken back from its station (its chip spoiled, see abandonClaims, not counted as an attempt)
   * and goes back to the queue, so that no card is finished with what the registry no longer says.
   */
  private async refreshOpenOrders(em: EntityManager, nationalId: string, eventId: string, out: ConsumeOutcome) {
    const open: Array<{ id: string; status: string; profession_code: string; content: CardContent | null }> = await em.query(
      `SELECT id, status, profession_code, content FROM card_order
        WHERE national_id = $1 AND status IN ('approved', 'personalizing', 'failed') ORDER BY id FOR UPDATE`,
      [nationalId],
    );
    for (const o of open) {
      const now = await this.rpps.cardContent(nationalId, o.profession_code, em);
      if (!now || printedContent(o.content) === printedContent(now)) continue;
      if (o.status === 'personalizing') {
        await abandonClaims(em, [o.id], `registry: the holder's content changed while the card was written (event ${eventId})`);
      }
      await em.query(
        `UPDATE card_order SET content = $2::jsonb, updated_at = now(),
                status = CASE WHEN status = 'personalizing' THEN $3 ELSE status END,
                personalization_attempts = CASE WHEN status = 'personalizing' THEN greatest(personalization_attempts - 1, 0)
                                                ELSE personalization_attempts END
          WHERE id = $1`,
        [o.id, JSON.stringify(now), orderTransition('personalizing', 'release')],
      );
      if (o.status === 'personalizing') {
        await this.audit.append(em, {
          actor: 'system:registry',
          action: 'order.release',
          entity: 'card_order',
          entityId: o.id,
          details: { reason: 'content changed while written', event: eventId },
        });
      }
      out.ordersRefreshed.push(o.id);
    }
  }

  /** A content-change order for each valid card of the holder whose content the registry changed. */
  private async contentChange(
    em: EntityManager,
    cardHolder: string,
    nationalId: string,
    eventId: string,
    kind: string,
    out: ConsumeOutcome,
  ) {
    const cards: ValidCard[] = await em.query(
      `SELECT c.card_number, c.national_id, c.profession_code, c.card_type, c.last_name, c.first_name, o.content
         FROM card c LEFT JOIN card_order o ON o.id = c.order_id
        WHERE c.national_id = $1 AND c.state IN ('personalized', 'sent', 'active') AND c.valid_until >= $2::date`,
      [cardHolder, this.clock.today()],
    );
    for (const card of cards) {
      const now = await this.rpps.cardContent(nationalId, card.profession_code, em);
      if (!now) continue;
      // A card brought in by cards:import carries no recorded content: only its name and number are known.
      const changed = card.content
        ? printedContent(card.content) !== printedContent(now)
        : cardHolder !== nationalId || card.last_name !== now.lastName || card.first_name !== now.firstName || kind === 'SITUATION_CHANGED';
      if (!changed) continue;
      const r = await this.orders.createByPolicy(em, {
        nationalId,
        professionCode: card.profession_code,
        cardType: card.card_type,
        reason: 'content-change',
        replacesCard: card.card_number,
        sourceEventId: eventId,
      });
      if (r.order) out.ordersCreated.push(r.order.id);
      if (r.refreshed && !out.ordersRefreshed.includes(r.refreshed.id)) out.ordersRefreshed.push(r.refreshed.id);
    }
  }

  /** Cessation: the holder's cards (of one profession, or all) go to opposition; open orders not yet personalized are cancelled. */
  private async handToOpposition(
    em: EntityManager,
    nationalId: string,
    professionCode: string | null,
    eventId: string,
    out: ConsumeOutcome,
  ) {
    // Every order that has no card yet, one being written included (its card is spoiled: see abandonClaims).
    // Orders first: their rows stay locked to the end, so a station recording a card for one of them
    // either committed before (its card is in the card table the opposition insert reads next) or
    // finds its order cancelled (claim lost). Opposing cards first let a card recorded in between escape.
    const why = `registry: ${professionCode ? 'profession removed' : 'ceased'} (event ${eventId})`;
    const open: Array<{ id: string; status: string }> = await em.query(
      `SELECT id, status FROM card_order
        WHERE national_id = $1 AND ($2::text IS NULL OR profession_code = $2) AND status = ANY($3) FOR UPDATE`,
      [nationalId, professionCode, fromStatesFor('cancel')],
    );
    await abandonClaims(
      em,
      open.map((o) => o.id),
      why,
    );
    const cancelled = await rowsReturned<{ id: string }>(
      em,
      `UPDATE card_order SET status = 'cancelled', status_reason = $2, updated_at = now() WHERE id = ANY($1::uuid[]) RETURNING id`,
      [open.map((o) => o.id), why],
    );
    out.ordersCancelled.push(...cancelled.map((c) => c.id));
    // Each order's own entry too, as an operator's cancellation has: its history shows when and why.
    const was = new Map(open.map((o) => [o.id, o.status]));
    await this.audit.appendMany(
      em,
      cancelled.map((c) => ({
        actor: 'system:registry',
        action: 'order.cancel',
        entity: 'card_order' as const,
        entityId: c.id,
        details: { from: was.get(c.id), to: 'cancelled', reason: why },
      })),
    );
    const requests = await em.query(
      `INSERT INTO opposition_request (card_number, reason, source, source_ref)
       SELECT card_number, 'cessation', 'registry', $3 FROM card
        WHERE national_id = $1 AND ($2::text IS NULL OR profession_code = $2) AND state <> 'opposed'
       ON CONFLICT DO NOTHING RETURNING id::text AS id, card_number`,
      [nationalId, professionCode, `registry-event:${eventId}`],
    );
    for (const r of requests) {
      out.oppositionsRequested.push(r.card_number);
      await this.outbox.add(em, 'card.opposition-requested', { requestId: r.id });
    }
    if (requests.length || cancelled.length) {
      await this.audit.append(em, {
        actor: 'system:registry',
        action: 'registry.cessation',
        entity: 'rpps_event',
        entityId: eventId,
        details: { nationalId, professionCode, oppositionsRequested: out.oppositionsRequested, ordersCancelled: out.ordersCancelled },
      });
    }
  }

  /**
   * Retention (RETENTION_CONSUMED_EVENTS_DAYS): deletes the marks of the registry events consumed before `cutoff`,
   * in batches. A mark is written in the transaction that consumes its outbox message, and a consumed message is
   * never relayed again: a mark that old guards against nothing.
   */
  purgeConsumedMarks(cutoff: Date, o: PurgeOptions): Promise<number> {
    return purgeInBatches(this.ds, { table: 'consumed_registry_event', where: 'consumed_at < $1', oldestFirst: 'consumed_at' }, cutoff, o);
  }
}
