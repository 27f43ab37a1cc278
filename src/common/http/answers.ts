import { z } from 'zod';
import { LIST_COUNT_CAP } from '../database/paged';

/**
 * The parts of the routes' response schemas (what they answer, as JSON: the OpenAPI
 * document's response schemas, from which the console's client is generated). Every module's
 * views are made of these: strict objects, so that a field a view does not declare (a code, a
 * letter's content) fails the tests that hold the answers to their schemas.
 */

/** A timestamp, as JSON carries a Date: ISO 8601 in UTC. */
export const at = z.iso.datetime();

/** A calendar day, YYYY-MM-DD. */
export const day = z.iso.date();

/**
 * A text or null, described. The description is on the text itself, not on the union: a bare
 * `z.string().nullable()` comes out of zod ≥ 4.5 as `type: ["string", "null"]`, which
 * nestjs-zod 5.5's OpenAPI 3.0 clean-up turns into an array of strings (nestjs-zod issues 473, 474).
 */
export const nullableText = (description: string) => z.string().describe(description).nullable();

/** A JSON object whose keys vary (what a job recorded, an event's details), described. */
export const jsonObject = (description: string) => z.record(z.string(), z.unknown()).describe(description);

/** The fields every list answers with its page (src/common/database/paged.ts). */
export const pageFields = {
  page: z.number().int().describe('1-based'),
  pageSize: z.number().int(),
  total: z.number().int().describe(`how many match, all pages together, counted up to ${LIST_COUNT_CAP} (see totalIsLowerBound)`),
  totalIsLowerBound: z.boolean().describe('true when more match than were counted: total is then a lower bound'),
};

/** One page of a list: `{items, page, pageSize, total, totalIsLowerBound}`. */
export const pageOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), ...pageFields });
