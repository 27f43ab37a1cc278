import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { parisDate } from '../common/clock/clock';
import { rowsReturned } from '../common/database/returning';
import { isUuid } from '../common/database/uuid';
import { CardsService } from '../orders/cards.service';
import { OrderActor, OrdersService } from '../orders/orders.service';
import { MailingError } from './mailing.errors';

/**
 * What happens to letters after their batch (issue 11): printing recorded (a card letter
 * printed sends its card), returned mail (the card opposed for non-receipt, a replacement
 * ordered), reprints of a PIN letter within the window (asked by one principal, approved by
 * another), and the codes destroyed once the window has passed.
 */
@Injectable()
export class MailingLettersService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly cards: CardsService,
    private readonly orders: OrdersService,
  ) {}

  /** A rendered batch was printed: its letters printed; a card letter's card goes personalized → sent. */
  async printed(
    batchId: string,
    by: OrderActor,
  ): Promise<{ batchId: string; number: number; kind: string; letters: number; cardsSent: number }> {
    checkId(batchId, 'batch_not_found', 'mailing batch');
    return this.ds.transaction(async (em) => {
      const [batch] = await rowsReturned<{ number: string; kind: string }>(
        em,
        `UPDATE mailing_batch SET state = 'printed', printed_at = now(), printed_by = $2 WHERE id = $1 AND state = 'ready'
         RETURNING number::text, kind`,
        [batchId, by.actor],
      );
      if (!batch) {
        const [row]: Array<{ number: string; state: string }> = await em.query(
          `SELECT number::text, state FROM mailing_batch WHERE id = $1`,
          [batchId],
        );
        if (!row) throw new MailingError('batch_not_found', `no mailing batch ${batchId}`, 404);
        throw new MailingError(
          'batch_not_ready',
          row.state === 'printed'
            ? `batch ${row.number} was already recorded as printed`
            : `batch ${row.number} is still being rendered: its PDF is not written yet`,
          409,
          { batchId, state: row.state },
        );
      }
      const letters = await rowsReturned<{ card_number: string }>(
        em,
        `UPDATE mailing_letter SET state = 'printed', printed_at = now(), updated_at = now()
          WHERE batch_id = $1 AND state = 'batched' RETURNING card_number`,
        [batchId],
      );
      const number = Number(batch.number);
      if (batch.kind === 'pin-letter') {
        await this.cards.pinLettersSent(
          em,
          letters.map((l) => l.card_number),
        );
      }
      const sent =
        batch.kind === 'card-letter'
          ? await this.cards.sent(
              em,
              letters.map((l) => l.card_number),
              by.actor,
              { batch: number },
            )
          : [];
      await this.audit.append(em, {
        actor: by.actor,
        action: 'mailing.batch.printed',
        entity: 'mailing_batch',
        entityId: batchId,
        details: { number, kind: batch.kind, letters: letters.length, cardsSent: sent.length },
      });
      return { batchId, number, kind: batch.kind, letters: letters.length, cardsSent: sent.length };
    });
  }

  /**
   * A printed letter came back: the card is opposed (non-receipt: its card letter, or its
   * codes, may be in other hands) through the orders module, and a replacement ordered as
   * after a helpdesk declaration (OPPOSITION_REPLACEMENT).
   */
  async returned(
    letterId: string,
    by: OrderActor,
  ): Promise<{ letterId: string; cardNumber: string; oppositionRequested: boolean; replacementOrderId: string | null }> {
    checkId(letterId, 'letter_not_found', 'letter');
    return this.ds.transaction(async (em) => {
      const [letter] = await rowsReturned<{ card_number: string; kind: string }>(
        em,
        `UPDATE mailing_letter SET state = 'returned', returned_at = now(), returned_by = $2, updated_at = now()
          WHERE id = $1 AND state = 'printed' RETURNING card_number, kind`,
        [letterId, by.actor],
      );
      if (!letter) throw await this.notPrinted(em, letterId);
      const request = await this.cards.requestOpposition(em, letter.card_number, 'non-receipt', 'mailing', `letter:${letterId}`);
      await this.cards.closeOrderOf(em, letter.card_number, `${letter.kind} returned: the card is opposed`);
      const replacementOrderId = await this.orderReplacement(em, letter.card_number);
      await this.audit.append(em, {
        actor: by.actor,
        action: 'mailing.letter.returned',
        entity: 'mailing_letter',
        entityId: letterId,
        details: { kind: letter.kind, cardNumber: letter.card_number, oppositionRequestId: request, replacementOrderId },
      });
      return { letterId, cardNumber: letter.card_number, oppositionRequested: request !== null, replacementOrderId };
    });
  }

  private async orderReplacement(em: EntityManager, cardNumber: string): Promise<string | null> {
    const [card] = await this.cards.byNumbers([cardNumber], em);
    return card ? this.orders.orderReplacement(em, card) : null;
  }

  private async notPrinted(em: EntityManager, letterId: string): Promise<MailingError> {
    const [row]: Array<{ state: string; kind: string }> = await em.query(`SELECT state, kind FROM mailing_letter WHERE id = $1`, [
      letterId,
    ]);
    if (!row) return new MailingError('letter_not_found', `no letter ${letterId}`, 404);
    return new MailingError('letter_not_printed', `the ${row.kind} ${letterId} is ${row.state}, not printed`, 409, {
      letterId,
      state: row.state,
    });
  }

  /**
   * Asks that a printed PIN letter be printed again (the holder lost it). Refused once its
   * codes are destroyed (the window passed, or the card opposed): the holder asks for a new card.
   */
  async requestReprint(letterId: string, by: OrderActor, reason: string): Promise<{ requestId: string }> {
    checkId(letterId, 'letter_not_found', 'letter');
    return this.ds.transaction(async (em) => {
      const [letter]: Array<{ kind: string; state: string; order_id: string }> = await em.query(
        `SELECT kind, state, order_id FROM mailing_letter WHERE id = $1 FOR UPDATE`,
        [letterId],
      );
      if (!letter) throw new MailingError('letter_not_found', `no letter ${letterId}`, 404);
      if (letter.kind !== 'pin-letter')
        throw new MailingError(
          'reprint_not_allowed',
          'only the letter of the codes is printed again; a card letter goes with its card',
          409,
        );
      if (letter.state !== 'printed') throw await this.notPrinted(em, letterId);
      await this.stillHeldCodes(em, letter.order_id);
      const [req]: Array<{ id: string }> = await em.query(
        `INSERT INTO mailing_reprint_request (letter_id, reason, requested_by, requested_by_principal) VALUES ($1, $2, $3, $4)
         ON CONFLICT (letter_id) WHERE state = 'requested' DO NOTHING RETURNING id`,
        [letterId, reason, by.actor, by.principalId],
      );
      if (!req) throw new MailingError('reprint_not_allowed', `a reprint of letter ${letterId} is already waiting for its approval`, 409);
      await this.audit.append(em, {
        actor: by.actor,
        action: 'mailing.reprint.request',
        entity: 'mailing_letter',
        entityId: letterId,
        details: { requestId: req.id, reason },
      });
      return { requestId: req.id };
    });
  }

  /** A second principal approves (a new PIN letter waits for the next batch) or rejects a reprint. */
  async decideReprint(
    requestId: string,
    by: OrderActor,
    approve: boolean,
  ): Promise<{ requestId: string; state: string; letterId: string | null }> {
    checkId(requestId, 'reprint_not_found', 'reprint request');
    if (by.kind !== 'person') throw new MailingError('reprint_not_allowed', 'a reprint is decided by a person, not a system account', 403);
    return this.ds.transaction(async (em) => {
      const [req]: Array<{ letter_id: string; requested_by_principal: string; state: string }> = await em.query(
        `SELECT letter_id, requested_by_principal, state FROM mailing_reprint_request WHERE id = $1 FOR UPDATE`,
        [requestId],
      );
      if (!req) throw new MailingError('reprint_not_found', `no reprint request ${requestId}`, 404);
      if (req.state !== 'requested')
        throw new MailingError('reprint_not_allowed', `reprint request ${requestId} was already ${req.state}`, 409);
      if (req.requested_by_principal === by.principalId) {
        throw new MailingError('reprint_not_allowed', 'a reprint is decided by another principal than the one who asked for it', 403);
      }
      let letterId: string | null = null;
      if (approve) {
        const [letter]: Array<{ card_number: string; order_id: string }> = await em.query(
          `SELECT card_number, order_id FROM mailing_letter WHERE id = $1`,
          [req.letter_id],
        );
        await this.stillHeldCodes(em, letter.order_id);
        [{ id: letterId }] = await em.query(
          `INSERT INTO mailing_letter (kind, card_number, order_id, state, reprint_of) VALUES ('pin-letter', $1, $2, 'waiting', $3) RETURNING id`,
          [letter.card_number, letter.order_id, req.letter_id],
        );
      }
      const state = approve ? 'approved' : 'rejected';
      await em.query(
        `UPDATE mailing_reprint_request SET state = $2, decided_by = $3, decided_by_principal = $4, decided_at = now(), reprint_letter_id = $5
          WHERE id = $1`,
        [requestId, state, by.actor, by.principalId, letterId],
      );
      await this.audit.append(em, {
        actor: by.actor,
        action: approve ? 'mailing.reprint.approve' : 'mailing.reprint.reject',
        entity: 'mailing_letter',
        entityId: req.letter_id,
        details: { requestId, reprintLetterId: letterId },
      });
      return { requestId, state, letterId };
    });
  }

  /** Refuses (409) when the order's codes are gone: then a new PIN letter is impossible. Opens nothing (the API holds no vault key). */
  private async stillHeldCodes(em: EntityManager, orderId: string): Promise<void> {
    const [row]: Array<{ destroyed_at: Date | null; destroyed_reason: string | null }> = await em.query(
      `SELECT destroyed_at, destroyed_reason FROM order_codes WHERE order_id = $1`,
      [orderId],
    );
    const why = !row
      ? 'no codes were issued for this order'
      : row.destroyed_at
        ? `the codes were destroyed on ${parisDate(row.destroyed_at)} (${row.destroyed_reason})`
        : null;
    if (why) {
      throw new MailingError(
        'reprint_not_allowed',
        `${why}: a new letter of the codes is impossible; the holder asks for a new card`,
        409,
        {
          orderId,
        },
      );
    }
  }
}

function checkId(id: string, code: 'batch_not_found' | 'letter_not_found' | 'reprint_not_found', what: string): void {
  if (!isUuid(id)) throw new MailingError(code, `no ${what} ${id}: not an id`, 404);
}
