import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { paging } from '../../common/http/validation';
import { ReadQuery, readSearchQuery, SEARCH_QUERY_MAX_LENGTH } from '../search-query';
import { CARD_STATES } from '../workflow';

/**
 * `q`: a name, a national identifier or a card number (search-query.ts), trimmed, at least 2
 * characters, read here once: the service receives its text and its target (ReadQuery);
 * `page`, `pageSize` (20 unless given).
 */
export class SearchQuery extends createZodDto(
  z.strictObject({
    q: z
      .string({
        error: (i) =>
          i.input === undefined
            ? 'required: a name, a national identifier or a card number'
            : Array.isArray(i.input)
              ? 'given more than once'
              : 'expected a text value',
      })
      .max(SEARCH_QUERY_MAX_LENGTH, `at most ${SEARCH_QUERY_MAX_LENGTH} characters`)
      .trim()
      .transform((text, ctx): ReadQuery => {
        const target = readSearchQuery(text);
        if ('refused' in target) {
          ctx.addIssue({ code: 'custom', message: target.refused });
          return z.NEVER;
        }
        return { text, target };
      })
      .describe(
        'a name (accents, case and punctuation ignored; each word the start of a word of the name), a national identifier (8 + RPPS, 0 + ADELI), an RPPS or ADELI number, or a card number',
      ),
    ...paging,
  }),
) {}

const searchItem = z.strictObject({
  nationalId: z.string(),
  lastName: z.string(),
  firstName: z.string(),
  professions: z.array(z.string()).describe('profession codes (TRE_G15), in code order; none for a professional who ceased'),
  professionLabels: z.array(z.string()).describe('their labels, in the same order (the code itself for an unlisted one)'),
  ceased: z.boolean().describe('no longer in practice (a name finds people in practice only)'),
  matchedCard: z
    .strictObject({ cardNumber: z.string(), status: z.enum(CARD_STATES) })
    .optional()
    .describe('the card whose number was searched, and its state'),
});

/** What GET /api/v1/search answers. */
export class SearchAnswer extends createZodDto(
  z.strictObject({
    query: z.string().describe('q as read (trimmed)'),
    kind: z.enum(['name', 'nationalId', 'cardNumber']).describe('what q was taken for'),
    items: z.array(searchItem),
    total: z.number().int(),
    totalIsLowerBound: z.boolean().describe('more match than were counted (a name search counts up to 1,000)'),
    page: z.number().int(),
    pageSize: z.number().int(),
  }),
) {}
