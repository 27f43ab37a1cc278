import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Page, paged } from '../common/database/paged';
import { Param } from '../common/database/sql-params';
import { CardLettersReader, CardLetterView } from '../orders/card-letters';
import { BatchState, LetterKind } from './mailing.entities';
import { MailingError } from './mailing.errors';

/** The states a letter in a batch can be in (held and waiting letters are in none: mailing_letter_batched_check). */
export const BATCHED_LETTER_STATES = ['batched', 'printed', 'returned'] as const;

/** What GET /api/v1/mailing/reprints?state= takes: pending (asked, waiting for a second person; the default), approved, rejected, all. */
export const REPRINT_STATE_FILTERS = ['pending', 'approved', 'rejected', 'all'] as const;
export type ReprintStateFilter = (typeof REPRINT_STATE_FILTERS)[number];

/** A letter's barcode as the mail room scans it (barcodeText, letters/letter-data.ts): `B<batch number>-<sequence>`. */
export const BARCODE_PATTERN = /^B([0-9]{1,18})-([0-9]{1,9})$/;

/** A letter found by its barcode: what it is and where it went (CardLetterView), its barcode, its card's last 4 digits. */
export interface LetterByBarcodeView extends CardLetterView {
  barcode: string;
  /** What a letter of the codes prints of its card's number. */
  cardLast4: string;
}

export interface BatchView {
  id: string;
  number: number;
  kind: LetterKind;
  /** The batch's day (Paris). */
  asOf: string;
  state: BatchState;
  /** How many letters it was assembled with. */
  letters: number;
  pages: number | null;
  jobRunId: string | null;
  createdBy: string;
  createdAt: Date;
  renderedAt: Date | null;
  printedBy: string | null;
  printedAt: Date | null;
}

export interface BatchDetailView extends BatchView {
  /** Its letters by state now. */
  counts: Record<(typeof BATCHED_LETTER_STATES)[number], number>;
  /** One page of its letters, in their sequence. */
  letterPage: Page<CardLetterView>;
}

export interface ReprintView {
  id: string;
  /** pending: asked, waiting for another person's decision. */
  state: 'pending' | 'approved' | 'rejected';
  letterId: string;
  cardNumber: string;
  orderId: string;
  reason: string;
  requestedBy: string;
  /** The principal who asked: another one decides. */
  requestedByPrincipal: string;
  requestedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** The new letter of the codes, once approved. */
  reprintLetterId: string | null;
  /** Where the letter to print again was: its batch's number, its sequence, when it was printed. */
  batchNumber: number | null;
  sequence: number | null;
  printedAt: Date | null;
}

const BATCH_COLUMNS = `b.id, b.number::text AS number, b.kind, to_char(b.as_of, 'YYYY-MM-DD') AS "asOf", b.state, b.letters, b.pages,
  b.job_run_id AS "jobRunId", b.created_by AS "createdBy", b.created_at AS "createdAt", b.rendered_at AS "renderedAt",
  b.printed_by AS "printedBy", b.printed_at AS "printedAt"`;

/** A letter's columns (l, its batch b): what it is and where it went, never its address nor anything of its codes. */
const LETTER_COLUMNS = `l.id, l.kind, l.card_number AS "cardNumber", l.order_id AS "orderId", l.state, l.held_reason AS "heldReason",
  l.batch_id AS "batchId", b.number::text AS "batchNumber", l.sequence, l.created_at AS "createdAt", l.printed_at AS "printedAt",
  l.returned_at AS "returnedAt", l.reprint_of AS "reprintOf"`;

const REPRINT_COLUMNS = `r.id, CASE r.state WHEN 'requested' THEN 'pending' ELSE r.state END AS state, r.letter_id AS "letterId",
  l.card_number AS "cardNumber", l.order_id AS "orderId", r.reason, r.requested_by AS "requestedBy",
  r.requested_by_principal AS "requestedByPrincipal", r.requested_at AS "requestedAt", r.decided_by AS "decidedBy",
  r.decided_at AS "decidedAt", r.reprint_letter_id AS "reprintLetterId", b.number::text AS "batchNumber", l.sequence,
  l.printed_at AS "printedAt"`;

type WithTextNumber<T, K extends keyof T> = Omit<T, K> & { [P in K]: string | null };

/** A bigint the database gives as text, as a number (batch numbers stay far below 2^53). */
const num = (v: string | null): number | null => (v === null ? null : Number(v));

/**
 * The read side of the mailing (issue 12's console): batches with their letters counted by
 * state, the reprint requests, and the letters of cards for the orders module's views
 * (CardLettersReader). It reads no code and no address: a letter of the codes is its kind,
 * state, batch, sequence and dates.
 */
@Injectable()
export class MailingReadsService extends CardLettersReader {
  constructor(private readonly ds: DataSource) {
    super();
  }

