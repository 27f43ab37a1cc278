/** A UUID as PostgreSQL writes one (any case): the ids of orders, imports, job runs, tokens. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `s` can be looked up as a uuid column (anything else would be a database error, not a 404). */
export function isUuid(s: string): boolean {
  return UUID_PATTERN.test(s);
}
