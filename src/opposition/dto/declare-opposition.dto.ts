import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { freeText, isoDayOrTime, oneOf } from '../../common/http/validation';
import { DECLARABLE_CHANNELS, DECLARABLE_REASONS } from '../oppositions.service';

const REASONS = DECLARABLE_REASONS as readonly [string, ...string[]];

/**
 * A declaration by the helpdesk or an operator. The opposition is final: every field is
 * checked here, and every problem named in one 400, before anything is written.
 */
export class DeclareOppositionBody extends createZodDto(
  z
    .strictObject({
      reason: z.string({ error: () => `required (one of ${REASONS.join(', ')})` }).refine((r) => REASONS.includes(r), {
        error: (i) =>
          `expected one of ${REASONS.join(', ')}` +
          (i.input === 'expiry' || i.input === 'replacement' ? ` (${String(i.input)} is recorded by the system)` : ''),
      }),
      channel: oneOf(DECLARABLE_CHANNELS),
      /** What was checked of the caller's identity. */
      verification: freeText(2000),
      comment: freeText(2000).optional(),
      /** Loss or theft only: since when the card may have been misused (YYYY-MM-DD or ISO 8601, not in the future). */
      invalidityDate: isoDayOrTime.optional(),
    })
    .superRefine((b, ctx) => {
      if (b.invalidityDate !== undefined && b.reason !== 'loss' && b.reason !== 'theft') {
        ctx.addIssue({ code: 'custom', path: ['invalidityDate'], message: 'only for a loss or a theft' });
      }
    }),
) {}
