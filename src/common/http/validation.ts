import { createZodValidationPipe } from 'nestjs-zod';
import { z } from 'zod';
import { BUSINESS_DATE_FORM, ISO_DAY, isBusinessDate } from '../clock/business-date';
import { parisDayEnd, parisDayStart, parisWallTime } from '../clock/clock';
import { UUID_PATTERN } from '../database/uuid';
import { CommonError } from '../errors/domain-error';

/**
 * Validation at the edge (design.md, convention 14): every route declares one zod schema
 * for its body, one for its query and one for its params (a DTO made with createZodDto);
 * the global pipe refuses any argument that has none (strictSchemaDeclaration), unknown
 * fields and repeated query keys, and names every problem in one 400. The same schemas
 * feed the OpenAPI document (cleanupOpenApiDoc in main.ts).
 */
export const EdgeValidationPipe = createZodValidationPipe({
  strictSchemaDeclaration: true,
  createValidationException: (error: unknown) => new CommonError('validation_failed', describeIssues(error), 400),
});

/** "field: message; other: message" from a ZodError (the path of each issue, or "body" for the whole). */
export function describeIssues(error: unknown): string {
  const issues = (error as z.ZodError).issues ?? [];
  if (!issues.length) return 'invalid request';
  return issues
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : 'request';
      if (i.code === 'unrecognized_keys')
        return `${where === 'request' ? '' : `${where}: `}unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${where}: ${readable(i)}`;
    })
    .join('; ');
}

/** Zod's own wording made plain: a missing field is "required", without its "Invalid input:" prefix. */
function readable(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_type' && / received undefined$/.test(i.message)) return `required (expected ${i.expected})`;
  return i.message.replace(/^Invalid input: /, '');
}

/** A query value given once (a repeated key arrives as an array and is refused). */
export const queryString = (max = 200) =>
  z.string({ error: (i) => (Array.isArray(i.input) ? 'given more than once' : 'expected a text value') }).max(max);

/** A whole number in a query string, bounded (a number of any length is read, then refused past `max`: never a 500). */
export const queryInt = (min: number, max: number) =>
  queryString(400)
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

/** The largest value of a PostgreSQL bigint (ids of bigserial columns). */
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** The id of a bigserial row, as text: digits, at most the largest bigint (a larger one is a 400, never a 500 from SQL). */
export const bigintId = (what: string) =>
  queryString(400)
    .regex(/^\d+$/, `expected ${what} (a whole number)`)
    .refine((v) => BigInt(v) <= BIGINT_MAX, `expected ${what} of at most ${BIGINT_MAX}`);

/** page (1-based) and pageSize, bounded: the same on every list. */
export const paging = {
  page: queryInt(1, 100_000).optional(),
  pageSize: queryInt(1, 200).optional(),
};

/** A calendar day, YYYY-MM-DD, that exists (2026-02-30 does not): the same parser as every `--as-of`. */
export const isoDay = z.string().refine((v) => isBusinessDate(v), `expected an existing date ${BUSINESS_DATE_FORM}`);

/**
 * A day or an ISO 8601 timestamp. The day part must exist (2026-02-30 is refused: Date.parse
 * would roll it over to 2 March); the time part is checked by Date.parse.
 */
export const isoDayOrTime = z
  .string()
  .max(40)
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) &&
      isBusinessDate(v.slice(0, 10)) &&
      !Number.isNaN(Date.parse(v)),
    `expected an existing date ${BUSINESS_DATE_FORM} or an ISO 8601 timestamp`,
  );

/**
 * The first instant a `from` (a day or a timestamp, isoDayOrTime) includes: a day starts at
 * its midnight in Europe/Paris (design.md, 13); a time without offset is Paris time.
 */
export function instantFrom(v: string): Date {
  if (ISO_DAY.test(v)) return parisDayStart(v);
  return /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? new Date(v) : parisWallTime(v);
}

/** The first instant a `to` excludes: a day is included whole (up to the next Paris midnight), a time to its millisecond. */
export function instantAfter(v: string): Date {
  if (ISO_DAY.test(v)) return parisDayEnd(v);
  return new Date(instantFrom(v).getTime() + 1);
}

export const uuid = z.string().regex(UUID_PATTERN, 'expected a UUID');

/** A card number: 10 digits. */
export const cardNumber = z.string().regex(/^\d{10}$/, 'expected a 10-digit card number');

/** Identification nationale PP: 8 + 11-digit RPPS, or 0 + 9-digit ADELI. */
export const nationalId = z.string().regex(/^(8\d{11}|0\d{9})$/, 'expected 8 + 11-digit RPPS or 0 + 9-digit ADELI');

/** One of a fixed list of values, with a message that lists them. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (i) => (i.input === undefined ? `required (one of ${values.join(', ')})` : `expected one of ${values.join(', ')}`),
  });

/** Free text a person writes (a reason, a comment): trimmed, not empty, bounded. */
export const freeText = (max: number) =>
  z
    .string({ error: (i) => (i.input === undefined ? 'required' : 'expected text') })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`)
    .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), 'must not contain control characters');