  async ofCards(cardNumbers: string[]): Promise<CardLetterView[]> {
    if (!cardNumbers.length) return [];
    const rows: WithTextNumber<CardLetterView, 'batchNumber'>[] = await this.ds.query(
      `SELECT ${LETTER_COLUMNS} FROM mailing_letter l LEFT JOIN mailing_batch b ON b.id = l.batch_id
        WHERE l.card_number = ANY($1::text[]) ORDER BY l.created_at, l.reprint_of NULLS FIRST, l.kind, l.id`,
      [cardNumbers],
    );
    return rows.map(letterOf);
  }

  /**
   * The letter whose barcode reads `barcode` (the mail room scans a returned envelope); 404
   * `letter_not_found` when no letter has it, 400 when it is not a letter's barcode.
   */
  async letterByBarcode(barcode: string): Promise<LetterByBarcodeView> {
    const m = BARCODE_PATTERN.exec(barcode);
    if (!m) throw new MailingError('letter_not_found', `"${barcode.slice(0, 40)}" is not a letter's barcode (B<batch>-<sequence>)`, 400);
    const [row]: WithTextNumber<CardLetterView, 'batchNumber'>[] = await this.ds.query(
      `SELECT ${LETTER_COLUMNS} FROM mailing_letter l JOIN mailing_batch b ON b.id = l.batch_id WHERE b.number = $1::bigint AND l.sequence = $2`,
      [m[1], Number(m[2])],
    );
    if (!row) throw new MailingError('letter_not_found', `no letter has the barcode ${barcode}`, 404, { barcode });
    return { ...letterOf(row), barcode, cardLast4: row.cardNumber.slice(-4) };
  }

  /** One page of the batches, latest first, of a kind and in a state when given. */
  async batches(q: { kind?: LetterKind; state?: BatchState; page?: number; pageSize?: number }): Promise<Page<BatchView>> {
    const found = await paged<WithTextNumber<BatchView, 'number'>>(this.ds, {
      select: BATCH_COLUMNS,
      from: 'mailing_batch b',
      where: (p: Param) => {
        const where: string[] = [];
        if (q.kind) where.push(`b.kind = ${p(q.kind)}`);
        if (q.state) where.push(`b.state = ${p(q.state)}`);
        return where.length ? `WHERE ${where.join(' AND ')}` : '';
      },
      orderBy: 'b.number DESC',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 50,
    });
    return { ...found, items: found.items.map(batchOf) };
  }

  /** A batch, its letters counted by state, and one page of its letters in their sequence; 404 `batch_not_found`. */
  async batch(id: string, q: { page?: number; pageSize?: number } = {}): Promise<BatchDetailView> {
    const [row]: WithTextNumber<BatchView, 'number'>[] = await this.ds.query(
      `SELECT ${BATCH_COLUMNS} FROM mailing_batch b WHERE b.id = $1`,
      [id],
    );
    if (!row) throw new MailingError('batch_not_found', `no mailing batch ${id}`, 404);
    const counted: Array<{ state: string; n: number }> = await this.ds.query(
      `SELECT state, count(*)::int AS n FROM mailing_letter WHERE batch_id = $1 GROUP BY state`,
      [id],
    );
    const counts = Object.fromEntries(
      BATCHED_LETTER_STATES.map((s) => [s, counted.find((c) => c.state === s)?.n ?? 0]),
    ) as BatchDetailView['counts'];
    const letters = await paged<WithTextNumber<CardLetterView, 'batchNumber'>>(this.ds, {
      select: LETTER_COLUMNS,
      from: 'mailing_letter l JOIN mailing_batch b ON b.id = l.batch_id',
      where: (p: Param) => `WHERE l.batch_id = ${p(id)}`,
      orderBy: 'l.sequence',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 50,
    });
    return { ...batchOf(row), counts, letterPage: { ...letters, items: letters.items.map(letterOf) } };
  }

  /** One page of the reprint requests in `state` (pending unless given), latest first. */
  async reprints(q: { state?: ReprintStateFilter; page?: number; pageSize?: number }): Promise<Page<ReprintView>> {
    const state = q.state ?? 'pending';
    const found = await paged<WithTextNumber<ReprintView, 'batchNumber'>>(this.ds, {
      select: REPRINT_COLUMNS,
      from: `mailing_reprint_request r JOIN mailing_letter l ON l.id = r.letter_id LEFT JOIN mailing_batch b ON b.id = l.batch_id`,
      where: (p: Param) => (state === 'all' ? '' : `WHERE r.state = ${p(state === 'pending' ? 'requested' : state)}`),
      orderBy: 'r.requested_at DESC, r.id',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 50,
    });
    return { ...found, items: found.items.map((r) => ({ ...r, batchNumber: num(r.batchNumber) })) };
  }
}

function batchOf(r: WithTextNumber<BatchView, 'number'>): BatchView {
  return { ...r, number: Number(r.number) };
}

function letterOf(r: WithTextNumber<CardLetterView, 'batchNumber'>): CardLetterView {
  return { ...r, batchNumber: num(r.batchNumber) };
}
