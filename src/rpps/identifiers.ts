/**
 * Checks on the identifiers found in the RPPS / ADELI public extraction.
 *
 * Pure functions, no dependencies. Every `check*` function returns `null` when the
 * value is acceptable, otherwise a short English reason naming the value.
 */

/** SIREN of La Poste: its establishments' SIRETs do not carry a Luhn key. */
export const LA_POSTE_SIREN = '356000000';

/** Identifier types of `Type d'identifiant PP` that designate a person. */
export const ID_TYPE_ADELI = '0';
export const ID_TYPE_RPPS = '8';

function isAllDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Luhn sum of a digit string (key included), or -1 if empty or not only digits. */
function luhnSum(digits: string): number {
  const len = digits.length;
  if (len === 0) return -1;
  let sum = 0;
  let double = false;
  for (let i = len - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}

/**
 * Luhn (mod 10) check on a string of decimal digits, the last one being the key.
 * Returns false for an empty string or any non-digit character.
 */
export function luhnValid(digits: string): boolean {
  const sum = luhnSum(digits);
  return sum >= 0 && sum % 10 === 0;
}

/** The Luhn key digit to append to `payload` (decimal digits) so that it validates. */
export function luhnCheckDigit(payload: string): string {
  if (payload.length > 0 && !isAllDigits(payload)) {
    throw new Error(`luhnCheckDigit: "${payload}" is not made of digits`);
  }
  let sum = 0;
  let double = true; // the payload's last digit will sit right before the key
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return String((10 - (sum % 10)) % 10);
}

function checkDigitsLuhn(label: string, s: string, length: number): string | null {
  const sum = s.length === length ? luhnSum(s) : -1;
  if (sum < 0) return `${label} "${s}" must be ${length} digits`;
  if (sum % 10 !== 0) return `${label} ${s} fails its Luhn check`;
  return null;
}

/** RPPS number: 11 digits, Luhn-valid. */
export function checkRpps(s: string): string | null {
  return checkDigitsLuhn('RPPS', s, 11);
}

/** ADELI number: 9 digits, Luhn-valid. */
export function checkAdeli(s: string): string | null {
  return checkDigitsLuhn('ADELI', s, 9);
}

/** FINESS number: 9 digits, Luhn-valid. */
export function checkFiness(s: string): string | null {
  return checkDigitsLuhn('FINESS', s, 9);
}

/**
 * SIREN: 9 digits. No key check: domain.md gives a Luhn key to FINESS and SIRET only, and
 * the registry's own extracts carry SIRENs without one (the SIRET, which contains the
 * SIREN, is the identifier that is checked).
 */
export function checkSiren(s: string): string | null {
  return /^\d{9}$/.test(s) ? null : `SIREN "${s}" must be 9 digits`;
}

/** SIRET: 14 digits, Luhn-valid, except La Poste's (SIREN 356000000) which only need 14 digits. */
export function checkSiret(s: string): string | null {
  const sum = s.length === 14 ? luhnSum(s) : -1;
  if (sum < 0) return `SIRET "${s}" must be 14 digits`;
  if (sum % 10 !== 0 && !s.startsWith(LA_POSTE_SIREN)) return `SIRET ${s} fails its Luhn check`;
  return null;
}

/**
 * Checks the triple (`Type d'identifiant PP`, `Identifiant PP`,
 * `Identification nationale PP`): type 8 → RPPS, type 0 → ADELI, and the national
 * identifier must be the type followed by the identifier.
 */
/** The shape of an Identification nationale PP: `8` + 11 digits (RPPS) or `0` + 9 digits (ADELI). No key check. */
export function isNationalIdShape(s: string): boolean {
  return /^(8\d{11}|0\d{9})$/.test(s);
}

export function checkNationalId(type: string, id: string, nationalId: string): string | null {
  let reason: string | null;
  if (type === ID_TYPE_RPPS) reason = checkRpps(id);
  else if (type === ID_TYPE_ADELI) reason = checkAdeli(id);
  else return `identifier type "${type}" must be 0 (ADELI) or 8 (RPPS)`;
  if (reason !== null) return reason;
  if (nationalId.length !== type.length + id.length || !nationalId.startsWith(type) || !nationalId.endsWith(id)) {
    return `national identifier "${nationalId}" must be "${type + id}" (type followed by identifier)`;
  }
  return null;
}
