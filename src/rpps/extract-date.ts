import { basename } from 'node:path';
import { BUSINESS_DATE_FORM, isBusinessDate, parseBusinessDate, refuseFutureDate } from '../common/clock/business-date';
import { unusableInput } from './rpps.errors';

/**
 * The date of a registry extract: the stamp the agency puts in its file name
 * (`PS_LibreAcces_Personne_activite_YYYYMMDDhhmm.txt`, or `.zip`) or the date given
 * explicitly (`--as-of`, `asOf`) for a file without the stamp. A given date that
 * contradicts the stamp is refused: an old extract imported under today's date would make
 * everyone registered since look ceased (and their cards opposed). Never the clock's today: an extract dated
 * wrongly would make every real extract after it "older than the registry". And never
 * after today: the registry cannot hold tomorrow's extract.
 *
 * Pure code: no framework, no database.
 */

/** `_YYYYMMDD` and, as the agency writes it, `hhmm`, before `.txt` or `.zip`. */
const STAMP = /_(\d{4})(\d{2})(\d{2})(\d{4})?\.(txt|zip)$/i;

export interface ExtractDate {
  asOf: string;
  /** True when the date was given (--as-of, asOf), false when read from the file name. */
  asOfGiven: boolean;
}

/** The date in an extract's file name, if it has the agency's stamp (null otherwise; 2026-02-30 is refused). */
export function dateInFileName(path: string): string | null {
  const name = basename(path);
  const m = STAMP.exec(name);
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  if (!isBusinessDate(day)) {
    throw unusableInput(
      `"${name}": its stamp ${m[1]}${m[2]}${m[3]} is not a day of the calendar; give the extract's date as ${BUSINESS_DATE_FORM}`,
    );
  }
  return day;
}

/**
 * The date of the extract `mainPath`, from `asOf` (given) or its file name; `what` names
 * the way to give one (`--as-of` on the CLI, `asOf` in a request body).
 */
export function extractDate(o: { asOf?: string; mainPath: string; today: string; what: string }): ExtractDate {
  const name = basename(o.mainPath);
  const action = 'an import changes the registry and its events: the date of the registry';
  if (o.asOf !== undefined) {
    const asOf = parseBusinessDate(o.asOf, o.what);
    refuseFutureDate(asOf, o.today, o.what, action);
    const stamped = dateInFileName(o.mainPath);
    if (stamped !== null && stamped !== asOf) {
      throw unusableInput(
        `${o.what} ${asOf} contradicts the date in the file name "${name}" (${stamped}): the agency's stamp is the ` +
          `extract's date. Import the extract of the day you mean, or leave out ${o.what} (a file renamed by mistake ` +
          `gets its agency name back)`,
      );
    }
    return { asOf, asOfGiven: true };
  }
  const fromName = dateInFileName(o.mainPath);
  if (fromName === null) {
    throw unusableInput(
      `cannot tell the date of the extract "${name}": its name has no stamp of the agency (_YYYYMMDDhhmm, as in ` +
        `PS_LibreAcces_Personne_activite_202611250600.txt) and no ${o.what} was given. Give its date one of two ways: ` +
        `keep (or restore) the agency's file name, or give ${o.what} ${BUSINESS_DATE_FORM}, the day of the extract ` +
        `(the date is never taken from today's clock)`,
    );
  }
  refuseFutureDate(fromName, o.today, `the date in the file name "${name}"`, action);
  return { asOf: fromName, asOfGiven: false };
}
