/**
 * Where the card and PIN letters go (issue 11; domain.md, "The letters"): the address of the
 * holder's first practice situation of the card's profession in the registry (the lowest line
 * of the extract, as cardContent orders situations), and the addressee as a letter prints it.
 * Pure code: the SQL is text for RppsService to run or for another module's set-based query.
 */

/**
 * The registry's address of a practice situation, under the names of mailing's
 * `PostalAddressFields` (src/mailing/postal-address.ts), so that `layoutPostalAddress` takes it
 * as it is. rpps sits below mailing and does not import it: the match is structural (checked by
 * test/rpps/mailing-address.int-spec.ts). Every field is the extract's value, trimmed; '' when
 * empty or when the extract had no such column.
 */
export interface RegistryAddressFields {
  /** Complément destinataire. */
  recipientComplement: string;
  /** Complément point géographique. */
  building: string;
  streetNumber: string;
  /** Indice répétition voie. */
  repetitionIndex: string;
  streetTypeLabel: string;
  streetLabel: string;
  /** Mention distribution. */
  distributionMention: string;
  /** Bureau cedex (in the extract, the whole distribution line: `75011 PARIS`, `69372 LYON CEDEX 08`). */
  cedexOffice: string;
  postalCode: string;
  /** Libellé commune. */
  town: string;
  /** Code pays (TRE_R20: `99000` is France) and Libellé pays. */
  countryCode: string;
  countryLabel: string;
}

export interface MailingAddress {
  /** Civility, first name, last name, as printed on the letter (`Dr MARIE DUPONT`). */
  addressee: string;
  fields: RegistryAddressFields;
}

/**
 * Civilities of practice (TRE_R11, `Code civilité d'exercice`) written the French way. The
 * fixtures hold `DR` only; `PR` (Professeur) is the other title a letter abbreviates. Any other
 * code (the military ranks of the nomenclature) is not abbreviated: the civility is used instead.
 */
export const PRACTICE_CIVILITY_ABBREVIATIONS: Readonly<Record<string, string>> = { DR: 'Dr', PR: 'Pr' };

/**
 * Civilities (TRE_R81, `Code civilité`) written the French way. The fixtures hold `M` and `MME`.
 * `MLLE` is written `Mme`: the administration no longer writes "Mademoiselle" (circular of
 * 21 February 2012).
 */
export const CIVILITY_ABBREVIATIONS: Readonly<Record<string, string>> = { M: 'M.', MME: 'Mme', MLLE: 'Mme' };

/** The registry's identity of a professional, as rpps_professional holds it. */
export interface RegistryIdentity {
  civilityPracticeCode: string;
  civilityCode: string;
  firstName: string;
  lastName: string;
}

/**
 * The addressee of a letter: the civility of practice abbreviated when it has an abbreviation
 * (`Dr`), else the civility (`M.`, `Mme`), else none; then the first name and the name of
 * practice, both as in the registry (capitals there). Missing parts are left out.
 */
export function letterAddressee(p: RegistryIdentity): string {
  const civility =
    PRACTICE_CIVILITY_ABBREVIATIONS[p.civilityPracticeCode.trim().toUpperCase()] ??
    CIVILITY_ABBREVIATIONS[p.civilityCode.trim().toUpperCase()];
  return [civility, p.firstName.trim(), p.lastName.trim()].filter((x) => x).join(' ');
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function caseSql(expr: string, table: Readonly<Record<string, string>>): string {
  const whens = Object.entries(table)
    .map(([code, text]) => `WHEN ${literal(code)} THEN ${literal(text)}`)
    .join(' ');
  return `CASE upper(btrim(${expr})) ${whens} END`;
}

/** {@link letterAddressee} in SQL, over rpps_professional `rp` (the same tables drive both). */
function addresseeSql(rp: string): string {
  const civility = `COALESCE(${caseSql(`${rp}.civility_practice_code`, PRACTICE_CIVILITY_ABBREVIATIONS)}, ${caseSql(
    `${rp}.civility_code`,
    CIVILITY_ABBREVIATIONS,
  )})`;
  return `concat_ws(' ', ${civility}, NULLIF(btrim(${rp}.first_name), ''), NULLIF(btrim(${rp}.last_name), ''))`;
}

/** rpps_situation's columns under the names of {@link RegistryAddressFields}. */
const FIELD_COLUMNS: ReadonlyArray<[keyof RegistryAddressFields, string]> = [
  ['recipientComplement', 'recipient_complement'],
  ['building', 'geo_complement'],
  ['streetNumber', 'street_number'],
  ['repetitionIndex', 'repetition_index'],
  ['streetTypeLabel', 'street_type_label'],
  ['streetLabel', 'street_label'],
  ['distributionMention', 'distribution_mention'],
  ['cedexOffice', 'cedex'],
  ['postalCode', 'postal_code'],
  ['town', 'city'],
  ['countryCode', 'country_code'],
  ['countryLabel', 'country_label'],
];

/**
 * SQL giving, as jsonb, the {@link MailingAddress} of (`nid`, `prof`) (SQL expressions, e.g.
 * columns of the caller's query): null when the professional is unknown, ceased, or does not
 * hold that profession. The address is that of the first situation of the profession (lowest
 * source line); all its fields '' if there were none.
 */
export function mailingAddressSql(nid: string, prof: string): string {
  const fields = FIELD_COLUMNS.map(([key, column]) => `'${key}', COALESCE(ms.${column}, '')`).join(', ');
  return `(SELECT jsonb_build_object('addressee', ${addresseeSql('rp')}, 'fields', jsonb_build_object(${fields}))
        FROM rpps_professional rp JOIN rpps_profession rpr ON rpr.national_id = rp.national_id
        LEFT JOIN LATERAL (SELECT * FROM rpps_situation s0
                            WHERE s0.national_id = rp.national_id AND s0.profession_code = rpr.profession_code
                            ORDER BY s0.source_line LIMIT 1) ms ON true
       WHERE rp.national_id = ${nid} AND rpr.profession_code = ${prof} AND rp.ceased_at IS NULL)`;
}
