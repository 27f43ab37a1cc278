import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { LETTER_KINDS, LETTER_STATES } from '../card-letters';
import { ORDER_REASONS } from '../orders.service';
import { CARD_STEPS, ORDER_STEPS } from '../timeline';
import { CARD_TYPES } from '../validity';
import { CARD_STATES, ORDER_STATES } from '../workflow';

/**
 * What the card and order views answer, as JSON (timestamps as ISO 8601 strings): the OpenAPI
 * document's response schemas, from which the console's client is generated. Strict objects:
 * a field the views do not declare (a letter's content, say) fails a test that parses an answer.
 */

const at = z.iso.datetime();
const day = z.iso.date();

/**
 * A text or null, described. The description is on the text itself, not on the union: a bare
 * `z.string().nullable()` comes out of zod ≥ 4.5 as `type: ["string", "null"]`, which
 * nestjs-zod 5.5's OpenAPI 3.0 clean-up turns into an array of strings (nestjs-zod issues 473, 474).
 */
export const nullableText = (description: string) => z.string().describe(description).nullable();

/** One dated step of a card's or an order's life (src/orders/timeline.ts). */
const timelineStep = <const S extends readonly [string, ...string[]]>(steps: S) =>
  z.strictObject({
    step: z.enum(steps),
    at,
    by: nullableText('who or what made the step, when the record says'),
    reason: nullableText('why, when the record says (opposition, rejection, cancellation, failure, closing)'),
  });

/** A letter of the mailing, described by what it is and where it went: never its content (no code, no address). */
export const letterView = z.strictObject({
  id: z.uuid(),
  kind: z.enum(LETTER_KINDS),
  cardNumber: z.string(),
  orderId: z.uuid(),
  state: z.enum(LETTER_STATES),
  heldReason: nullableText('why the letter is held (its address cannot be laid out, its card opposed, a letter of its card returned...)'),
  batchId: z.uuid().nullable(),
  batchNumber: z.number().int().nullable(),
  sequence: z.number().int().nullable().describe('its place in its batch'),
  createdAt: at,
  printedAt: at.nullable(),
  returnedAt: at.nullable(),
  reprintOf: z.uuid().nullable().describe('the letter of the codes this one prints again'),
});

export const cardView = z.strictObject({
  cardNumber: z.string(),
  cardType: z.enum(CARD_TYPES),
  generation: nullableText('CPS3 or CPS4'),
  nationalId: z.string(),
  nationalIdInCard: z.string(),
  professionCode: z.string(),
  professionLabel: nullableText('the label of the profession (TRE_G15), null for an unlisted code'),
  lastName: z.string(),
  firstName: z.string(),
  validFrom: day,
  validUntil: day,
  chipSerial: nullableText('the serial of its chip, null for a card brought in by cards:import'),
  state: z.enum(CARD_STATES),
  orderId: z.uuid().nullable(),
  replacesCard: nullableText('the card it replaces'),
  source: z.enum(['order', 'import']),
  opposedAt: at.nullable(),
  oppositionReason: nullableText('why it was opposed (null for a card the old base handed over opposed)'),
  createdAt: at,
  updatedAt: at,
});

/** GET /api/v1/cards/:cardNumber. */
export class CardDetail extends createZodDto(
  cardView.extend({
    timeline: z
      .array(timelineStep(CARD_STEPS))
      .describe('ordered, approved, personalized (or imported), sent, active, opposed: oldest first'),
    letters: z.array(letterView).describe("the card's card letter and letter of the codes (and reprints), oldest first"),
  }),
) {}

/** GET /api/v1/orders/:id. */
export class OrderDetail extends createZodDto(
  z.strictObject({
    id: z.uuid(),
    nationalId: z.string(),
    professionCode: z.string(),
    professionLabel: nullableText('the label of the profession (TRE_G15), null for an unlisted code'),
    cardType: z.enum(CARD_TYPES),
    reason: z.enum(ORDER_REASONS),
    status: z.enum(ORDER_STATES),
    generation: nullableText('CPS3 or CPS4'),
    content: z.record(z.string(), z.unknown()).nullable().describe('the card content frozen at approval'),
    replacesCard: nullableText('the card it replaces'),
    requestedBy: z.string(),
    requestedByPrincipal: z.uuid().nullable(),
    requestedAt: at,
    approvedBy: nullableText('who approved it (policy for an order approved by policy)'),
    approvedByPrincipal: z.uuid().nullable(),
    approvedAt: at.nullable(),
    statusReason: nullableText('why it is in its state, when a step said'),
    updatedAt: at,
    personalizationAttempts: z.number().int(),
    spoiledCards: z
      .array(
        z.strictObject({
          chipSerial: z.string(),
          cardNumber: nullableText('the number it was being written with'),
          stage: z.string(),
          errorCode: z.string(),
          spoiledAt: at,
        }),
      )
      .describe('the chips spoiled for it at personalization (to be destroyed, never mailed)'),
    cardNumber: nullableText('the card personalized for it, null before'),
    timeline: z
      .array(timelineStep(ORDER_STEPS))
      .describe('created, approved, rejected, cancelled, failed, retried, personalized, card-letter-sent, pin-letter-sent, closed'),
    letters: z.array(letterView).describe("its card's letters, oldest first"),
  }),
) {}
