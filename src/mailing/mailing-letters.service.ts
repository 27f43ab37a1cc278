import { rm } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Clock, parisDate } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { rowsReturned } from '../common/database/returning';
import { isUuid } from '../common/database/uuid';
import { CardsService } from '../orders/cards.service';
import { OrderActor, OrdersService } from '../orders/orders.service';
import { codesGone, whyNoCodes } from './codes-gone';
import { barcodeText } from './letters/letter-data';
import { CARD_OPPOSED, LETTER_RETURNED, LetterKind } from './mailing.entities';
import { MailingError } from './mailing.errors';
import { reprintWindow } from './reprint-window';

/** A letter of a batch recorded printed that the mail room pulls out: never mailed, left `batched`. */
export interface PulledOutLetter {
  letterId: string;
  /** Its place in the batch (its barcode is `B<batch>-<sequence>`). */
  sequence: number;
  /** The last 4 digits of its card's number. */
  cardLast4: string;
  /** card opposed, letter returned (a letter of the card came back), or opposition requested. */
  reason: (typeof PULL_OUT_REASONS)[number];
}

export interface PrintedOutcome {
  batchId: string;
  number: number;
  kind: LetterKind;
  /** The letters recorded printed (those pulled out are not). */
  letters: number;
  cardsSent: number;
  /** The letters to pull out of the printed batch before it is posted, in their sequence. */
  pullOut: PulledOutLetter[];
  /**
   * The batch's PDF: `kept` (card letters: they hold no code), `removed` (letters of the codes:
   * deleted from the spool, audited), or `pending` (letters of the codes whose PDF is not in
   * this process's spool, or could not be deleted: the next mailing run, worker or CLI, deletes it).
   */
  pdf: 'kept' | 'removed' | 'pending';
}

export interface ReturnedOutcome {
  letterId: string;
  cardNumber: string;
  oppositionRequested: boolean;
  replacementOrderId: string | null;
  /** Why no opposition was requested or no replacement ordered (null when both were). */
  reason: string | null;
  /** The card's other letters not yet in a batch, held (`letter returned`). */
  lettersHeld: number;
}

/** What an operator may give with returned mail: the barcode read on the envelope (checked), a comment (audited). */
export interface ReturnedEvidence {
  barcode?: string;
  comment?: string;
}

/** Why a letter of a batch being recorded printed is pulled out (PulledOutLetter.reason). */
const PULL_OUT = { opposed: CARD_OPPOSED, returned: LETTER_RETURNED, requested: 'opposition requested' } as const;
export const PULL_OUT_REASONS = [PULL_OUT.opposed, PULL_OUT.returned, PULL_OUT.requested] as const;

/** The letters of a batch, still batched, whose card must not get them: opposed, a letter of it returned, its opposition asked for. */
const PULL_OUT_SQL = `
  SELECT l.id AS "letterId", l.sequence, right(l.card_number, 4) AS "cardLast4",
         CASE WHEN c.state = 'opposed' THEN $2
              WHEN EXISTS (SELECT 1 FROM mailing_letter r WHERE r.card_number = l.card_number AND r.state = 'returned') THEN $3
              ELSE $4 END AS reason
    FROM mailing_letter l JOIN card c ON c.card_number = l.card_number
   WHERE l.batch_id = $1 AND l.state = 'batched'
     AND (c.state = 'opposed'
          OR EXISTS (SELECT 1 FROM mailing_letter r WHERE r.card_number = l.card_number AND r.state = 'returned')
          OR EXISTS (SELECT 1 FROM opposition_request q WHERE q.card_number = l.card_number AND q.handled_at IS NULL))
   ORDER BY l.sequence`;

/** The file name the renderer gives a batch of letters of the codes (MailingBatchesService.render). */
const PIN_PDF_NAME = /^batch-[0-9]+-pin-letter\.pdf$/;

/**
 * What happens to letters after their batch (issue 11): printing recorded (a card letter
 * printed sends its card; the PDF of letters of the codes deleted from the spool), returned
 * mail (the card opposed for non-receipt, a replacement ordered), reprints of a PIN letter
 * within the window (asked by one principal, approved by another), and the codes destroyed
 * once the window has passed.
 */
