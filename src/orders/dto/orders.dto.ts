import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { cardNumber, freeText, nationalId, oneOf, paging, queryInt, queryString, uuid } from '../../common/http/validation';
import { ORDER_REASONS } from '../orders.service';
import { CARD_TYPES } from '../validity';
import { ORDER_STATES } from '../workflow';

export class CreateOrderBody extends createZodDto(
  z.strictObject({
    nationalId,
    professionCode: z.string().regex(/^\d{2}$/, 'expected 2 digits (TRE_G15)'),
    cardType: oneOf(CARD_TYPES),
    reason: oneOf(ORDER_REASONS),
    /** The card this order replaces: same holder, profession and card type (activation opposes it). */
    replacesCard: cardNumber.optional(),
  }),
) {}

/** The orders' work queue: filters by state, reason, card type, holder and age; `page`, `pageSize` (50 unless given). */
export class ListOrdersQuery extends createZodDto(
  z.strictObject({
    status: queryString().pipe(oneOf(ORDER_STATES)).optional(),
    reason: queryString().pipe(oneOf(ORDER_REASONS)).optional(),
    cardType: queryString().pipe(oneOf(CARD_TYPES)).optional(),
    nationalId: queryString().pipe(nationalId).optional(),
    /** Requested more than this many days ago (N × 24 h before now): the orders waiting longest. */
    olderThanDays: queryInt(1, 3650).optional(),
    ...paging,
  }),
) {}

export class OrderParams extends createZodDto(z.strictObject({ id: uuid })) {}

/** Why an order is rejected or cancelled (kept with the order and in the audit trail). */
export class OrderReasonBody extends createZodDto(z.strictObject({ reason: freeText(1000) })) {}
