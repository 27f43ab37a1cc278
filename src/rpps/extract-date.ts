import { basename } from 'node:path';
import { BUSINESS_DATE_FORM, isBusinessDate, parseBusinessDate, refuseFutureDate } from '../common/clock/business-date';
import { unusableInput } from './rpps.errors';

/**
 * The date of a registry extract: the stamp the agency puts in its file name
 * (`PS_LibreAcces_Personne_activite_YYYYMMDDhhmm.txt`, or `.zip`) or the date given
 * explicitly (`--as-of`, `asOf`) for a file without the stamp. A given date that
 * contradicts the stamp is refused: an old extract imported under today's date would make
 * everyone registered since look ceased (and their cards opposed). In a zip, the stamp of
 * the extract inside it counts too: it must agree with the zip's stamp and the given date.
 * A date that no stamp backs (a renamed file and `--as-of`) is the caller's word alone: it
 * is taken, but the import holds any cessation for a person's confirmation. Never the
 * clock's today: an extract dated wrongly would make every real extract after it "older
 * than the registry". And never after today: the registry cannot hold tomorrow's extract.
 *
 * Pure code: no framework, no database.
 */

/** `_YYYYMMDD` and, as the agency writes it, `hhmm`, before `.txt` or `.zip`. */
const STAMP = /_(\d{4})(\d{2})(\d{2})(\d{4})?\.(txt|zip)$/i;

export interface ExtractDate {
  asOf: string;
  /** True when the date was given (--as-of, asOf), false when read from the file name. */
  asOfGiven: boolean;
  /**
   * True when no name carries the agency's stamp (neither the file's nor, for a zip, its
   * entry's): the date rests on the caller's word alone, and an import that would cease
   * anyone is held for a person's confirmation (an old extract dated today would cease
   * everyone registered since).
   */
  dateFromCallerOnly: boolean;
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
 * the way to give one (`--as-of` on the CLI, `asOf` in a request body). For a zip,
 * `entryName` is the name of the `.txt` entry inside it: a stamp there must agree with the
 * zip's stamp and with `asOf` (an old extract re-zipped under today's name is refused), and
 * dates the extract when the zip's name has none.
 */
export function extractDate(o: { asOf?: string; mainPath: string; entryName?: string; today: string; what: string }): ExtractDate {
  const name = basename(o.mainPath);
  const action = 'an import changes the registry and its events: the date of the registry';
  const zipStamp = dateInFileName(o.mainPath);
  const entry = o.entryName !== undefined && basename(o.entryName) !== name ? basename(o.entryName) : undefined;
  const entryStamp = entry === undefined ? null : dateInFileName(entry);
  if (zipStamp !== null && entryStamp !== null && zipStamp !== entryStamp) {
    throw unusableInput(
      `the date in the file name "${name}" (${zipStamp}) contradicts the date in the name of the extract inside it, ` +
        `"${entry}" (${entryStamp}): the agency's stamp is the extract's date, and a zip renamed (or an old extract ` +
        `zipped again under another day) cannot tell which one it is. Import the agency's zip as it was delivered`,
    );
  }
  const stamped = zipStamp ?? entryStamp;
  const stampedName = zipStamp !== null ? name : entry;
  if (o.asOf !== undefined) {
    const asOf = parseBusinessDate(o.asOf, o.what);
    refuseFutureDate(asOf, o.today, o.what, action);
    if (stamped !== null && stamped !== asOf) {
      throw unusableInput(
        `${o.what} ${asOf} contradicts the date in the file name "${stampedName}" (${stamped}): the agency's stamp is the ` +
          `extract's date. Import the extract of the day you mean, or leave out ${o.what} (a file renamed by mistake ` +
          `gets its agency name back)`,
      );
    }
    return { asOf, asOfGiven: true, dateFromCallerOnly: stamped === null };
  }
  if (stamped === null) {
    throw unusableInput(
      `cannot tell the date of the extract "${name}": its name has no stamp of the agency (_YYYYMMDDhhmm, as in ` +
        `PS_LibreAcces_Personne_activite_202611250600.txt) and no ${o.what} was given. Give its date one of two ways: ` +
        `keep (or restore) the agency's file name, or give ${o.what} ${BUSINESS_DATE_FORM}, the day of the extract ` +
        `(the date is never taken from today's clock)`,
    );
  }
  refuseFutureDate(stamped, o.today, `the date in the file name "${stampedName}"`, action);
  return { asOf: stamped, asOfGiven: false, dateFromCallerOnly: false };
}
