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

import { ISO_DAY } from './business-date';

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

const PARIS_WALL = new Intl.DateTimeFormat('en-GB', {
  timeZone: BUSINESS_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** How far Paris wall time is ahead of UTC at an instant, in ms (1 h in winter, 2 h in summer). */
function parisOffsetMs(at: number): number {
  const p = Object.fromEntries(PARIS_WALL.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant of a Paris wall time, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS[.fff]]` (no offset: it is Paris time). */
export function parisWallTime(local: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(local);
  if (!m) throw new RangeError(`parisWallTime: "${local}" is not a day or a time without offset`);
  const ms = m[7] ? Number(m[7].padEnd(6, '0').slice(0, 3)) : 0;
  const n = (i: number) => Number(m[i] ?? 0);
  const asUtc = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), ms);
  const guess = asUtc - parisOffsetMs(asUtc);
  return new Date(asUtc - parisOffsetMs(guess));
}

/** The first instant of a Paris day (YYYY-MM-DD): its midnight in Europe/Paris. */
export function parisDayStart(day: string): Date {
  if (!ISO_DAY.test(day)) throw new RangeError(`parisDayStart: "${day}" is not a day YYYY-MM-DD`);
  // Paris changes its offset at 02:00/03:00, never around midnight.
  return parisWallTime(day);
}

/** The first instant of the Paris day after `day`: the end (excluded) of `day`, whatever its length (23, 24 or 25 h). */
export function parisDayEnd(day: string): Date {
  const start = parisDayStart(day);
  // 26 h later is always within the next day; its midnight is the end of this one.
  return parisDayStart(parisDate(new Date(start.getTime() + 26 * 3_600_000)));
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
