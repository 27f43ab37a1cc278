/**
 * The one clock (design.md, convention 13). A business date is a day in Europe/Paris,
 * written YYYY-MM-DD; every "today" of the application comes from `Clock.today()`, and SQL
 * receives it as a parameter (never the database server's date, never the UTC date of
 * `toISOString()`).
 *
 * Tests set the time: `Clock.startingAt(instant)` in integration tests, `CLOCK_NOW` for
 * the built processes (read at start-up, refused in production; see clock.module.ts).
 * Either way the clock then runs on from that instant, as a real one does.
 *
 * Pure code: no framework, no database.
 */

/** The time zone of business dates. */
export const BUSINESS_TIME_ZONE = 'Europe/Paris';

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: BUSINESS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Paris day (YYYY-MM-DD) of an instant. */
export function parisDate(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('parisDate: invalid date');
  const part = (type: string) => PARIS_DAY.formatToParts(at).find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export class Clock {
  /** `offsetMs` is added to the system time: 0 for the real clock. */
  private constructor(private readonly offsetMs: number) {}

  /** The system clock. */
  static system(): Clock {
    return new Clock(0);
  }

  /** A clock that reads `at` now and runs on from there (tests, CLOCK_NOW). */
  static startingAt(at: Date | string): Clock {
    const t = typeof at === 'string' ? new Date(at) : at;
    if (Number.isNaN(t.getTime())) throw new RangeError(`Clock.startingAt: "${String(at)}" is not a time`);
    return new Clock(t.getTime() - Date.now());
  }

  /** The current instant. */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Today's business date: the current day in Europe/Paris, YYYY-MM-DD. */
  today(): string {
    return parisDate(this.now());
  }
}
