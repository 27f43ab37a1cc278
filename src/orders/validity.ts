/**
 * Card generation, validity dates and card type.
 *
 * Dates are calendar dates as `YYYY-MM-DD` strings; all arithmetic is done on day numbers
 * (proleptic Gregorian calendar), so no time zone or daylight-saving effect can creep in.
 *
 * Pure code: no framework, no database.
 */

import { type CalendarDay, calendarDay } from '../common/clock/business-date';

// ---------------------------------------------------------------------------------------
// Calendar dates

type Ymd = CalendarDay;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** The day `s` (the one parser of days, common/clock/business-date), or an error naming `label`. */
function parseDate(s: string, label: string): Ymd {
  const day = calendarDay(s);
  if (day) return day;
  throw new Error(`${label} "${String(s)}" is not a valid date (YYYY-MM-DD)`);
}

function formatDate({ y, m, d }: Ymd): string {
  if (y < 1 || y > 9999) throw new Error(`date out of range: year ${y}`);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Days since 1970-01-01 (H. Hinnant's days_from_civil). */
function toDayNumber({ y, m, d }: Ymd): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of `toDayNumber` (H. Hinnant's civil_from_days). */
function fromDayNumber(z: number): Ymd {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** `date` plus `days` (an integer, possibly negative). */
export function addDays(date: string, days: number): string {
  if (!Number.isSafeInteger(days)) throw new Error(`addDays: ${days} is not an integer number of days`);
  return formatDate(fromDayNumber(toDayNumber(parseDate(date, 'date')) + days));
}

// ---------------------------------------------------------------------------------------
// Generation and validity

export const GENERATIONS = ['CPS3', 'CPS4'] as const;
export type Generation = (typeof GENERATIONS)[number];

export interface GenerationPolicy {
  /** First approval date (inclusive) giving a CPS4; config, default 2025-07-01. */
  cps4StartDate: string;
  /** Professions (TRE_G15 codes) the CPS4 rollout is limited to; empty or undefined = all. */
  cps4Professions?: readonly string[];
}

export const DEFAULT_CPS4_START_DATE = '2025-07-01';

/**
 * CPS4 for an order approved on or after the CPS4 start date (for a profession in the
 * rollout, when limited), CPS3 otherwise.
 */
export function generationFor(approvedOn: string, professionCode: string, policy: GenerationPolicy): Generation {
  parseDate(approvedOn, 'approval date');
  parseDate(policy.cps4StartDate, 'CPS4 start date');
  if (approvedOn < policy.cps4StartDate) return 'CPS3'; // valid ISO dates compare as strings
  const professions = policy.cps4Professions;
  if (professions && professions.length > 0 && !professions.includes(professionCode)) return 'CPS3';
  return 'CPS4';
}

/** Years of validity: 3 for a CPS3, 6 for a CPS4. */
export function validityYears(g: Generation): 3 | 6 {
  switch (g) {
    case 'CPS3':
      return 3;
    case 'CPS4':
      return 6;
    default:
      throw new Error(`unknown card generation "${String(g)}"`);
  }
}

/**
 * Last day of validity of a card valid from `validFrom`: the day before its anniversary
 * `validityYears(g)` years later. The anniversary is the same month and day; when that day
 * does not exist (29 February, non-leap target year) it is 1 March, so a card made on
 * 29 February ends on 28 February.
 */
export function validUntil(validFrom: string, g: Generation): string {
  const from = parseDate(validFrom, 'valid-from date');
  const y = from.y + validityYears(g);
  const anniversary: Ymd = from.d <= daysInMonth(y, from.m) ? { y, m: from.m, d: from.d } : { y, m: 3, d: 1 };
  return formatDate(fromDayNumber(toDayNumber(anniversary) - 1));
}

/**
 * True when a card ending on `validUntil` is due for renewal on `asOf`: it ends within
 * `windowDays` days (`validUntil <= asOf + windowDays`), already expired cards included.
 */
export function isDue(validUntil: string, asOf: string, windowDays: number): boolean {
  parseDate(validUntil, 'valid-until date');
  if (!Number.isSafeInteger(windowDays) || windowDays < 0) {
    throw new Error(`renewal window ${windowDays} must be a non-negative integer number of days`);
  }
  return validUntil <= addDays(asOf, windowDays);
}

// ---------------------------------------------------------------------------------------
// Card types

/** Card families (TRE_R87 / TRE_G02). */
export const CARD_TYPES = ['CPS', 'CPF', 'CPE', 'CPA'] as const;
export type CardType = (typeof CARD_TYPES)[number];

/** Product codes: 00 CPS, 01 CPF, 02 CPE, 03 CPA. */
export const CARD_PRODUCT_CODES: Readonly<Record<CardType, string>> = Object.freeze({
  CPS: '00',
  CPF: '01',
  CPE: '02',
  CPA: '03',
});

/** Card types only issued through a manual order (never derived from the registry). */
export const MANUAL_ONLY_CARD_TYPES: readonly CardType[] = Object.freeze(['CPE', 'CPA'] as const);

/** Registry professional category (C civil, M military, E student) to card type: E → CPF, others → CPS. */
export function cardTypeForCategory(categoryCode: string): 'CPS' | 'CPF' {
  return categoryCode.trim().toUpperCase() === 'E' ? 'CPF' : 'CPS';
}

/**
 * Card type from a product code ('00'..'03') or its letters ('CPS', 'CPF', 'CPE', 'CPA',
 * case-insensitive, surrounding blanks ignored); null when unknown.
 */
export function cardTypeFromCode(codeOrLetters: string): CardType | null {
  if (typeof codeOrLetters !== 'string') return null;
  const s = codeOrLetters.trim().toUpperCase();
  for (const t of CARD_TYPES) {
    if (s === t || s === CARD_PRODUCT_CODES[t]) return t;
  }
  return null;
}
