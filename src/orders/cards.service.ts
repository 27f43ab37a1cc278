import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Clock } from '../common/clock/clock';
import { paged } from '../common/database/paged';
import { rowsReturned } from '../common/database/returning';
import { OutboxService } from '../common/outbox/outbox.service';
import { professionLabelSql } from '../rpps/professions';
import { cardNumberFromSequence } from './card-number';
import { OrdersError } from './orders.errors';
import { cardTransition, fromStatesFor, type OrderAction, orderTransition } from './workflow';

export const CARD_COLUMNS = `card_number AS "cardNumber", card_type AS "cardType", generation, national_id AS "nationalId",
  national_id_in_card AS "nationalIdInCard", profession_code AS "professionCode",
  ${professionLabelSql('profession_code')} AS "professionLabel", last_name AS "lastName", first_name AS "firstName",
  to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", to_char(valid_until, 'YYYY-MM-DD') AS "validUntil", chip_serial AS "chipSerial",
  state, order_id AS "orderId", replaces_card AS "replacesCard", source, opposed_at AS "opposedAt",
  opposition_reason AS "oppositionReason", created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface CardView {
  cardNumber: string;
  cardType: string;
  generation: string | null;
  nationalId: string;
  nationalIdInCard: string;
  professionCode: string;
  /** The label of the profession (TRE_G15), null for an unlisted code. */
  professionLabel: string | null;
  lastName: string;
  firstName: string;
  validFrom: string;
  validUntil: string;
  chipSerial: string | null;
  state: string;
  orderId: string | null;
  replacesCard: string | null;
  source: string;
  opposedAt: Date | null;
  oppositionReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CardStatus {
  cardNumber: string;
  status: 'valid' | 'opposed' | 'unknown';
  /** Null for a card brought in already opposed, whose reason the old base does not give. */
  reason?: string | null;
  opposedAt?: Date | null;
}

/** The actor of the order transitions that follow a card's (letters printed, activation, opposition). */
const ORDERS_FOLLOW_CARDS = 'system:orders';

function checkCardNumber(cardNumber: string): void {
  if (!/^\d{10}$/.test(cardNumber)) throw new OrdersError('validation_failed', `card number "${cardNumber}": expected 10 digits`, 400);
}

/** The card base: cards brought in from the existing base, and their read side. */
@Injectable()
export class CardsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /**
   * A new card number: the sequence's next value with its Luhn key. Numbers are never
   * reused: the sequence never goes back, and a number already taken (an imported card
   * in our range) is skipped.
   */
  async allocateNumber(em: EntityManager): Promise<string> {
    for (;;) {
      const [{ n }] = await em.query(`SELECT nextval('card_number_seq')::text AS n`);
      const number = cardNumberFromSequence(n);
      const taken = await em.query(`SELECT 1 FROM card WHERE card_number = $1`, [number]);
      if (!taken.length) return number;
    }
  }

  /**
   * The authentication service reports a card's first use: sent → active. A card that
   * replaces another (renewal, replacement, content change) opposes it in the same
   * transaction (reason replacement), so that one card at most is active.
   */
  async activate(cardNumber: string, actor: string) {
    const card = await this.get(cardNumber);
    cardTransition(card.state, 'activate');
    return this.ds.transaction(async (em) => {
      let replaced: string | null = null;
      if (card.replacesCard) {
        const old = await rowsReturned<{ card_number: string }>(
          em,
          `UPDATE card SET state = 'opposed', opposed_at = now(), opposition_reason = 'replacement', updated_at = now()
            WHERE card_number = $1 AND state <> 'opposed' RETURNING card_number`,
          [card.replacesCard],
        );
        if (old.length) {
          replaced = card.replacesCard;
          await this.afterOpposed(em, [card.replacesCard]);
          await this.requestOpposition(em, card.replacesCard, 'replacement', 'system', `activation:${cardNumber}`);
        }
      }
      const rows = await rowsReturned(
        em,
        `UPDATE card SET state = 'active', updated_at = now() WHERE card_number = $1 AND state = ANY($2) RETURNING card_number`,
        [cardNumber, fromStatesFor('activate')],
      );
      if (!rows.length) {
        const [now] = await em.query(`SELECT state FROM card WHERE card_number = $1`, [cardNumber]);
        cardTransition(now.state, 'activate');
      }
      await this.advanceOrders(em, [cardNumber], 'close', 'card activated');
      await this.audit.append(em, { actor, action: 'card.activate', entity: 'card', entityId: cardNumber, details: { replaced } });
      return { ...(await this.getIn(em, cardNumber)), replaced };
    });
  }

  /**
   * Cards whose card letter was printed (mailing): personalized → sent, in the caller's
   * transaction, one audit entry each. A card in another state is left as it is; returns those sent.
   */
  async sent(em: EntityManager, cardNumbers: string[], actor: string, details: Record<string, unknown>): Promise<string[]> {
    if (!cardNumbers.length) return [];
    const rows = await rowsReturned<{ card_number: string }>(
      em,
      `UPDATE card SET state = $3, updated_at = now() WHERE card_number = ANY($1::text[]) AND state = ANY($2) RETURNING card_number`,
      [cardNumbers, fromStatesFor('send'), cardTransition('personalized', 'send')],
    );
    await this.audit.appendMany(
      em,
      rows.map((r) => ({ actor, action: 'card.send', entity: 'card' as const, entityId: r.card_number, details })),
    );
    await this.advanceOrders(
      em,
      rows.map((r) => r.card_number),
      'card-letter-sent',
      'card letter printed',
    );
    return rows.map((r) => r.card_number);
  }

  /**
   * Asks the opposition module to oppose a card (its request, handled by the worker), in the
   * caller's transaction: how mailing opposes a card whose letter came back. Returns the
   * request's id, or null when that request was made before.
   */
  async requestOpposition(
    em: EntityManager,
    cardNumber: string,
    reason: string,
    source: string,
    sourceRef: string,
  ): Promise<string | null> {
    const [req]: Array<{ id: string }> = await em.query(
      `INSERT INTO opposition_request (card_number, reason, source, source_ref) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING id::text AS id`,
      [cardNumber, reason, source, sourceRef],
    );
    if (req) await this.outbox.add(em, 'card.opposition-requested', { requestId: req.id });
    return req?.id ?? null;
  }

  /**
   * What follows every way a card becomes opposed, in the same transaction: its order closed,
   * and `card.opposed` in the outbox (mailing destroys the codes and holds the letters).
   */
  private async afterOpposed(em: EntityManager, cardNumbers: string[]): Promise<void> {
    if (!cardNumbers.length) return;
    await this.advanceOrders(em, cardNumbers, 'close', 'card opposed');
    await this.outbox.add(em, 'card.opposed', { cardNumbers });
  }

  /**
   * The orders of these cards, advanced by `action` where they are in a state it leaves
   * (others are left as they are: a race lost, or an order already further), with why; one
   * audit entry each (`order.<action>`, by ORDERS_FOLLOW_CARDS: the order follows its card),
   * so that an order's history records these steps as it records an operator's.
   */
  private async advanceOrders(em: EntityManager, cardNumbers: string[], action: OrderAction, why: string): Promise<void> {
    if (!cardNumbers.length) return;
    const to = orderTransition(fromStatesFor(action)[0], action);
    const moved = await rowsReturned<{ id: string; from: string }>(
      em,
      `WITH before AS (SELECT id, status FROM card_order
                        WHERE id IN (SELECT order_id FROM card WHERE card_number = ANY($1::text[]) AND order_id IS NOT NULL)
                          AND status = ANY($2) FOR UPDATE)
       UPDATE card_order o SET status = $3, status_reason = $4, updated_at = now() FROM before
        WHERE o.id = before.id AND o.status = ANY($2)
       RETURNING o.id, before.status AS "from"`,
      [cardNumbers, fromStatesFor(action), to, why],
    );
    await this.audit.appendMany(
      em,
      moved.map((m) => ({
        actor: ORDERS_FOLLOW_CARDS,
        action: `order.${action}`,
        entity: 'card_order' as const,
        entityId: m.id,
        details: { from: m.from, to, reason: why },
      })),
    );
  }

  /** The order of a card whose opposition was just asked for (mailing: returned mail) closes now, so that its replacement can be ordered. */
  async closeOrderOf(em: EntityManager, cardNumber: string, why: string): Promise<void> {
    await this.advanceOrders(em, [cardNumber], 'close', why);
  }

  /** PIN letters printed (mailing): their cards' orders card-letter-sent → pin-letter-sent. */
  async pinLettersSent(em: EntityManager, cardNumbers: string[]): Promise<void> {
    await this.advanceOrders(em, cardNumbers, 'pin-letter-sent', 'letter of the codes printed');
  }

  /** Cards just personalized, in the caller's transaction: mailing learns of them (their card letters). */
  async personalized(em: EntityManager, cardNumbers: string[]): Promise<void> {
    if (cardNumbers.length) await this.outbox.add(em, 'card.personalized', { cardNumbers });
  }

  /**
   * Opposes a card, for good (opposition module): the one way a card enters the opposed
   * state besides activation of its replacement. A conditional update, so that of two
   * concurrent oppositions one wins; `opposedNow` tells which. Unknown card: 404.
   */
  async oppose(em: EntityManager, cardNumber: string, reason: string | null): Promise<{ card: CardView; opposedNow: boolean }> {
    checkCardNumber(cardNumber);
    const [won] = await rowsReturned<CardView>(
      em,
      `UPDATE card SET state = 'opposed', opposed_at = now(), opposition_reason = $2, updated_at = now()
        WHERE card_number = $1 AND state = ANY($3) RETURNING ${CARD_COLUMNS}`,
      [cardNumber, reason, fromStatesFor('oppose')],
    );
    if (won) {
      await this.afterOpposed(em, [won.cardNumber]);
      return { card: won, opposedNow: true };
    }
    const card = await this.getIn(em, cardNumber);
    if (!card) throw new OrdersError('card_not_found', `no card ${cardNumber}`, 404);
    return { card, opposedNow: false };
  }

  /**
   * The expiry sweep's step: opposes (reason expiry) up to `limit` cards whose end of
   * validity is before `asOf`, skipping rows another transaction holds.
   */
  async opposeExpired(
    em: EntityManager,
    asOf: string,
    limit: number,
  ): Promise<Array<{ cardNumber: string; validUntil: string; opposedAt: Date }>> {
    const rows = await rowsReturned<{ cardNumber: string; validUntil: string; opposedAt: Date }>(
      em,
      `UPDATE card SET state = 'opposed', opposed_at = now(), opposition_reason = 'expiry', updated_at = now()
        WHERE card_number IN (SELECT card_number FROM card WHERE state <> 'opposed' AND valid_until < $1::date
                               ORDER BY valid_until, card_number LIMIT $2 FOR UPDATE SKIP LOCKED)
          AND state = ANY($3)
       RETURNING card_number AS "cardNumber", to_char(valid_until, 'YYYY-MM-DD') AS "validUntil", opposed_at AS "opposedAt"`,
      [asOf, limit, fromStatesFor('oppose')],
    );
    await this.afterOpposed(
      em,
      rows.map((r) => r.cardNumber),
    );
    return rows;
  }

  /**
   * What an expiry sweep on `asOf` would do: `due`, the cards not opposed whose end of
   * validity is before `asOf`, among `valid`, every card not opposed.
   */
  async expiryCounts(asOf: string): Promise<{ due: number; valid: number }> {
    const [row]: Array<{ due: number; valid: number }> = await this.ds.query(
      `SELECT count(*) FILTER (WHERE valid_until < $1::date)::int AS due, count(*)::int AS valid
         FROM card WHERE state = ANY($2)`,
      [asOf, fromStatesFor('oppose')],
    );
    return row;
  }

  /** Opposed cards, as the opposition module records them (its requests name them). */
  async opposedCards(em: EntityManager, cardNumbers: string[]): Promise<CardView[]> {
    return em.query(`SELECT ${CARD_COLUMNS} FROM card WHERE card_number = ANY($1::text[]) AND state = 'opposed'`, [cardNumbers]);
  }

  /**
   * A card's status for relying services: valid, opposed (reason, time) or unknown. A card
   * past its end of validity that the daily sweep has not reached yet is already opposed
   * (reason expiry, from the end of its last valid day, Paris time).
   */
  async status(cardNumber: string, ownPool?: Pool): Promise<CardStatus> {
    checkCardNumber(cardNumber);
    // Straight to the pool with a named (prepared) statement: this sits in authentication paths.
    // The API passes a pool of the route's own, that a saturated main pool cannot starve.
    const pool = ownPool ?? (this.ds.driver as unknown as { master: Pool }).master;
    const { rows } = await pool.query<{ state: string; reason: string | null; opposedAt: Date | null; expiredAt: Date | null }>({
      name: 'card-status',
      text: `SELECT state, opposition_reason AS reason, opposed_at AS "opposedAt",
                    CASE WHEN valid_until < $2::date
                         THEN ((valid_until + 1)::timestamp AT TIME ZONE 'Europe/Paris') END AS "expiredAt"
               FROM card WHERE card_number = $1`,
      values: [cardNumber, this.clock.today()],
    });
    const c = rows[0];
    if (!c) return { cardNumber, status: 'unknown' };
    if (c.state === 'opposed') return { cardNumber, status: 'opposed', reason: c.reason, opposedAt: c.opposedAt };
    if (c.expiredAt) return { cardNumber, status: 'opposed', reason: 'expiry', opposedAt: c.expiredAt };
    return { cardNumber, status: 'valid' };
  }

  /**
   * Among `orderIds`, the orders whose card will never be mailed nor used: the order cancelled
   * or rejected, or its card opposed, each with why (mailing's daily sweep destroys their codes).
   */
  async endedOrders(em: EntityManager, orderIds: string[]): Promise<Array<{ orderId: string; why: string }>> {
    if (!orderIds.length) return [];
    return em.query(
      `SELECT o.id AS "orderId",
              CASE WHEN c.state = 'opposed' THEN 'card opposed' ELSE 'order ' || o.status END AS why
         FROM card_order o LEFT JOIN card c ON c.order_id = o.id
        WHERE o.id = ANY($1::uuid[]) AND (o.status IN ('cancelled', 'rejected') OR c.state = 'opposed')`,
      [orderIds],
    );
  }

  /** The cards of `cardNumbers` that exist, in the order asked (another module's reads, in its transaction when given). */
  async byNumbers(cardNumbers: string[], em: EntityManager = this.ds.manager): Promise<CardView[]> {
    if (!cardNumbers.length) return [];
    return em.query(
      `SELECT ${CARD_COLUMNS} FROM card JOIN unnest($1::text[]) WITH ORDINALITY AS k(n, i) ON k.n = card_number ORDER BY k.i`,
      [cardNumbers],
    );
  }

  private async getIn(em: EntityManager, cardNumber: string): Promise<CardView | undefined> {
    const [row] = await em.query(`SELECT ${CARD_COLUMNS} FROM card WHERE card_number = $1`, [cardNumber]);
    return row;
  }

  async get(cardNumber: string): Promise<CardView> {
    checkCardNumber(cardNumber);
    const rows = await this.ds.query(`SELECT ${CARD_COLUMNS} FROM card WHERE card_number = $1`, [cardNumber]);
    if (!rows.length) throw new OrdersError('card_not_found', `no card ${cardNumber}`, 404);
    return rows[0];
  }

  /** The number of the card personalized for an order (one at most), null before. */
  async numberForOrder(orderId: string): Promise<string | null> {
    const [row]: Array<{ n: string }> = await this.ds.query(`SELECT card_number AS n FROM card WHERE order_id = $1`, [orderId]);
    return row?.n ?? null;
  }

  async byHolder(nationalId: string) {
    return this.ds.query(`SELECT ${CARD_COLUMNS} FROM card WHERE national_id = $1 ORDER BY valid_from DESC, card_number`, [nationalId]);
  }

  /** One page of a holder's cards (latest first), and how many they have. */
  async listByHolder(q: { nationalId: string; page?: number; pageSize?: number }) {
    return paged(this.ds, {
      select: CARD_COLUMNS,
      from: 'card',
      where: (p) => `WHERE national_id = ${p(q.nationalId)}`,
      orderBy: 'valid_from DESC, card_number',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 50,
    });
  }
}
