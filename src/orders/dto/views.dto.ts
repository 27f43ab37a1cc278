import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { at, day, nullableText, pageOf } from '../../common/http/answers';
import { cardContentView, professionalView, registryEventView } from '../../rpps/dto/rpps-views.dto';
import { LETTER_KINDS, LETTER_STATES } from '../card-letters';
import { ORDER_REASONS } from '../orders.service';
import { CARD_STEPS, ORDER_STEPS } from '../timeline';
import { CARD_TYPES } from '../validity';
import { CARD_STATES, ORDER_STATES } from '../workflow';

/**
 * What the card, order and professional views answer, as JSON (timestamps as ISO 8601
 * strings): the OpenAPI document's response schemas, from which the console's client is
 * generated. Strict objects: a field the views do not declare (a letter's content, say) fails
 * a test that parses an answer.
 */

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

/** An order (src/orders/orders.service.ts, OrderView). */
export const orderView = z.strictObject({
  id: z.uuid(),
  nationalId: z.string(),
  professionCode: z.string(),
  professionLabel: nullableText('the label of the profession (TRE_G15), null for an unlisted code'),
  cardType: z.enum(CARD_TYPES),
  reason: z.enum(ORDER_REASONS),
  status: z.enum(ORDER_STATES),
  generation: nullableText('CPS3 or CPS4, once approved'),
  content: cardContentView.nullable().describe('the card content frozen at approval (as the registry said then), null before'),
  replacesCard: nullableText('the card it replaces'),
  requestedBy: z.string(),
  requestedByPrincipal: z.uuid().nullable().describe('who asked for it (null: by policy): another person approves'),
  requestedAt: at,
  approvedBy: nullableText('who approved it (policy for an order approved by policy)'),
  approvedByPrincipal: z.uuid().nullable(),
  approvedAt: at.nullable(),
  statusReason: nullableText('why it is in its state, when a step said'),
  updatedAt: at,
  personalizationAttempts: z
    .number()
    .int()
    .describe('cards claimed for it at personalization (it fails past PERSONALIZATION_MAX_ATTEMPTS; a retry starts again from 0)'),
});

/**
 * What POST /api/v1/orders answers (201 new, 200 the same order for an Idempotency-Key seen
 * before), and POST /api/v1/orders/:id/approve, /reject, /cancel and /retry: the order now.
 */
export class OrderAnswer extends createZodDto(orderView) {}

/** GET /api/v1/orders. */
export class OrdersPage extends createZodDto(pageOf(orderView)) {}

/** GET /api/v1/orders/:id. */
export class OrderDetail extends createZodDto(
  orderView.extend({
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

/** GET /api/v1/cards?nationalId=. */
export class CardsPage extends createZodDto(pageOf(cardView)) {}

/** What POST /api/v1/cards/:cardNumber/activation answers: the card, now active. */
export class ActivatedCard extends createZodDto(
  cardView.extend({
    replaced: nullableText(
      'the card it replaces, opposed now (reason replacement); null when it replaces none or that one was opposed already',
    ),
  }),
) {}

/** GET /api/v1/cards/:cardNumber/status: what relying services ask in an authentication path. */
export class CardStatusAnswer extends createZodDto(
  z.strictObject({
    cardNumber: z.string(),
    status: z.enum(['valid', 'opposed', 'unknown']),
    reason: nullableText('opposed: why (null for a card the old base handed over opposed)').optional(),
    opposedAt: at
      .nullable()
      .optional()
      .describe('opposed: since when (a card past its end of validity: the end of its last day, Paris time)'),
  }),
) {}

/** GET /api/v1/professionals/:nationalId. */
export class ProfessionalDetail extends createZodDto(
  professionalView.extend({
    cards: z.array(cardView).describe('their cards, latest first (GET /api/v1/cards/:cardNumber: a card with its timeline and letters)'),
    events: z.array(registryEventView).describe('the latest 50 registry events that touched them, newest first'),
  }),
) {}
