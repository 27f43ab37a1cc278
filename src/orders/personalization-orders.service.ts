import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Clock } from '../common/clock/clock';
import type { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { isUniqueViolation } from '../common/database/errors';
import { rowsReturned } from '../common/database/returning';
import { errorText } from '../common/errors/error-text';
import type { CardContent } from '../rpps/rpps.service';
import { CARD_COLUMNS, CardsService, type CardView } from './cards.service';
import { OrdersError } from './orders.errors';
import { type Generation, validUntil } from './validity';
import { fromStatesFor, orderTransition } from './workflow';

/**
 * An order taken by one encoder station for one card: what the card is written from. The
 * card number and the validity dates are fixed at the claim (the number is never reused,
 * even when this card fails); only the claim's token may record the outcome.
 */
export interface PersonalizationClaim {
  orderId: string;
  token: string;
  station: string;
  /** This card's rank among the cards tried for the order, from 1. */
  attempt: number;
  cardType: string;
  generation: Generation;
  content: CardContent;
  replacesCard: string | null;
  cardNumber: string;
  validFrom: string;
  validUntil: string;
}

/** Why a claimed order's card failed, as the station saw it (never a code in the message). */
export interface PersonalizationFailureReport {
  /** Writing had begun: the chip is spoiled and never takes another order. */
  spoiled: boolean;
  chipSerial: string | null;
  stage: string;
  code: string;
  message: string;
  /**
   * The order itself cannot be written (its data does not fit the profile, its codes cannot be
   * opened): no other card would do better, so it goes to `failed` at once for an operator.
   */
  orderAtFault?: boolean;
}

const ACTOR = 'personalization';

/**
 * The orders side of personalization (the order and card tables belong to this module):
 * claiming the next approved order for a blank card, recording the personalized card with
 * the order's transition and an audit entry in one transaction, and giving a failed card's
 * order back to the queue (or to `failed` after the configured number of cards).
 */
@Injectable()
export class PersonalizationOrdersService {
  constructor(
    private readonly ds: DataSource,
    private readonly cards: CardsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /** How many approved orders wait for a card. */
  async pendingCount(): Promise<number> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM card_order WHERE status = ANY($1)`, [
      fromStatesFor('start-personalization'),
    ]);
    return n;
  }

  /**
   * Refuses a chip already bound to a card, spoiled earlier, or named by another station's
   * claim: a card of our stock is written once. Called before anything is written.
   */
  async checkChipUnused(chipSerial: string): Promise<void> {
    const [row] = await this.ds.query(
      `SELECT (SELECT card_number FROM card WHERE chip_serial = $1) AS bound,
              (SELECT order_id FROM spoiled_card WHERE chip_serial = $1) AS spoiled,
              (SELECT claimed_by FROM card_order WHERE claimed_chip_serial = $1 LIMIT 1) AS claimed`,
      [chipSerial],
    );
    if (row.bound) throw new OrdersError('chip_already_used', `chip ${chipSerial} already holds card ${row.bound}`, 409);
    if (row.spoiled) throw new OrdersError('chip_already_used', `chip ${chipSerial} was spoiled earlier (order ${row.spoiled})`, 409);
    if (row.claimed) throw new OrdersError('chip_already_used', `chip ${chipSerial} is being written by ${row.claimed}`, 409);
  }

  /**
   * Takes the oldest approved order for `station` and the blank chip `chipSerial` (approved →
   * personalizing), allocates its card number and computes its validity from today. Null when
   * none waits. Two stations never take the same order (row lock, SKIP LOCKED, conditional
   * transition). The chip is named on the claim before anything is written: a claim given back
   * unrecorded spoils it (see releaseStale).
   */
  async claimNext(station: string, chipSerial: string): Promise<PersonalizationClaim | null> {
    for (;;) {
      const claim = await this.claimOne(station, chipSerial).catch((e: unknown) => {
        // Another station claimed this serial since checkChipUnused (two cards with one serial).
        if (isUniqueViolation(e, 'card_order_claimed_chip_idx')) {
          throw new OrdersError('chip_already_used', `chip ${chipSerial} is being written by another station`, 409);
        }
        throw e;
      });
      // An order that no card can be written from was failed: take the next one.
      if (claim !== 'skipped') return claim;
    }
  }

  private async claimOne(station: string, chipSerial: string): Promise<PersonalizationClaim | null | 'skipped'> {
    return this.ds.transaction(async (em) => {
      const [row] = await rowsReturned<{
        id: string;
        token: string;
        attempt: number;
        cardType: string;
        generation: Generation;
        content: CardContent;
        replacesCard: string | null;
      }>(
        em,
        `UPDATE card_order o SET status = $3, claim_token = gen_random_uuid(), claimed_by = $1, claimed_at = now(),
                claimed_chip_serial = $4, personalization_attempts = personalization_attempts + 1, status_reason = NULL, updated_at = now()
          WHERE o.id = (SELECT id FROM card_order WHERE status = ANY($2) ORDER BY approved_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING o.id, o.claim_token AS token, o.personalization_attempts AS attempt, o.card_type AS "cardType", o.generation,
                    o.content, o.replaces_card AS "replacesCard"`,
        [station, fromStatesFor('start-personalization'), orderTransition('approved', 'start-personalization'), chipSerial],
      );
      if (!row) return null;
      if (!row.content || !row.generation) {
        // Not a card's fault and no card will fix it: the order goes to `failed` for an operator, and the station takes the next.
        await em.query(
          `UPDATE card_order SET status = $2, status_reason = 'approved without frozen content or generation', ${CLAIM_CLEARED},
                  personalization_attempts = personalization_attempts - 1 WHERE id = $1`,
          [row.id, orderTransition('personalizing', 'fail')],
        );
        await this.audit.append(em, {
          actor: ACTOR,
          action: 'order.fail',
          entity: 'card_order',
          entityId: row.id,
          details: { station, code: 'no_content' },
        });
        return 'skipped';
      }
      const cardNumber = await this.cards.allocateNumber(em);
      const validFrom = this.clock.today();
      await this.audit.append(em, {
        actor: ACTOR,
        action: 'order.start-personalization',
        entity: 'card_order',
        entityId: row.id,
        details: { station, attempt: row.attempt, cardNumber },
      });
      return {
        orderId: row.id,
        token: row.token,
        station,
        attempt: row.attempt,
        cardType: row.cardType,
        generation: row.generation,
        content: row.content,
        replacesCard: row.replacesCard,
        cardNumber,
        validFrom,
        validUntil: validUntil(validFrom, row.generation),
      };
    });
  }

  /**
   * The card was written, read back and activated: the card (personalized, bound to its
   * chip), the order's transition and the audit entry, in one transaction. Refused (409
   * `claim_lost`) when the claim is no longer this station's: the order was given back
   * meanwhile, and this chip must then be recorded as spoiled by the caller.
   */
  async recordPersonalized(claim: PersonalizationClaim, chipSerial: string): Promise<CardView> {
    return this.ds.transaction(async (em) => {
      // Recorded already (a retry whose first commit's answer was lost): the same card, not a lost claim.
      const [already]: CardView[] = await em.query(
        `SELECT ${CARD_COLUMNS} FROM card WHERE card_number = $1 AND chip_serial = $2 AND order_id = $3`,
        [claim.cardNumber, chipSerial, claim.orderId],
      );
      if (already) return already;
      await this.holdClaim(em, claim);
      await em.query(
        `UPDATE card_order SET status = $3, ${CLAIM_CLEARED}, updated_at = now()
          WHERE id = $1 AND claim_token = $2`,
        [claim.orderId, claim.token, orderTransition('personalizing', 'personalized')],
      );
      const c = claim.content;
      const [card] = await rowsReturned<CardView>(
        em,
        `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, last_name,
                           first_name, valid_from, valid_until, chip_serial, state, order_id, replaces_card, source)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, 'personalized', $11, $12, 'order')
         RETURNING ${CARD_COLUMNS}`,
        [
          claim.cardNumber,
          claim.cardType,
          claim.generation,
          c.nationalId,
          c.professionCode,
          c.lastName ?? '',
          c.firstName ?? '',
          claim.validFrom,
          claim.validUntil,
          chipSerial,
          claim.orderId,
          claim.replacesCard,
        ],
      );
      await this.audit.appendMany(em, [
        {
          actor: ACTOR,
          action: 'order.personalized',
          entity: 'card_order',
          entityId: claim.orderId,
          details: { cardNumber: claim.cardNumber, station: claim.station, attempt: claim.attempt },
        },
        {
          actor: ACTOR,
          action: 'card.personalize',
          entity: 'card',
          entityId: claim.cardNumber,
          details: { orderId: claim.orderId, chipSerial, station: claim.station, validFrom: claim.validFrom, validUntil: claim.validUntil },
        },
      ]);
      await this.cards.personalized(em, [claim.cardNumber]);
      return card;
    });
  }

  /**
   * A claimed order's card failed. A spoiled chip is recorded (never used again); the order
   * goes back to the queue for the next blank card, or to `failed` (an operator sees it)
   * once `PERSONALIZATION_MAX_ATTEMPTS` cards were spoiled for it. A failure before writing
   * began does not count as an attempt. Returns the order's new status.
   */
  async recordFailure(claim: PersonalizationClaim, f: PersonalizationFailureReport): Promise<'approved' | 'failed' | 'claim-lost'> {
    return this.ds.transaction(async (em) => {
      if (f.spoiled && f.chipSerial) await this.spoil(em, claim, f.chipSerial, f);
      const [row] = await rowsReturned<{ status: 'approved' | 'failed'; attempts: number }>(
        em,
        `UPDATE card_order SET
                personalization_attempts = personalization_attempts - CASE WHEN $3 THEN 0 ELSE 1 END,
                status = CASE WHEN $6 OR ($3 AND personalization_attempts >= $4) THEN $7 ELSE $8 END,
                status_reason = $5, ${CLAIM_CLEARED}, updated_at = now()
          WHERE id = $1 AND claim_token = $2 AND status = ANY($9)
          RETURNING status, personalization_attempts AS attempts`,
        [
          claim.orderId,
          claim.token,
          f.spoiled,
          this.cfg.PERSONALIZATION_MAX_ATTEMPTS,
          failureReason(f),
          !!f.orderAtFault,
          orderTransition('personalizing', 'fail'),
          orderTransition('personalizing', 'release'),
          fromStatesFor('release'),
        ],
      );
      if (!row) {
        // The order was given back (silent station, cancel, cessation) while this card was written:
        // say so where operators look, with the card number the chip may carry.
        if (f.spoiled && f.chipSerial) {
          await this.audit.append(em, {
            actor: ACTOR,
            action: 'order.claim-lost',
            entity: 'card_order',
            entityId: claim.orderId,
            details: { station: claim.station, cardNumber: claim.cardNumber, chipSerial: f.chipSerial, stage: f.stage, code: f.code },
          });
        }
        return 'claim-lost';
      }
      await this.audit.append(em, {
        actor: ACTOR,
        action: row.status === 'failed' ? 'order.fail' : 'order.release',
        entity: 'card_order',
        entityId: claim.orderId,
        details: {
          station: claim.station,
          cardNumber: claim.cardNumber,
          chipSerial: f.chipSerial,
          spoiled: f.spoiled,
          stage: f.stage,
          code: f.code,
          attempts: row.attempts,
        },
      });
      return row.status;
    });
  }

  /**
   * The claims named (by token) are held by live stations: renewed, so that releaseStale gives
   * back only the orders of a station that went silent (not one writing a slow card). By token,
   * not by station: a station restarted by a new process never keeps its dead predecessor's claim alive.
   */
  async renewClaims(tokens: string[]): Promise<void> {
    if (!tokens.length) return;
    await this.ds.query(`UPDATE card_order SET claimed_at = now() WHERE claim_token = ANY($1::uuid[]) AND claim_token IS NOT NULL`, [
      tokens,
    ]);
  }

  /**
   * Orders left personalizing by a station that went silent (its process died, its host
   * lost the database) for longer than `olderThanSeconds`: given back (see giveBack).
   * Returns how many.
   */
  async releaseStale(olderThanSeconds: number): Promise<number> {
    return this.giveBack(
      `claimed_at < now() - make_interval(secs => $1)`,
      [olderThanSeconds],
      'its encoder station went silent while writing',
    );
  }

  /**
   * A station starts (a new process, or its loop restarted after an error): it holds no claim
   * yet, so any order still claimed under its id was left by its previous run and is given back
   * at once (see giveBack), instead of waiting for the claim timeout.
   */
  async releaseStation(station: string): Promise<number> {
    return this.giveBack(`claimed_by = $1`, [station], 'its encoder station restarted while writing');
  }

  /**
   * Gives back the personalizing orders `where` selects: back to the queue, or to `failed` past
   * the attempts. The chip each claim named is spoiled (writing may have begun, or ended without
   * its record: such a card must never be used), so no written card goes unrecorded.
   */
  private async giveBack(where: string, params: unknown[], reason: string): Promise<number> {
    const n = params.length;
    return this.ds.transaction(async (em) => {
      const rows = await rowsReturned<{ id: string; status: string; station: string; chipSerial: string | null }>(
        em,
        `WITH stale AS (SELECT id, claimed_by, claimed_chip_serial FROM card_order
                         WHERE status = ANY($${n + 1}) AND ${where} FOR UPDATE SKIP LOCKED)
         UPDATE card_order o SET status = CASE WHEN personalization_attempts >= $${n + 2} THEN $${n + 3} ELSE $${n + 4} END,
                status_reason = $${n + 5}, ${CLAIM_CLEARED}, updated_at = now()
           FROM stale WHERE o.id = stale.id
         RETURNING o.id, o.status, stale.claimed_by AS station, stale.claimed_chip_serial AS "chipSerial"`,
        [
          ...params,
          fromStatesFor('release'),
          this.cfg.PERSONALIZATION_MAX_ATTEMPTS,
          orderTransition('personalizing', 'fail'),
          orderTransition('personalizing', 'release'),
          reason,
        ],
      );
      await spoilAbandonedChips(em, rows, reason);
      await this.audit.appendMany(
        em,
        rows.map((r) => ({
          actor: ACTOR,
          action: r.status === 'failed' ? 'order.fail' : 'order.release',
          entity: 'card_order' as const,
          entityId: r.id,
          details: { station: r.station, chipSerial: r.chipSerial, stale: true, reason },
        })),
      );
      return rows.length;
    });
  }

  /** The chips spoiled for an order, oldest first (GET /api/v1/orders/:id: the cards to destroy). */
  async spoiledFor(
    orderId: string,
  ): Promise<Array<{ chipSerial: string; cardNumber: string | null; stage: string; errorCode: string; spoiledAt: Date }>> {
    return this.ds.query(
      `SELECT chip_serial AS "chipSerial", card_number AS "cardNumber", stage, error_code AS "errorCode", spoiled_at AS "spoiledAt"
         FROM spoiled_card WHERE order_id = $1 ORDER BY spoiled_at, chip_serial`,
      [orderId],
    );
  }

  private async holdClaim(em: EntityManager, claim: PersonalizationClaim): Promise<void> {
    const [row] = await em.query(`SELECT status, claim_token AS token FROM card_order WHERE id = $1 FOR UPDATE`, [claim.orderId]);
    if (row?.status !== 'personalizing' || row.token !== claim.token) {
      throw new OrdersError(
        'claim_lost',
        `order ${claim.orderId} is no longer being personalized by ${claim.station} (now ${row?.status ?? 'unknown'})`,
        409,
      );
    }
  }

  private async spoil(
    em: EntityManager,
    claim: PersonalizationClaim,
    chipSerial: string,
    f: Pick<PersonalizationFailureReport, 'stage' | 'code' | 'message'>,
  ): Promise<void> {
    // A chip bound to a card is that card's, even when recording it looked failed (its answer lost).
    // A row left by an abandoned claim (stage unknown, no number) learns how far this card got and its number.
    await em.query(
      `INSERT INTO spoiled_card (chip_serial, order_id, card_number, station, stage, error_code, error)
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM card WHERE chip_serial = $1)
       ON CONFLICT (chip_serial) DO UPDATE SET card_number = COALESCE(spoiled_card.card_number, EXCLUDED.card_number), stage = EXCLUDED.stage
        WHERE spoiled_card.order_id = EXCLUDED.order_id AND spoiled_card.stage = 'unknown'`,
      [chipSerial, claim.orderId, claim.cardNumber, claim.station, f.stage, f.code, errorText(f.message)],
    );
  }
}

/** What clears an order's claim in an UPDATE's SET list. */
const CLAIM_CLEARED = 'claim_token = NULL, claimed_by = NULL, claimed_at = NULL, claimed_chip_serial = NULL';

/**
 * Ends the claims of orders about to be cancelled (by an operator, or by the registry's
 * cessation): the chip each named is spoiled (its writing may have begun), so the station
 * still writing it finds its claim lost. Called in the cancelling transaction, before the status changes.
 */
export async function abandonClaims(em: EntityManager, orderIds: string[], reason: string): Promise<void> {
  if (!orderIds.length) return;
  const rows = await rowsReturned<{ id: string; station: string; chipSerial: string | null }>(
    em,
    `WITH c AS (SELECT id, claimed_by, claimed_chip_serial FROM card_order WHERE id = ANY($1::uuid[]) AND claim_token IS NOT NULL FOR UPDATE)
     UPDATE card_order o SET ${CLAIM_CLEARED} FROM c WHERE o.id = c.id
     RETURNING o.id, c.claimed_by AS station, c.claimed_chip_serial AS "chipSerial"`,
    [orderIds],
  );
  await spoilAbandonedChips(em, rows, reason);
}

/**
 * Records as spoiled the chips named by claims that ended without their card being recorded
 * (stage `unknown`: writing may have begun or even ended). Called in the transaction that ends the claims.
 */
export async function spoilAbandonedChips(
  em: EntityManager,
  claims: Array<{ id: string; station: string; chipSerial: string | null }>,
  reason: string,
): Promise<void> {
  const named = claims.filter((c) => c.chipSerial);
  if (!named.length) return;
  await em.query(
    `INSERT INTO spoiled_card (chip_serial, order_id, station, stage, error_code, error)
     SELECT chip, order_id, station, 'unknown', 'claim_abandoned', $4 FROM unnest($1::text[], $2::uuid[], $3::text[]) AS t(chip, order_id, station)
     ON CONFLICT (chip_serial) DO NOTHING`,
    [named.map((c) => c.chipSerial), named.map((c) => c.id), named.map((c) => c.station), reason],
  );
}

function failureReason(f: PersonalizationFailureReport): string {
  return `${f.spoiled ? 'card spoiled' : 'card failed before writing'} at ${f.stage}: ${f.code}`;
}
