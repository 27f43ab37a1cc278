import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { at, nullableText, pageOf } from '../../common/http/answers';
import { freeText, oneOf, paging, queryString, uuid } from '../../common/http/validation';
import { letterView } from '../../orders/dto/views.dto';
import { BATCH_STATES, LETTER_KINDS } from '../mailing.entities';
import { PULL_OUT_REASONS } from '../mailing-letters.service';
import { BARCODE_PATTERN, BATCHED_LETTER_STATES, REPRINT_STATE_FILTERS } from '../mailing-reads.service';

export class MailingIdParams extends createZodDto(z.strictObject({ id: uuid })) {}

/** Why a PIN letter is printed again (kept with the request and in the audit trail). */
export class ReprintBody extends createZodDto(z.strictObject({ reason: freeText(1000) })) {}

/** A letter's barcode as scanned: `B<batch number>-<sequence>`. */
const barcode = z
  .string()
  .trim()
  .max(40)
  .regex(BARCODE_PATTERN, 'expected a letter barcode B<batch number>-<sequence>, e.g. B12-3')
  .describe("the text of the letter's barcode, `B<batch number>-<sequence>`");

/** `barcode`: the letter whose barcode reads so (the mail room scans a returned envelope). */
export class LettersQuery extends createZodDto(z.strictObject({ barcode: queryString(40).pipe(barcode) })) {}

/**
 * Returned mail, optionally with what the operator holds: the envelope's `barcode` (nothing is
 * recorded unless it is the letter's) and a `comment` kept in the audit trail. No body: as before.
 */
export class ReturnedBody extends createZodDto(
  z
    .strictObject({
      barcode: barcode.optional(),
      comment: freeText(1000).optional(),
    })
    .default({}),
) {}

/** `kind` card-letter or pin-letter, `state` rendering, ready or printed; `page`, `pageSize` (50 unless given). */
export class BatchesQuery extends createZodDto(
  z.strictObject({
    kind: queryString(20).pipe(oneOf(LETTER_KINDS)).optional(),
    state: queryString(20).pipe(oneOf(BATCH_STATES)).optional(),
    ...paging,
  }),
) {}

/** The page of the batch's letters (in their sequence): `page`, `pageSize` (50 unless given). */
export class BatchQuery extends createZodDto(z.strictObject({ ...paging })) {}

/** `state`: pending (asked, waiting for another person's decision; the default), approved, rejected or all; `page`, `pageSize`. */
export class ReprintsQuery extends createZodDto(
  z.strictObject({
    state: queryString(20).pipe(oneOf(REPRINT_STATE_FILTERS)).default('pending'),
    ...paging,
  }),
) {}

// What the mailing's read routes answer (the OpenAPI document's response schemas), as JSON.

const batchView = z.strictObject({
  id: z.uuid(),
  number: z.number().int().describe('the number the mail room knows it by (its barcodes, its file names)'),
  kind: z.enum(LETTER_KINDS),
  asOf: z.iso.date().describe("the batch's day (Paris)"),
  state: z.enum(BATCH_STATES),
  letters: z.number().int().describe('how many letters it was assembled with'),
  pages: z.number().int().nullable(),
  jobRunId: z.uuid().nullable(),
  createdBy: z.string(),
  createdAt: at,
  renderedAt: at.nullable(),
  printedBy: nullableText('who recorded it printed'),
  printedAt: at.nullable(),
});

/** GET /api/v1/mailing/batches. */
export class BatchesPage extends createZodDto(pageOf(batchView)) {}

/** GET /api/v1/mailing/batches/:id. */
export class BatchDetail extends createZodDto(
  batchView.extend({
    counts: z
      .strictObject(
        Object.fromEntries(BATCHED_LETTER_STATES.map((s) => [s, z.number().int()])) as Record<
          (typeof BATCHED_LETTER_STATES)[number],
          z.ZodNumber
        >,
      )
      .describe('its letters by state now'),
    letterPage: pageOf(letterView).describe('one page of its letters, in their sequence (page, pageSize)'),
  }),
) {}

/** GET /api/v1/mailing/letters?barcode=. */
export class LetterByBarcode extends createZodDto(
  letterView.extend({
    barcode: z.string().describe("its barcode's text, B<batch number>-<sequence>"),
    cardLast4: z.string().describe("the last 4 digits of its card's number (what a letter of the codes prints of it)"),
  }),
) {}

/** What POST /api/v1/mailing/batches/:id/printed answers. */
export class PrintedAnswer extends createZodDto(
  z.strictObject({
    batchId: z.uuid(),
    number: z.number().int(),
    kind: z.enum(LETTER_KINDS),
    letters: z.number().int().describe('the letters recorded printed (those to pull out are not)'),
    cardsSent: z.number().int().describe('card letters: their cards personalized → sent'),
    pullOut: z
      .array(
        z.strictObject({
          letterId: z.uuid(),
          sequence: z.number().int(),
          cardLast4: z.string(),
          reason: z.enum(PULL_OUT_REASONS),
        }),
      )
      .describe('the letters to take out of the printed batch before it is posted: never mailed, their cards not sent'),
    pdf: z
      .enum(['kept', 'removed', 'pending'])
      .describe(
        'kept: card letters; removed: the PDF of letters of the codes deleted from the spool; pending: not in this process’s spool, deleted by the next mailing run',
      ),
  }),
) {}

/** What POST /api/v1/mailing/letters/:id/returned answers. */
export class ReturnedAnswer extends createZodDto(
  z.strictObject({
    letterId: z.uuid(),
    cardNumber: z.string(),
    oppositionRequested: z.boolean(),
    replacementOrderId: z.uuid().nullable(),
    reason: nullableText('why no opposition was requested or no replacement ordered; null when both were'),
    lettersHeld: z.number().int().describe("the card's other letters not in a batch yet, held (letter returned)"),
  }),
) {}

/** GET /api/v1/mailing/reprints. */
export class ReprintsPage extends createZodDto(
  pageOf(
    z.strictObject({
      id: z.uuid(),
      state: z.enum(['pending', 'approved', 'rejected']),
      letterId: z.uuid().describe('the printed letter of the codes to print again'),
      cardNumber: z.string(),
      orderId: z.uuid(),
      reason: z.string(),
      requestedBy: z.string(),
      requestedByPrincipal: z.uuid().describe('who asked: another person decides'),
      requestedAt: at,
      decidedBy: nullableText('who approved or rejected it'),
      decidedAt: at.nullable(),
      reprintLetterId: z.uuid().nullable().describe('the new letter, once approved'),
      batchNumber: z.number().int().nullable(),
      sequence: z.number().int().nullable(),
      printedAt: at.nullable(),
    }),
  ),
) {}

/** What POST /api/v1/mailing/letters/:id/reprint answers (201): the request, waiting for another operator's decision. */
export class ReprintRequested extends createZodDto(
  z.strictObject({ requestId: z.uuid().describe('GET /api/v1/mailing/reprints lists it; another operator approves or rejects it') }),
) {}

/** What POST /api/v1/mailing/reprints/:id/approve and /reject answer. */
export class ReprintDecided extends createZodDto(
  z.strictObject({
    requestId: z.uuid(),
    state: z.enum(['approved', 'rejected']),
    letterId: z.uuid().nullable().describe('approved: the new letter of the codes, waiting for the next batch'),
  }),
) {}
