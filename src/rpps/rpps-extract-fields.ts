/**
 * Data lines of the RPPS / ADELI public extraction: each line parsed into a record or
 * a per-line reject reason (a bad line does not stop the import). Pure code.
 */
import { field, LineResult, rejectLine, scanLine } from '../common/extract/extract-fields';
import { checkFiness, checkNationalId, checkSiren, checkSiret } from './identifiers';
import type { PersonneActiviteHeader, SavoirFaireHeader } from './rpps-extract-header';

export interface PersonneActiviteRecord {
  lineNo: number;
  nationalId: string;
  idType: string;
  identifier: string;
  civilityPracticeCode: string;
  civilityCode: string;
  lastName: string;
  firstName: string;
  professionCode: string;
  categoryCode: string;
  /** Empty string when absent (56-column layout: see the SavoirFaire file). */
  specialtyTypeCode: string;
  specialtyCode: string;
  modeCode: string;
  siret: string;
  siren: string;
  finessSite: string;
  finessLegal: string;
  structureId: string;
  siteName: string;
  streetNumber: string;
  streetTypeLabel: string;
  streetLabel: string;
  postalCode: string;
  city: string;
  cedex: string;
  /** The address columns only the letters read ('' when the extract lacks them); not in the situation hash. */
  recipientComplement: string;
  geoComplement: string;
  repetitionIndex: string;
  distributionMention: string;
  countryCode: string;
  countryLabel: string;
  sectorCode: string;
  registrationAuthority: string;
  /** The line as read, for audit. */
  raw: string;
}

export interface SavoirFaireRecord {
  lineNo: number;
  nationalId: string;
  professionCode: string;
  specialtyTypeCode: string;
  specialtyCode: string;
  raw: string;
}

function isTwoDigits(s: string): boolean {
  if (s.length !== 2) return false;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(1);
  return a >= 48 && a <= 57 && b >= 48 && b <= 57;
}

/** Appends `field "<name>": <problem>` when a non-empty value fails its check. */
function withProblem(problems: string[] | null, problem: string): string[] {
  if (problems === null) return [problem];
  problems.push(problem);
  return problems;
}

function checkOptional(problems: string[] | null, value: string, name: string, check: (s: string) => string | null): string[] | null {
  if (value === '') return problems;
  const p = check(value);
  if (p === null) return problems;
  return withProblem(problems, `field "${name}": ${p}`);
}

/**
 * Parses one `Personne_activite` data line. Returns the record, or a reject reason
 * (field count, control characters, over-long field, malformed identifiers, empty
 * name, bad profession code, bad SIRET / SIREN / FINESS); several identifier problems
 * are joined with `; `.
 */
export function parsePersonneActiviteLine(
  text: string,
  lineNo: number,
  header: PersonneActiviteHeader,
): LineResult<PersonneActiviteRecord> {
  let structural = scanLine(text, header);
  if (structural !== null && header.withSavoirFaireSlots) {
    // A 56-column line: the savoir-faire slots the header does not name.
    const slotted = header.withSavoirFaireSlots;
    const again = scanLine(text, slotted);
    if (again === null || !again.startsWith('expected ')) {
      header = slotted;
      structural = again;
    } else {
      structural = structural.replace(/^expected (\d+) fields/, `expected $1 (or ${slotted.fieldCount}) fields`);
    }
  }
  if (structural !== null) return rejectLine(lineNo, structural);
  const c = header.columns;
  const record: PersonneActiviteRecord = {
    lineNo,
    nationalId: field(text, c.nationalId),
    idType: field(text, c.idType),
    identifier: field(text, c.identifier),
    civilityPracticeCode: field(text, c.civilityPracticeCode),
    civilityCode: field(text, c.civilityCode),
    lastName: field(text, c.lastName),
    firstName: field(text, c.firstName),
    professionCode: field(text, c.professionCode),
    categoryCode: field(text, c.categoryCode),
    specialtyTypeCode: field(text, c.specialtyTypeCode),
    specialtyCode: field(text, c.specialtyCode),
    modeCode: field(text, c.modeCode),
    siret: field(text, c.siret),
    siren: field(text, c.siren),
    finessSite: field(text, c.finessSite),
    finessLegal: field(text, c.finessLegal),
    structureId: field(text, c.structureId),
    siteName: field(text, c.siteName),
    streetNumber: field(text, c.streetNumber),
    streetTypeLabel: field(text, c.streetTypeLabel),
    streetLabel: field(text, c.streetLabel),
    postalCode: field(text, c.postalCode),
    city: field(text, c.city),
    cedex: field(text, c.cedex),
    recipientComplement: field(text, c.recipientComplement),
    geoComplement: field(text, c.geoComplement),
    repetitionIndex: field(text, c.repetitionIndex),
    distributionMention: field(text, c.distributionMention),
    countryCode: field(text, c.countryCode),
    countryLabel: field(text, c.countryLabel),
    sectorCode: field(text, c.sectorCode),
    registrationAuthority: field(text, c.registrationAuthority),
    raw: text,
  };

  let problems: string[] | null = null;
  const idProblem = checkNationalId(record.idType, record.identifier, record.nationalId);
  if (idProblem !== null) problems = withProblem(problems, idProblem);
  if (record.lastName === '') problems = withProblem(problems, `field "${header.names[c.lastName]}" is empty`);
  if (!isTwoDigits(record.professionCode)) {
    problems = withProblem(problems, `field "${header.names[c.professionCode]}" must be 2 digits, found "${record.professionCode}"`);
  }
  problems = checkOptional(problems, record.siret, header.names[c.siret], checkSiret);
  problems = checkOptional(problems, record.siren, header.names[c.siren], checkSiren);
  problems = checkOptional(problems, record.finessSite, header.names[c.finessSite], checkFiness);
  problems = checkOptional(problems, record.finessLegal, header.names[c.finessLegal], checkFiness);
  if (problems !== null) return rejectLine(lineNo, problems.join('; '));
  return { ok: true, record };
}

/** Parses one `SavoirFaire` data line. */
export function parseSavoirFaireLine(text: string, lineNo: number, header: SavoirFaireHeader): LineResult<SavoirFaireRecord> {
  const structural = scanLine(text, header);
  if (structural !== null) return rejectLine(lineNo, structural);
  const c = header.columns;
  const record: SavoirFaireRecord = {
    lineNo,
    nationalId: field(text, c.nationalId),
    professionCode: field(text, c.professionCode),
    specialtyTypeCode: field(text, c.specialtyTypeCode),
    specialtyCode: field(text, c.specialtyCode),
    raw: text,
  };
  const problems: string[] = [];
  const idProblem =
    record.nationalId === ''
      ? `field "${header.names[c.nationalId]}" is empty`
      : checkNationalId(record.nationalId.charAt(0), record.nationalId.slice(1), record.nationalId);
  if (idProblem !== null) problems.push(idProblem);
  if (!isTwoDigits(record.professionCode)) {
    problems.push(`field "${header.names[c.professionCode]}" must be 2 digits, found "${record.professionCode}"`);
  }
  if (record.specialtyTypeCode === '') problems.push(`field "${header.names[c.specialtyTypeCode]}" is empty`);
  if (record.specialtyCode === '') problems.push(`field "${header.names[c.specialtyCode]}" is empty`);
  if (problems.length > 0) return rejectLine(lineNo, problems.join('; '));
  return { ok: true, record };
}