@Injectable()
export class MailingLettersService {
  private readonly log = new Logger(MailingLettersService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly cards: CardsService,
    private readonly orders: OrdersService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  /**
   * A rendered batch was printed: its letters printed; a card letter's card goes personalized → sent.
   * Refused before the batch's day (`batch_not_due`), and for letters of the codes while a card
   * letter of theirs is not recorded printed (`card_letters_not_printed`; reprints aside). Letters
   * whose card is opposed, has a letter returned or its opposition requested are pulled out
   * (`pullOut`): not printed, their cards not sent. The PDF of letters of the codes is then
   * deleted (after the commit): the codes are in no file once the letters are on paper.
   */
  async printed(batchId: string, by: OrderActor): Promise<PrintedOutcome> {
    checkId(batchId, 'batch_not_found', 'mailing batch');
    const today = this.clock.today();
    const done = await this.ds.transaction(async (em) => {
      const [batch]: Array<{ number: string; kind: LetterKind; state: string; as_of: string; pdf_path: string | null }> = await em.query(
        `SELECT number::text AS number, kind, state, to_char(as_of, 'YYYY-MM-DD') AS as_of, pdf_path FROM mailing_batch WHERE id = $1 FOR UPDATE`,
        [batchId],
      );
      if (!batch) throw new MailingError('batch_not_found', `no mailing batch ${batchId}`, 404);
      if (batch.state !== 'ready') {
        throw new MailingError(
          'batch_not_ready',
          batch.state === 'printed'
            ? `batch ${batch.number} was already recorded as printed`
            : `batch ${batch.number} is still being rendered: its PDF is not written yet`,
          409,
          { batchId, state: batch.state },
        );
      }
      if (batch.as_of > today) {
        throw new MailingError(
          'batch_not_due',
          `batch ${batch.number} is the batch of ${batch.as_of}: it is recorded printed on that day or later, not before (today is ${today})`,
          409,
          { batchId, asOf: batch.as_of },
        );
      }
      // Its cards, locked: returned mail recorded meanwhile (it locks its card) is seen here, or waits for this.
      await em.query(
        `SELECT card_number FROM card WHERE card_number IN (SELECT card_number FROM mailing_letter WHERE batch_id = $1 AND state = 'batched')
          ORDER BY card_number FOR SHARE`,
        [batchId],
      );
      const pullOut: PulledOutLetter[] = await em.query(PULL_OUT_SQL, [batchId, PULL_OUT.opposed, PULL_OUT.returned, PULL_OUT.requested]);
      const pulled = pullOut.map((p) => p.letterId);
      if (batch.kind === 'pin-letter') await this.requireCardLettersPrinted(em, batchId, batch.number, pulled);
      // The instant of printing from the one clock: the reprint window is counted from it.
      const printedAt = this.clock.now();
      const letters = await rowsReturned<{ card_number: string }>(
        em,
        `UPDATE mailing_letter SET state = 'printed', printed_at = $3, updated_at = now()
          WHERE batch_id = $1 AND state = 'batched' AND id <> ALL($2::uuid[]) RETURNING card_number`,
        [batchId, pulled, printedAt],
      );
      await em.query(`UPDATE mailing_batch SET state = 'printed', printed_at = $3, printed_by = $2 WHERE id = $1`, [
        batchId,
        by.actor,
        printedAt,
      ]);
      const number = Number(batch.number);
      const printedCards = letters.map((l) => l.card_number);
      if (batch.kind === 'pin-letter') await this.cards.pinLettersSent(em, printedCards);
      const sent = batch.kind === 'card-letter' ? await this.cards.sent(em, printedCards, by.actor, { batch: number }) : [];
      await this.audit.append(em, {
        actor: by.actor,
        action: 'mailing.batch.printed',
        entity: 'mailing_batch',
        entityId: batchId,
        details: {
          number,
          kind: batch.kind,
          letters: letters.length,
          cardsSent: sent.length,
          pulledOut: pullOut.map((p) => ({ letterId: p.letterId, sequence: p.sequence, reason: p.reason })),
        },
      });
      return {
        batchId,
        number,
        kind: batch.kind,
        letters: letters.length,
        cardsSent: sent.length,
        pullOut,
        hadPdf: batch.pdf_path !== null,
      };
    });
    const { hadPdf, ...outcome } = done;
    if (done.kind !== 'pin-letter') return { ...outcome, pdf: 'kept' };
    if (!hadPdf) return { ...outcome, pdf: 'removed' };
    const { removed } = await this.removePrintedPdfs(by.actor, { spoolOwner: false });
    return { ...outcome, pdf: removed.includes(done.number) ? 'removed' : 'pending' };
  }

  /** Letters of the codes go once their cards' card letters are on paper: refused (409) otherwise, reprints aside. */
  private async requireCardLettersPrinted(em: EntityManager, batchId: string, number: string, pulled: string[]): Promise<void> {
    const early: Array<{ sequence: number }> = await em.query(
      `SELECT p.sequence FROM mailing_letter p
        WHERE p.batch_id = $1 AND p.state = 'batched' AND p.reprint_of IS NULL AND p.id <> ALL($2::uuid[])
          AND NOT EXISTS (SELECT 1 FROM mailing_letter c WHERE c.card_number = p.card_number AND c.kind = 'card-letter'
                             AND c.reprint_of IS NULL AND c.state IN ('printed', 'returned'))
        ORDER BY p.sequence`,
      [batchId, pulled],
    );
    if (!early.length) return;
    const sequences = early.map((e) => e.sequence);
    throw new MailingError(
      'card_letters_not_printed',
      `batch ${number}: the card letters of ${sequences.length} of its letters (sequence ${sequences.slice(0, 10).join(', ')}` +
        `${sequences.length > 10 ? ', …' : ''}) are not recorded printed yet: record their batch printed first`,
      409,
      { batchId, sequences: sequences.slice(0, 100) },
    );
  }

  /**
   * Deletes the PDFs of the batches of letters of the codes recorded printed that are still in
   * the spool (DATA_DIR/mailing), each deletion audited (`mailing.batch.pdf-removed`, the batch
   * named by its number) and its `pdf_path` set to NULL. The API deletes the file it finds in
   * its own spool; a file it cannot see (an API with a DATA_DIR of its own) is left to the
   * processes that own the spool (the worker's and the CLI's batch runs, `spoolOwner`), for
   * which a file already gone counts as deleted. Returns the numbers of the batches done.
   */
  async removePrintedPdfs(actor: string, o: { spoolOwner: boolean }): Promise<{ removed: number[]; left: number[] }> {
    const rows: Array<{ id: string; number: string; pdf_path: string }> = await this.ds.query(
      `SELECT id, number::text AS number, pdf_path FROM mailing_batch
        WHERE kind = 'pin-letter' AND state = 'printed' AND pdf_path IS NOT NULL ORDER BY number`,
    );
    const spool = resolve(this.cfg.DATA_DIR, 'mailing');
    const removed: number[] = [];
    const left: number[] = [];
    for (const r of rows) {
      const number = Number(r.number);
      const path = resolve(r.pdf_path);
      if (dirname(path) !== spool || !PIN_PDF_NAME.test(basename(path))) {
        left.push(number);
        continue;
      }
      let gone = false;
      try {
        await rm(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && o.spoolOwner) gone = true;
        else {
          if (code !== 'ENOENT') this.log.error(`the PDF of printed batch ${number} could not be deleted (${code ?? 'error'}): ${path}`);
          left.push(number);
          continue;
        }
      }
      await this.ds.transaction(async (em) => {
        const updated = await rowsReturned(
          em,
          `UPDATE mailing_batch SET pdf_path = NULL WHERE id = $1 AND pdf_path IS NOT NULL RETURNING id`,
          [r.id],
        );
        if (!updated.length) return;
        await this.audit.append(em, {
          actor,
          action: 'mailing.batch.pdf-removed',
          entity: 'mailing_batch',
          entityId: r.id,
          details: { number, kind: 'pin-letter', file: basename(path), ...(gone ? { alreadyGone: true } : {}) },
        });
      });
      removed.push(number);
    }
    return { removed, left };
  }

  /**
   * A printed letter came back: the card is opposed (non-receipt: its card letter, or its
   * codes, may be in other hands) through the orders module, and a replacement ordered as
   * after a helpdesk declaration (OPPOSITION_REPLACEMENT), requested by the operator who
   * recorded the return. Neither when the card is already opposed or its opposition already
   * requested, and no replacement while the holder has an order open for that card (`reason`
   * says why). The card's other letters not yet in a batch are held (`letter returned`).
   * With `barcode`, nothing is done unless it is the letter's (`letter_barcode_mismatch`);
   * `comment` goes into the audit entry.
   */
  async returned(letterId: string, by: OrderActor, given: ReturnedEvidence = {}): Promise<ReturnedOutcome> {
    checkId(letterId, 'letter_not_found', 'letter');
    return this.ds.transaction(async (em) => {
      const [letter]: Array<{ card_number: string; kind: LetterKind; sequence: number | null; batch_number: string | null }> =
        await em.query(
          `SELECT l.card_number, l.kind, l.sequence, b.number::text AS batch_number
             FROM mailing_letter l LEFT JOIN mailing_batch b ON b.id = l.batch_id WHERE l.id = $1`,
          [letterId],
        );
      if (!letter) throw new MailingError('letter_not_found', `no letter ${letterId}`, 404);
      if (given.barcode !== undefined) {
        const its =
          letter.batch_number === null || letter.sequence === null
            ? null
            : barcodeText({ batchNumber: letter.batch_number, sequence: letter.sequence });
        if (given.barcode !== its) {
          throw new MailingError(
            'letter_barcode_mismatch',
            `barcode ${given.barcode} is not the barcode of letter ${letterId} (${its ?? 'it is in no batch'}): nothing was recorded`,
            409,
            { letterId, barcode: its },
          );
        }
      }
      // The card first (as printed() locks it), then the letter: a batch recorded printed meanwhile pulls its letters out.
      const [card]: Array<{
        national_id: string;
        profession_code: string;
        card_type: string;
        state: string;
        opposition_reason: string | null;
        opposed_at: Date | null;
      }> = await em.query(
        `SELECT national_id, profession_code, card_type, state, opposition_reason, opposed_at FROM card WHERE card_number = $1 FOR UPDATE`,
        [letter.card_number],
      );
      const [marked] = await rowsReturned(
        em,
        `UPDATE mailing_letter SET state = 'returned', returned_at = now(), returned_by = $2, updated_at = now()
          WHERE id = $1 AND state = 'printed' RETURNING id`,
        [letterId, by.actor],
      );
      if (!marked) throw await this.notPrinted(em, letterId);
      const cardNumber = letter.card_number;
      // Its other letters not in a batch yet never go to that address (nor are batched before the card is opposed).
      const held = await rowsReturned(
        em,
        `UPDATE mailing_letter SET state = 'held', held_reason = $3, updated_at = now()
          WHERE card_number = $1 AND id <> $2 AND state IN ('waiting', 'held') AND held_reason IS DISTINCT FROM $4
          RETURNING id`,
        [cardNumber, letterId, LETTER_RETURNED, CARD_OPPOSED],
      );
      let requestId: string | null = null;
      let replacementOrderId: string | null = null;
      let reason: string | null = null;
      const [pending]: Array<{ id: string }> = await em.query(
        `SELECT id::text AS id FROM opposition_request WHERE card_number = $1 AND handled_at IS NULL ORDER BY id LIMIT 1`,
        [cardNumber],
      );
      if (card.state === 'opposed') {
        reason =
          `card ${cardNumber} is already opposed (${card.opposition_reason ?? 'reason not given'}` +
          `${card.opposed_at ? `, ${parisDate(card.opposed_at)}` : ''}): no new opposition, no replacement`;
      } else if (pending) {
        reason = `the opposition of card ${cardNumber} is already requested (request ${pending.id}): no second request, no replacement`;
      } else {
        requestId = await this.cards.requestOpposition(em, cardNumber, 'non-receipt', 'mailing', `letter:${letterId}`);
        await this.cards.closeOrderOf(em, cardNumber, `${letter.kind} returned: the card is opposed`);
        const open = await this.orders.openOrderFor(em, card.national_id, card.profession_code, card.card_type);
        if (open) {
          reason = `an order is already open for the holder's ${card.card_type} card (order ${open.id}, ${open.status}): no replacement ordered`;
        } else {
          replacementOrderId = await this.orders.orderReplacement(
            em,
            { cardNumber, nationalId: card.national_id, professionCode: card.profession_code, cardType: card.card_type },
            by,
          );
          if (!replacementOrderId) {
            reason =
              this.cfg.OPPOSITION_REPLACEMENT === 'none'
                ? 'OPPOSITION_REPLACEMENT is none: no replacement is ordered'
                : 'the holder is no longer in the registry with this profession: no replacement ordered';
          }
        }
      }
      await this.audit.append(em, {
        actor: by.actor,
        action: 'mailing.letter.returned',
        entity: 'mailing_letter',
        entityId: letterId,
        details: {
          kind: letter.kind,
          cardNumber,
          oppositionRequestId: requestId,
          replacementOrderId,
          reason,
          lettersHeld: held.length,
          barcode: given.barcode ?? null,
          comment: given.comment ?? null,
        },
      });
      return { letterId, cardNumber, oppositionRequested: requestId !== null, replacementOrderId, reason, lettersHeld: held.length };
    });
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
   * codes are destroyed (the window passed, or the card opposed): the holder asks for a new card;
   * and while a reprint approved before is not printed yet (`reprint_in_progress`).
   */
  async requestReprint(letterId: string, by: OrderActor, reason: string): Promise<{ requestId: string }> {
    checkId(letterId, 'letter_not_found', 'letter');
    return this.ds.transaction(async (em) => {
      const [letter]: Array<{ kind: string; order_id: string }> = await em.query(
        `SELECT kind, order_id FROM mailing_letter WHERE id = $1`,
        [letterId],
      );
      if (!letter) throw new MailingError('letter_not_found', `no letter ${letterId}`, 404);
      if (letter.kind !== 'pin-letter')
        throw new MailingError(
          'reprint_not_allowed',
          'only the letter of the codes is printed again; a card letter goes with its card',
          409,
        );
      await this.lockLettersOfCodes(em, letter.order_id);
      const [{ state }]: Array<{ state: string }> = await em.query(`SELECT state FROM mailing_letter WHERE id = $1`, [letterId]);
      if (state !== 'printed') throw await this.notPrinted(em, letterId);
      await this.stillHeldCodes(em, letter.order_id);
      await this.noReprintUnderWay(em, letter.order_id);
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
      const [of]: Array<{ order_id: string }> = await em.query(
        `SELECT l.order_id FROM mailing_reprint_request r JOIN mailing_letter l ON l.id = r.letter_id WHERE r.id = $1`,
        [requestId],
      );
      if (of) await this.lockLettersOfCodes(em, of.order_id);
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
        await this.noReprintUnderWay(em, letter.order_id);
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

  /** The order's letters of the codes, locked (in one order): its reprints are asked for and decided one at a time. */
  private async lockLettersOfCodes(em: EntityManager, orderId: string): Promise<void> {
    await em.query(`SELECT id FROM mailing_letter WHERE order_id = $1 AND kind = 'pin-letter' ORDER BY id FOR UPDATE`, [orderId]);
  }

  /** Refuses (409) while a reprint of the order's letter of the codes is approved and not printed yet: the codes would go twice. */
  private async noReprintUnderWay(em: EntityManager, orderId: string): Promise<void> {
    const [open]: Array<{ id: string; state: string }> = await em.query(
      `SELECT id, state FROM mailing_letter
        WHERE order_id = $1 AND kind = 'pin-letter' AND reprint_of IS NOT NULL AND state IN ('waiting', 'held', 'batched')
        ORDER BY created_at LIMIT 1`,
      [orderId],
    );
    if (!open) return;
    throw new MailingError(
      'reprint_in_progress',
      `a reprint of this letter of the codes was approved and is not printed yet (letter ${open.id}, ${open.state}): ask again once it is printed`,
      409,
      { orderId, reprintLetterId: open.id, state: open.state },
    );
  }

  /**
   * Refuses (409) when the order's reprint window has closed (even if the daily sweep has not
   * destroyed its codes yet) or its codes are gone: then a new letter of the codes is
   * impossible. Opens nothing (the API holds no vault key).
   */
  private async stillHeldCodes(em: EntityManager, orderId: string): Promise<void> {
    const window = await reprintWindow(em, orderId, this.clock.now(), this.cfg.CODES_REPRINT_WINDOW_DAYS);
    if (!window.open) {
      throw new MailingError(
        'reprint_not_allowed',
        `the reprint window closed on ${parisDate(window.closesAt as Date)} (${this.cfg.CODES_REPRINT_WINDOW_DAYS} days after the first printing): a new letter of the codes is impossible; the holder asks for a new card`,
        409,
        { orderId },
      );
    }
    const gone = (await codesGone(em, [orderId])).get(orderId.toLowerCase());
    const why = !gone
      ? null
      : gone.destroyedAt
        ? `the codes were destroyed on ${parisDate(gone.destroyedAt)} (${gone.destroyedReason})`
        : whyNoCodes(gone);
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
