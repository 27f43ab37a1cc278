import { CommonError } from '../errors/domain-error';

/**
 * The one parser of business dates given by a person (`--as-of` of every command, the
 * `asOf` of a request): the form YYYY-MM-DD and a day that exists, nothing else
 * (2026-02-30, 06/01/2026, 2026-1-6, "tomorrow" are refused). And the rule of dates that
 * commit something that cannot be undone: no day after today (Europe/Paris, from the Clock).
 *
 * Pure code: no framework, no database.
 */

/** The form every business date is written in. */
export const BUSINESS_DATE_FORM = 'YYYY-MM-DD';

/**
 * The written form of a day, YYYY-MM-DD (year, month, day captured): the one pattern every
 * module tests a day's form with. It says nothing of whether the day exists: isBusinessDate does.
 */
export const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A day of the calendar as numbers (month 1-12). */
export interface CalendarDay {
  y: number;
  m: number;
  d: number;
}

/** The year, month and day of `v` when it is written YYYY-MM-DD and is a day of the calendar, else null. */
export function calendarDay(v: unknown): CalendarDay | null {
  if (typeof v !== 'string') return null;
  const match = ISO_DAY.exec(v);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < 1 || m < 1 || m > 12 || d < 1) return null;
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d ? { y, m, d } : null;
}

/** True when `v` is written YYYY-MM-DD and is a day of the calendar. */
export function isBusinessDate(v: unknown): v is string {
  return calendarDay(v) !== null;
}

/**
 * `value` as a business date, or a refusal (validation_failed: exit 2 on the CLI, 400 over
 * HTTP) naming `what` (`--as-of`, `asOf`), the value and the expected form.
 */
export function parseBusinessDate(value: string, what: string): string {
  if (isBusinessDate(value)) return value;
  throw new CommonError(
    'validation_failed',
    `${what} "${value}": not a date of the calendar in the form ${BUSINESS_DATE_FORM} (for example 2026-11-30)`,
    400,
    { problems: [`${what}: expected an existing date ${BUSINESS_DATE_FORM}`] },
  );
}

/**
 * Refuses `day` when it is after `today`: what `action` commits cannot be undone, so it
 * takes no future date (a rehearsal of a later day is for the commands that only plan).
 */
export function refuseFutureDate(day: string, today: string, what: string, action: string): void {
  if (day <= today) return;
  throw new CommonError(
    'validation_failed',
    `${what} ${day} is after today (${today}, Europe/Paris): ${action} cannot be undone, so it takes no date after today`,
    400,
    { problems: [`${what}: after today (${today})`] },
  );
}
