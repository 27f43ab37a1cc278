import { basename } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Clock } from '../common/clock/clock';
import { isUniqueViolation } from '../common/database/errors';
import { paged } from '../common/database/paged';
import { rowsReturned } from '../common/database/returning';
import { OutboxService } from '../common/outbox/outbox.service';
import { professionLabelSql } from '../rpps/professions';
import { CardHolderRecord, CardHoldersExtract, ExtractFormatError, readCardHolders } from './card-holders-reader';
import { cardNumberFromSequence } from './card-number';
import { OrdersError } from './orders.errors';
import { cardTransition, fromStatesFor } from './workflow';

export interface CardsImportResult {
  rowsRead: number;
  cardsCreated: number;
  cardsUpdated: number;
  rowsRejected: number;
  rejects: Array<{ line: number; reason: string }>;
}

const MAX_REJECTS = 1000;
const BATCH = 2000;

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
          const [req] = await em.query(
            `INSERT INTO opposition_request (card_number, reason, source, source_ref) VALUES ($1, 'replacement', 'system', $2)
             ON CONFLICT DO NOTHING RETURNING id::text AS id`,
            [card.replacesCard, `activation:${cardNumber}`],
          );
          if (req) await this.outbox.add(em, 'card.opposition-requested', { requestId: req.id });
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
      await this.audit.append(em, { actor, action: 'card.activate', entity: 'card', entityId: cardNumber, details: { replaced } });
      return { ...(await this.getIn(em, cardNumber)), replaced };
    });
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
    if (won) return { card: won, opposedNow: true };
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
    return rowsReturned(
      em,
      `UPDATE card SET state = 'opposed', opposed_at = now(), opposition_reason = 'expiry', updated_at = now()
        WHERE card_number IN (SELECT card_number FROM card WHERE state <> 'opposed' AND valid_until < $1::date
                               ORDER BY valid_until, card_number LIMIT $2 FOR UPDATE SKIP LOCKED)
          AND state = ANY($3)
       RETURNING card_number AS "cardNumber", to_char(valid_until, 'YYYY-MM-DD') AS "validUntil", opposed_at AS "opposedAt"`,
      [asOf, limit, fromStatesFor('oppose')],
    );
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

  private async getIn(em: EntityManager, cardNumber: string): Promise<CardView | undefined> {
    const [row] = await em.query(`SELECT ${CARD_COLUMNS} FROM card WHERE card_number = $1`, [cardNumber]);
    return row;
  }

  async get(cardNumber: string) {
    checkCardNumber(cardNumber);
    const rows = await this.ds.query(`SELECT ${CARD_COLUMNS} FROM card WHERE card_number = $1`, [cardNumber]);
    if (!rows.length) throw new OrdersError('card_not_found', `no card ${cardNumber}`, 404);
    return rows[0];
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

  /**
   * `cards:import`: the existing card base (Porteurs_CPS_CPF). Cards start active, or opposed
   * when the file gives an opposition date (the file gives no reason: it stays unknown, and
   * such a card is not renewed); an opposed card stays opposed. Idempotent: a
   * second import of the same file changes nothing. Bad lines are rejected with their number.
   */
  async importHolders(path: string, actor: string): Promise<CardsImportResult> {
    let extract: CardHoldersExtract;
    try {
      extract = await readCardHolders(path);
    } catch (e) {
      if (e instanceof ExtractFormatError) throw new OrdersError('unusable_input', `"${basename(path)}": ${e.message}`, 400);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new OrdersError('unusable_input', `"${path}": no such file`, 400);
      throw e;
    }
    const result: CardsImportResult = { rowsRead: 0, cardsCreated: 0, cardsUpdated: 0, rowsRejected: 0, rejects: [] };
    const reject = (line: number, reason: string) => {
      result.rowsRejected += 1;
      if (result.rejects.length < MAX_REJECTS) result.rejects.push({ line, reason });
    };
    await this.ds.transaction(async (em) => {
      let batch: CardHolderRecord[] = [];
      let handedOver: string | null = null;
      const flush = async () => {
        if (batch.length) {
          await this.upsertBatch(em, batch, result, reject);
          const first = await this.handOverOpposed(
            em,
            batch.map((r) => r.cardNumber),
          );
          handedOver ??= first;
        }
        batch = [];
      };
      for await (const lines of extract.batches) {
        for (const r of lines) {
          result.rowsRead += 1;
          if (!r.ok) reject(r.lineNo, r.reason);
          else batch.push(r.record);
          if (batch.length >= BATCH) await flush();
        }
      }
      await flush();
      if (handedOver) await this.outbox.add(em, 'card.opposition-requested', { requestId: handedOver });
      await this.audit.append(em, {
        actor,
        action: 'cards.import',
        entity: 'card',
        entityId: basename(path),
        details: { ...result, rejects: undefined },
      });
    });
    return result;
  }

  private async upsertBatch(
    em: EntityManager,
    batch: CardHolderRecord[],
    result: CardsImportResult,
    reject: (line: number, reason: string) => void,
  ): Promise<void> {
    await em.query('SAVEPOINT cards_batch');
    try {
      const counts = await this.upsert(em, batch);
      await em.query('RELEASE SAVEPOINT cards_batch');
      result.cardsCreated += counts.created;
      result.cardsUpdated += counts.updated;
      return;
    } catch (e) {
      await em.query('ROLLBACK TO SAVEPOINT cards_batch');
      if (!isUniqueViolation(e, 'card_one_active_idx')) throw e;
    }
    // A second active card for one holder, profession and type: find it line by line.
    for (const r of batch) {
      await em.query('SAVEPOINT cards_row');
      try {
        const counts = await this.upsert(em, [r]);
        await em.query('RELEASE SAVEPOINT cards_row');
        result.cardsCreated += counts.created;
        result.cardsUpdated += counts.updated;
      } catch (_e) {
        await em.query('ROLLBACK TO SAVEPOINT cards_row');
        const [other] = await em.query(
          `SELECT card_number FROM card WHERE national_id = $1 AND profession_code = $2 AND card_type = $3 AND state = 'active'`,
          [r.nationalId, r.professionCode, r.cardType],
        );
        reject(
          r.lineNo,
          `card ${r.cardNumber}: another active ${r.cardType} card (${other?.card_number ?? '?'}) exists for ` +
            `${r.nationalId}, profession ${r.professionCode}; at most one may be active`,
        );
      }
    }
  }

  /**
   * Cards the old base gives as opposed are handed to opposition (a request without a
   * reason, once per card) so that they reach the CRL; returns the first request's id.
   */
  private async handOverOpposed(em: EntityManager, cardNumbers: string[]): Promise<string | null> {
    const rows: Array<{ id: string }> = await em.query(
      `INSERT INTO opposition_request (card_number, reason, source, source_ref)
       SELECT c.card_number, NULL, 'import', 'cards:import' FROM card c
        WHERE c.card_number = ANY($1::text[]) AND c.state = 'opposed' AND c.source = 'import' AND c.opposition_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM opposition_request r WHERE r.card_number = c.card_number)
       ORDER BY c.card_number
       RETURNING id::text AS id`,
      [cardNumbers],
    );
    return rows[0]?.id ?? null;
  }

  /** Inserts or updates cards; an opposed card is never brought back. */
  private async upsert(em: EntityManager, rows: CardHolderRecord[]): Promise<{ created: number; updated: number }> {
    const col = <K extends keyof CardHolderRecord>(k: K) => rows.map((r) => r[k]);
    const out: Array<{ inserted: boolean }> = await em.query(
      `INSERT INTO card (card_number, card_type, national_id, national_id_in_card, profession_code, last_name, first_name,
                         valid_from, valid_until, state, source, opposed_at, opposition_reason)
       SELECT n, t, nid, COALESCE(NULLIF(nic, ''), nid), p, ln, fn, vf::date, vu::date,
              CASE WHEN op IS NULL THEN 'active' ELSE 'opposed' END, 'import', op::timestamptz,
              NULL
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
              AS x(n, t, nid, nic, p, ln, fn, vf, vu, op)
       ON CONFLICT (card_number) DO UPDATE SET
              national_id_in_card = EXCLUDED.national_id_in_card, last_name = EXCLUDED.last_name, first_name = EXCLUDED.first_name,
              valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
              state = CASE WHEN card.state = 'opposed' THEN 'opposed' ELSE EXCLUDED.state END,
              opposed_at = COALESCE(card.opposed_at, EXCLUDED.opposed_at),
              opposition_reason = COALESCE(card.opposition_reason, EXCLUDED.opposition_reason),
              updated_at = now()
        WHERE card.source = 'import'
          AND (card.national_id_in_card, card.last_name, card.first_name, card.valid_from, card.valid_until, card.state,
               card.opposed_at IS NULL)
              IS DISTINCT FROM (EXCLUDED.national_id_in_card, EXCLUDED.last_name, EXCLUDED.first_name, EXCLUDED.valid_from,
               EXCLUDED.valid_until, CASE WHEN card.state = 'opposed' THEN 'opposed' ELSE EXCLUDED.state END,
               COALESCE(card.opposed_at, EXCLUDED.opposed_at) IS NULL)
       RETURNING (xmax = 0) AS inserted`,
      [
        col('cardNumber'),
        col('cardType'),
        col('nationalId'),
        col('nationalIdInCard'),
        col('professionCode'),
        col('lastName'),
        col('firstName'),
        col('validFrom'),
        col('validUntil'),
        col('opposedOn'),
      ],
    );
    const created = out.filter((o) => o.inserted).length;
    return { created, updated: out.length - created };
  }
}
