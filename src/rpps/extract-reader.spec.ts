import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import {
  detectFileKind,
  ExtractFormatError,
  ExtractLine,
  normalizeHeaderName,
  openExtract,
  PersonneActiviteHeader,
  PersonneActiviteRecord,
  parsePersonneActiviteHeader,
  parsePersonneActiviteLine,
  parseSavoirFaireHeader,
  parseSavoirFaireLine,
  readHeader,
  readLineBatches,
  readLines,
} from './extract-reader';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures');
const PA_52_DAY1 = path.join(FIXTURES, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const PA_52_DAY2 = path.join(FIXTURES, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const PA_56 = path.join(FIXTURES, 'PS_LibreAcces_Personne_activite_202611270600.txt');
const SAVOIR_FAIRE = path.join(FIXTURES, 'PS_LibreAcces_SavoirFaire_202611270600.txt');
const PORTEURS = path.join(FIXTURES, 'Porteurs_CPS_CPF_202611250600.txt');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpps-extract-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function fixtureLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

function streamOf(...chunks: (Buffer | string)[]): Readable {
  return Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}

function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

async function collect(stream: NodeJS.ReadableStream, options?: Parameters<typeof readLines>[1]): Promise<ExtractLine[]> {
  const out: ExtractLine[] = [];
  for await (const line of readLines(stream, options)) out.push(line);
  return out;
}

async function texts(stream: NodeJS.ReadableStream, options?: Parameters<typeof readLines>[1]): Promise<string[]> {
  return (await collect(stream, options)).map((l) => l.text);
}

/** Replaces field `index` of a `|`-delimited line (trailing `|` kept). */
function setField(line: string, index: number, value: string): string {
  const f = line.split('|');
  f[index] = value;
  return f.join('|');
}

/** Inserts the four savoir-faire columns where the 52-column layout has them. */
function withSavoirFaireColumns(header56: string): string {
  return header56.replace(
    'Libellé catégorie professionnelle|',
    'Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|',
  );
}

// ---------------------------------------------------------------------------
// Minimal zip writer (test code only), stored or deflated entries.
// ---------------------------------------------------------------------------
function makeZip(entries: { name: string; data: Buffer; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.deflate ? zlib.deflateRawSync(e.data) : e.data;
    const crc = zlib.crc32(e.data) >>> 0;
    const method = e.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The zip tool (Debian package `zip`, installed by .ci/services.sh): a missing tool fails the test, never skips it. */
function requireZipCli(): void {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error('the `zip` command is needed by this test (apt-get install zip, or bash .ci/services.sh)');
  }
}

// ---------------------------------------------------------------------------

describe('the fixture extracts', () => {
  /*
   * Fixture finding: the SIRENs of the synthetic fixtures (300000000, ...) carry no Luhn
   * key (their SIRETs do). domain.md gives a key to FINESS and SIRET only, so a SIREN is
   * checked for its 9 digits alone, and every fixture line parses.
   */
  function expectEveryLineParses(lines: string[], header: PersonneActiviteHeader): PersonneActiviteRecord[] {
    const results = lines.map((text, i) => parsePersonneActiviteLine(text, i + 2, header));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    return results.flatMap((r) => (r.ok ? [r.record] : []));
  }

  it.each([PA_52_DAY1, PA_52_DAY2])('maps the 52-column header of %s', (file) => {
    const header = parsePersonneActiviteHeader(fixtureLines(file)[0]);
    expect(header.layout).toBe('personne-activite-52');
    expect(header.fieldCount).toBe(52);
    expect(header.trailingDelimiter).toBe(true);
    expect(header.columns.specialtyCode).toBeGreaterThanOrEqual(0);
  });

  it.each([PA_52_DAY1, PA_52_DAY2])('parses every data line of %s', (file) => {
    const [head, ...lines] = fixtureLines(file);
    const header = parsePersonneActiviteHeader(head);
    const records = expectEveryLineParses(lines, header);
    for (const r of records) {
      expect(r.nationalId).toBe(r.idType + r.identifier);
      expect(r.lastName).not.toBe('');
    }
  });

  it('reads the first line of the 52-column fixture into the expected record', () => {
    const [head, first] = fixtureLines(PA_52_DAY1);
    const header = parsePersonneActiviteHeader(head);
    const r = parsePersonneActiviteLine(first, 2, header);
    expect(r).toEqual({
      ok: true,
      record: expect.objectContaining({
        lineNo: 2,
        nationalId: '810000000355',
        idType: '8',
        identifier: '10000000355',
        civilityPracticeCode: '',
        civilityCode: 'M',
        lastName: 'LEFÈVRE',
        firstName: 'MARIE',
        professionCode: '80',
        categoryCode: 'C',
        specialtyTypeCode: '',
        specialtyCode: '',
        modeCode: 'B',
        siret: '30000000079198',
        siren: '300000000',
        finessSite: '',
        finessLegal: '',
        structureId: 'S30000000079198',
        siteName: 'CABINET MICHEL',
        streetNumber: '10',
        streetTypeLabel: 'Place',
        streetLabel: 'DE LA RÉPUBLIQUE',
        postalCode: '75011',
        city: 'PARIS 11E ARRONDISSEMENT',
        cedex: '75011 PARIS',
        sectorCode: 'SA08',
        registrationAuthority: 'CNOM/CNOM/CNOM',
      }),
    });
  });

  it("keeps apostrophes in names as plain characters (D'ALMEIDA, O'NEILL)", () => {
    const [head, ...lines] = fixtureLines(PA_52_DAY1);
    const header = parsePersonneActiviteHeader(head);
    const records = expectEveryLineParses(lines, header);
    const names = new Set(records.flatMap((r) => [r.lastName, r.siteName]));
    expect([...names].some((n) => n.includes("'"))).toBe(true);
  });

  it('reads savoir-faire columns from the 52-column layout', () => {
    const [head, ...lines] = fixtureLines(PA_52_DAY1);
    const records = expectEveryLineParses(lines, parsePersonneActiviteHeader(head));
    const withSpecialty = records.filter((r) => r.specialtyCode !== '');
    expect(withSpecialty.length).toBeGreaterThan(0);
    for (const r of withSpecialty) {
      expect(r.specialtyTypeCode).toBe('S');
      expect(r.specialtyCode).toMatch(/^SM\d\d$/);
    }
  });

  it('maps the header of the 56-column fixture by its names', () => {
    const header = parsePersonneActiviteHeader(fixtureLines(PA_56)[0]);
    expect(header.layout).toBe('personne-activite-56');
    expect(header.columns.specialtyTypeCode).toBe(-1);
    expect(header.columns.specialtyCode).toBe(-1);
    // Fixture finding: the header names 52 columns (48 common + the 4 new ones) ...
    expect(header.fieldCount).toBe(52);
  });

  it('reads the data lines of the 56-column fixture, which keep 4 unnamed savoir-faire slots', () => {
    // ... while its data lines still carry the 4 (empty) savoir-faire fields: 56 fields.
    const [head, ...lines] = fixtureLines(PA_56);
    const header = parsePersonneActiviteHeader(head);
    expect(header.withSavoirFaireSlots?.fieldCount).toBe(56);
    const records = expectEveryLineParses(lines, header);
    expect(records[0]).toMatchObject({ nationalId: '0139100010', lastName: 'GARCIA', modeCode: 'B', sectorCode: 'SA09' });
    // a line of neither width is still refused, naming both
    const short = `${lines[0].split('|').slice(0, 40).join('|')}|`;
    expect(parsePersonneActiviteLine(short, 2, header)).toEqual({ ok: false, lineNo: 2, reason: 'expected 52 (or 56) fields, found 40' });
  });

  it('parses every data line of the 56-column fixture once its header names the savoir-faire columns too', () => {
    const [head, ...lines] = fixtureLines(PA_56);
    const header = parsePersonneActiviteHeader(withSavoirFaireColumns(head));
    expect(header.layout).toBe('personne-activite-56');
    expect(header.fieldCount).toBe(56);
    const records = expectEveryLineParses(lines, header);
    expect(records[0]).toMatchObject({ nationalId: '0139100010', idType: '0', lastName: 'GARCIA', modeCode: 'B' });
    expect(records.every((r) => r.specialtyCode === '')).toBe(true);
  });

  it('parses every line of the SavoirFaire fixture', () => {
    const [head, ...lines] = fixtureLines(SAVOIR_FAIRE);
    const header = parseSavoirFaireHeader(head);
    expect(header.fieldCount).toBe(6);
    const results = lines.map((text, i) => parseSavoirFaireLine(text, i + 2, header));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results[0]).toEqual({
      ok: true,
      record: {
        lineNo: 2,
        nationalId: '810000000330',
        professionCode: '10',
        specialtyTypeCode: 'S',
        specialtyCode: 'SM04',
        raw: lines[0],
      },
    });
  });

  it('tells the kind of each fixture from its header', () => {
    expect(detectFileKind(fixtureLines(PA_52_DAY1)[0])).toBe('personne-activite');
    expect(detectFileKind(fixtureLines(PA_56)[0])).toBe('personne-activite');
    expect(detectFileKind(fixtureLines(SAVOIR_FAIRE)[0])).toBe('savoir-faire');
    expect(detectFileKind(fixtureLines(PORTEURS)[0])).toBe('unknown');
    expect(detectFileKind('')).toBe('unknown');
  });

  it('reads the fixtures through openExtract and readLines as the plain split does', async () => {
    for (const file of [PA_52_DAY1, PA_56, SAVOIR_FAIRE]) {
      const { name, stream } = await openExtract(file);
      expect(name).toBe(path.basename(file));
      const lines = await collect(stream);
      expect(lines.map((l) => l.text)).toEqual(fixtureLines(file));
      expect(lines.map((l) => l.lineNo)).toEqual(lines.map((_, i) => i + 1));
      expect(lines.every((l) => l.encoding === 'utf8')).toBe(true);
    }
  });
});

describe('normalizing header names', () => {
  it('ignores case, accents, apostrophes and extra spaces', () => {
    const forms = ["Nom d'exercice", 'NOM D’EXERCICE', 'nom  d exercice', ' Nom d\u2019Exercice ', 'nom-d-exercice'];
    for (const f of forms) expect(normalizeHeaderName(f)).toBe('nom d exercice');
  });

  it('turns dots and parentheses into spaces', () => {
    expect(normalizeHeaderName('Numéro Voie (coord. structure)')).toBe('numero voie coord structure');
    expect(normalizeHeaderName('NUMERO VOIE (COORD STRUCTURE)')).toBe('numero voie coord structure');
    expect(normalizeHeaderName('Code genre d’activité')).toBe('code genre d activite');
    expect(normalizeHeaderName("\uFEFFType d'identifiant PP")).toBe('type d identifiant pp');
  });

  it('gives the same result for the composed and decomposed forms of an accent', () => {
    expect(normalizeHeaderName('Pr\u00e9nom')).toBe(normalizeHeaderName('Pre\u0301nom'));
  });
});

describe('mapping a Personne_activite header', () => {
  const head52 = fixtureLines(PA_52_DAY1)[0];
  const reference = parsePersonneActiviteHeader(head52);

  const variants: [string, (s: string) => string][] = [
    ['upper case', (s) => s.toUpperCase()],
    ['no accents', (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')],
    ['curly apostrophes', (s) => s.replace(/'/g, '\u2019')],
    ['extra spaces and no dots', (s) => s.replace(/ /g, '  ').replace(/\./g, '')],
    ['no trailing delimiter', (s) => s.replace(/\|$/, '')],
  ];

  it.each(variants)('maps the same columns with %s', (_label, transform) => {
    const header = parsePersonneActiviteHeader(transform(head52));
    expect(header.columns).toEqual(reference.columns);
    expect(header.layout).toBe('personne-activite-52');
    expect(header.fieldCount).toBe(52);
  });

  it('maps columns by name, never by position', () => {
    const [head, fixtureFirst] = fixtureLines(PA_52_DAY1);
    const first = setField(fixtureFirst, reference.columns.siren, '');
    const rotate = (l: string): string => {
      const f = l.split('|').slice(0, -1);
      return [...f.slice(10), ...f.slice(0, 10), ''].join('|');
    };
    const rotatedHeader = parsePersonneActiviteHeader(rotate(head));
    expect(rotatedHeader.columns.lastName).toBe(reference.columns.lastName - 10 + 52);
    const straight = parsePersonneActiviteLine(first, 2, reference);
    const rotated = parsePersonneActiviteLine(rotate(first), 2, rotatedHeader);
    expect(straight.ok).toBe(true);
    if (!straight.ok) return;
    expect(rotated).toEqual({ ok: true, record: { ...straight.record, raw: rotate(first) } });
  });

  it('names every missing required column in its original spelling', () => {
    const cut = head52
      .split('|')
      .filter((n) => n !== 'Code profession' && n !== "Nom d'exercice")
      .join('|');
    expect(() => parsePersonneActiviteHeader(cut)).toThrow(ExtractFormatError);
    expect(() => parsePersonneActiviteHeader(cut)).toThrow(`missing required column(s): "Nom d'exercice", "Code profession"`);
  });

  it('names all the missing columns of a header from another file', () => {
    let err: unknown;
    try {
      parsePersonneActiviteHeader(fixtureLines(PORTEURS)[0]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExtractFormatError);
    const msg = (err as Error).message;
    for (const n of ['Code mode exercice', 'Numéro SIRET site', 'Raison sociale site', "Autorité d'enregistrement"]) {
      expect(msg).toContain(`"${n}"`);
    }
    expect(msg).not.toContain('"Identifiant PP"');
  });

  it('refuses a header that has neither the savoir-faire nor the 56-column markers', () => {
    const cut = head52
      .split('|')
      .filter((n) => !/savoir-faire/.test(n))
      .join('|');
    expect(() => parsePersonneActiviteHeader(cut)).toThrow(/unknown layout/);
  });

  it('refuses an empty header line and a column present twice', () => {
    expect(() => parsePersonneActiviteHeader('')).toThrow(ExtractFormatError);
    expect(() => parsePersonneActiviteHeader(`${head52}CODE PROFESSION|`)).toThrow(/present more than once: "Code profession"/);
  });

  it('recognises the 56-column layout with accents and case changed', () => {
    const head56 = fixtureLines(PA_56)[0];
    const header = parsePersonneActiviteHeader(head56.toUpperCase().replace(/É/g, 'E').replace(/'/g, '’'));
    expect(header.layout).toBe('personne-activite-56');
    expect(header.columns).toEqual(parsePersonneActiviteHeader(head56).columns);
  });
});

describe('mapping a SavoirFaire header', () => {
  it('maps by name and names missing columns', () => {
    const head = fixtureLines(SAVOIR_FAIRE)[0];
    expect(parseSavoirFaireHeader(head.toUpperCase()).columns).toEqual({
      nationalId: 0,
      professionCode: 1,
      specialtyTypeCode: 2,
      specialtyCode: 4,
    });
    expect(() => parseSavoirFaireHeader('Identification nationale PP|Code profession|')).toThrow(
      'missing required column(s): "Code type savoir-faire", "Code savoir-faire"',
    );
    expect(() => parseSavoirFaireHeader('   ')).toThrow(ExtractFormatError);
  });
});

describe('rejecting bad Personne_activite lines', () => {
  const [head, fixtureFirst] = fixtureLines(PA_52_DAY1);
  const header = parsePersonneActiviteHeader(head);
  const c = header.columns;
  // A fully valid line: the fixture's first line with a Luhn-valid SIREN/SIRET pair.
  const good = setField(setField(fixtureFirst, c.siren, '732829320'), c.siret, '73282932000074');
  const parse = (text: string) => parsePersonneActiviteLine(text, 7, header);
  const reasonOf = (text: string): string => {
    const r = parse(text);
    return r.ok ? 'ok' : r.reason;
  };

  it('accepts the reference line', () => {
    expect(parse(good)).toMatchObject({ ok: true, record: { siren: '732829320', siret: '73282932000074', raw: good } });
  });

  it('rejects a wrong field count', () => {
    const fields = good.split('|');
    expect(reasonOf([...fields.slice(0, 50), ''].join('|'))).toBe('expected 52 fields, found 50');
    expect(reasonOf([...fields.slice(0, 52), 'x', 'y', ''].join('|'))).toBe('expected 52 fields, found 54');
    expect(reasonOf('')).toBe('expected 52 fields, found 1');
    expect(parse(good)).toMatchObject({ ok: true });
  });

  it('accepts a line without its trailing delimiter, but not one that lost its last field', () => {
    const noTrailing = `${good.replace(/\|$/, '')}X`; // last column non-empty, no trailing |
    expect(reasonOf(noTrailing)).toBe('ok');
    expect(reasonOf(good.replace(/\|$/, ''))).toBe('expected 52 fields, found 51');
  });

  it('rejects binary content (NUL bytes) naming the field', () => {
    const binary = setField(good, c.siteName, 'CABINET\u0000\u0000MICHEL');
    expect(reasonOf(binary)).toBe('binary or control characters in field "Raison sociale site"');
    expect(reasonOf(setField(good, c.lastName, 'DU\u007fBOIS'))).toBe(`binary or control characters in field "Nom d'exercice"`);
    expect(reasonOf(setField(good, c.city, 'PARIS\uFFFD'))).toBe(
      'binary or control characters in field "Libellé commune (coord. structure)"',
    );
    expect(reasonOf(setField(good, c.city, 'PARIS\r'))).toMatch(/binary or control characters/);
  });

  it('rejects a binary line read from a file', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${head}\n`, 'utf8'),
      Buffer.from(good.slice(0, 100), 'utf8'),
      Buffer.from([0, 1, 2, 0xff, 0xfe, 0]),
      Buffer.from(`${good.slice(100)}\n`, 'utf8'),
    ]);
    const lines = await collect(streamOf(bytes));
    expect(lines).toHaveLength(2);
    expect(lines[1].encoding).toBe('latin1');
    const r = parsePersonneActiviteLine(lines[1].text, lines[1].lineNo, header);
    expect(r).toMatchObject({
      ok: false,
      lineNo: 2,
      reason: expect.stringMatching(/^binary or control characters in field "/),
    });
  });

  it('rejects a 10,000-character field', () => {
    expect(reasonOf(setField(good, c.siteName, 'A'.repeat(10000)))).toBe('field "Raison sociale site" is 10000 characters long (max 500)');
    expect(reasonOf(setField(good, c.siteName, 'A'.repeat(500)))).toBe('ok');
    expect(reasonOf(setField(good, header.names.length - 1, 'B'.repeat(501)))).toBe(
      'field "Libellé section tableau pharmaciens" is 501 characters long (max 500)',
    );
  });

  it('rejects a malformed RPPS', () => {
    const badLuhn = setField(setField(good, c.identifier, '10000000356'), c.nationalId, '810000000356');
    expect(reasonOf(badLuhn)).toBe('RPPS 10000000356 fails its Luhn check');
    const short = setField(setField(good, c.identifier, '1234'), c.nationalId, '81234');
    expect(reasonOf(short)).toBe('RPPS "1234" must be 11 digits');
    expect(reasonOf(setField(good, c.nationalId, '810000000728'))).toBe(
      'national identifier "810000000728" must be "810000000355" (type followed by identifier)',
    );
  });

  it('rejects a malformed ADELI and an unknown identifier type', () => {
    const adeli = (id: string) => setField(setField(setField(good, c.idType, '0'), c.identifier, id), c.nationalId, `0${id}`);
    expect(reasonOf(adeli('139100010'))).toBe('ok');
    expect(reasonOf(adeli('139100011'))).toBe('ADELI 139100011 fails its Luhn check');
    expect(reasonOf(adeli('13910001A'))).toBe('ADELI "13910001A" must be 9 digits');
    expect(reasonOf(setField(setField(good, c.idType, '3'), c.nationalId, '310000000355'))).toBe(
      'identifier type "3" must be 0 (ADELI) or 8 (RPPS)',
    );
  });

  it('rejects a malformed SIRET, SIREN or FINESS, but not an empty one', () => {
    expect(reasonOf(setField(good, c.siret, '73282932000075'))).toBe(
      'field "Numéro SIRET site": SIRET 73282932000075 fails its Luhn check',
    );
    expect(reasonOf(setField(good, c.siret, '7328293200007'))).toBe('field "Numéro SIRET site": SIRET "7328293200007" must be 14 digits');
    expect(reasonOf(setField(good, c.siret, '35600000000049'))).toBe('ok'); // La Poste
    expect(reasonOf(setField(good, c.siren, '300000000'))).toBe('ok');
    expect(reasonOf(setField(good, c.siren, '30000000A'))).toBe('field "Numéro SIREN site": SIREN "30000000A" must be 9 digits');
    expect(reasonOf(setField(good, c.finessSite, '123'))).toBe('field "Numéro FINESS site": FINESS "123" must be 9 digits');
    expect(reasonOf(setField(good, c.finessLegal, '750000012'))).toMatch(
      /^field "Numéro FINESS établissement juridique": FINESS 750000012 fails its Luhn check$/,
    );
    expect(reasonOf(setField(setField(good, c.siret, ''), c.siren, ''))).toBe('ok');
  });

  it('rejects an empty name and a profession code that is not 2 digits', () => {
    expect(reasonOf(setField(good, c.lastName, '   '))).toBe(`field "Nom d'exercice" is empty`);
    expect(reasonOf(setField(good, c.professionCode, '8'))).toBe('field "Code profession" must be 2 digits, found "8"');
    expect(reasonOf(setField(good, c.professionCode, 'AB'))).toBe('field "Code profession" must be 2 digits, found "AB"');
  });

  it('lists several problems of one line together', () => {
    const bad = setField(setField(good, c.lastName, ''), c.siret, '73282932000075');
    expect(reasonOf(bad)).toBe(`field "Nom d'exercice" is empty; field "Numéro SIRET site": SIRET 73282932000075 fails its Luhn check`);
  });

  it('treats quotes as plain characters and trims fields, keeping the raw line', () => {
    const quoted = setField(setField(good, c.siteName, '  CABINET "LE PHARE" D\'ALMEIDA '), c.lastName, '\'O"NEILL');
    const r = parse(quoted);
    expect(r).toMatchObject({
      ok: true,
      record: { siteName: 'CABINET "LE PHARE" D\'ALMEIDA', lastName: '\'O"NEILL', raw: quoted },
    });
  });

  it('uses the header spelling of the file in its reasons', () => {
    const upper = parsePersonneActiviteHeader(head.toUpperCase());
    const r = parsePersonneActiviteLine(setField(good, c.lastName, ''), 3, upper);
    expect(r).toEqual({ ok: false, lineNo: 3, reason: `field "NOM D'EXERCICE" is empty` });
  });
});

describe('rejecting bad SavoirFaire lines', () => {
  const [head, first] = fixtureLines(SAVOIR_FAIRE);
  const header = parseSavoirFaireHeader(head);
  const reasonOf = (text: string): string => {
    const r = parseSavoirFaireLine(text, 2, header);
    return r.ok ? 'ok' : r.reason;
  };

  it('rejects bad identifiers, counts, codes and binary content', () => {
    expect(reasonOf(first)).toBe('ok');
    expect(reasonOf(setField(first, 0, '810000000331'))).toBe('RPPS 10000000331 fails its Luhn check');
    expect(reasonOf(setField(first, 0, '0139100010'))).toBe('ok');
    expect(reasonOf(setField(first, 0, '3139100010'))).toBe('identifier type "3" must be 0 (ADELI) or 8 (RPPS)');
    expect(reasonOf(setField(first, 0, ''))).toBe('field "Identification nationale PP" is empty');
    expect(reasonOf(setField(first, 1, '1'))).toBe('field "Code profession" must be 2 digits, found "1"');
    expect(reasonOf(setField(first, 4, ''))).toBe('field "Code savoir-faire" is empty');
    expect(reasonOf(`${first}extra|`)).toBe('expected 6 fields, found 7');
    expect(reasonOf(setField(first, 5, 'x\u0000'))).toBe('binary or control characters in field "Libellé savoir-faire"');
    expect(reasonOf(setField(first, 5, 'x'.repeat(10000)))).toBe('field "Libellé savoir-faire" is 10000 characters long (max 500)');
  });
});

describe('splitting a stream into lines', () => {
  const utf8 = fs.readFileSync(PA_52_DAY1);
  const expected = fixtureLines(PA_52_DAY1);

  it('reads a Latin-1 copy of a fixture as the same text as the UTF-8 original', async () => {
    const latin1 = Buffer.from(utf8.toString('utf8'), 'latin1');
    expect(latin1.length).toBeLessThan(utf8.length);
    const lines = await collect(streamOf(latin1));
    expect(lines.map((l) => l.text)).toEqual(expected);
    expect(lines.every((l) => l.encoding === 'latin1')).toBe(true);
    expect(lines.some((l) => l.text.includes('LEFÈVRE'))).toBe(true);
  });

  it('strips a UTF-8 BOM and CRLF line ends', async () => {
    const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(utf8.toString('utf8').replace(/\n/g, '\r\n'), 'utf8')]);
    expect(await texts(streamOf(crlf))).toEqual(expected);
    // and the header still maps
    const first = (await texts(streamOf(crlf)))[0];
    expect(parsePersonneActiviteHeader(first).layout).toBe('personne-activite-52');
  });

  it('strips a BOM arriving split across chunks', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a|b|\nc|d|\n')]);
    expect(await texts(chunked(bytes, 1), { gatherBytes: 0 })).toEqual(['a|b|', 'c|d|']);
  });

  it('handles lines spanning chunks, whatever the chunk size', async () => {
    const crlf = Buffer.from(utf8.toString('utf8').replace(/\n/g, '\r\n'), 'utf8');
    for (const size of [1, 2, 3, 7, 64, 1000, 4096]) {
      for (const gatherBytes of [0, 100, undefined]) {
        expect(await texts(chunked(utf8, size), { gatherBytes })).toEqual(expected);
        expect(await texts(chunked(crlf, size), { gatherBytes })).toEqual(expected);
        expect(await texts(chunked(utf8, size), { sniffBytes: 5, gatherBytes })).toEqual(expected);
      }
    }
  });

  it('reads a last line without a newline and skips a final empty line', async () => {
    expect(await texts(streamOf('a|\nb|'))).toEqual(['a|', 'b|']);
    expect(await texts(streamOf('a|\nb|\n\n'))).toEqual(['a|', 'b|']);
    expect(await texts(streamOf('a|\r\nb|\r\n\r\n'))).toEqual(['a|', 'b|']);
    expect(await texts(streamOf('a|\n\nb|\n'))).toEqual(['a|', '', 'b|']);
    const lines = await collect(streamOf('a|\n\nb|\n'));
    expect(lines.map((l) => l.lineNo)).toEqual([1, 2, 3]);
  });

  it('yields nothing for an empty file and one line for a header alone', async () => {
    expect(await texts(streamOf())).toEqual([]);
    expect(await texts(streamOf(''))).toEqual([]);
    expect(await texts(streamOf('\n'))).toEqual([]);
    const head = expected[0];
    expect(await texts(streamOf(`${head}\n`))).toEqual([head]);
    expect(await texts(streamOf(head))).toEqual([head]);
  });

  it('decodes a later non-UTF-8 line as Latin-1 on its own', async () => {
    const bytes = Buffer.concat([
      Buffer.from('HÉLÈNE|\n'.repeat(20), 'utf8'),
      Buffer.from('HÉLÈNE|\n', 'latin1'),
      Buffer.from('CÉCILE|\n', 'utf8'),
    ]);
    const lines = await collect(streamOf(bytes), { sniffBytes: 64 });
    expect(lines).toHaveLength(22);
    expect(lines.every((l) => l.text === 'HÉLÈNE|' || l.text === 'CÉCILE|')).toBe(true);
    expect(lines[20]).toEqual({ lineNo: 21, text: 'HÉLÈNE|', encoding: 'latin1' });
    expect(lines[19].encoding).toBe('utf8');
    expect(lines[21]).toEqual({ lineNo: 22, text: 'CÉCILE|', encoding: 'utf8' });
  });

  it('reads the whole file as Latin-1 when the first bytes are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('CÉCILE|\n', 'latin1'), Buffer.from('Ã©|\n', 'latin1')]);
    const lines = await collect(streamOf(bytes));
    expect(lines).toEqual([
      { lineNo: 1, text: 'CÉCILE|', encoding: 'latin1' },
      { lineNo: 2, text: 'Ã©|', encoding: 'latin1' },
    ]);
  });

  it('does not mistake a character cut by the sniff window for Latin-1', async () => {
    const text = `AB${'É'.repeat(10)}|\nÉÀ€|\n`;
    const bytes = Buffer.from(text, 'utf8');
    for (let sniff = 1; sniff < bytes.length; sniff++) {
      const lines = await collect(chunked(bytes, 3), { sniffBytes: sniff, gatherBytes: 0 });
      expect(lines.map((l) => [l.text, l.encoding])).toEqual([
        [`AB${'É'.repeat(10)}|`, 'utf8'],
        ['ÉÀ€|', 'utf8'],
      ]);
    }
  });

  it('yields lines in batches with consecutive line numbers', async () => {
    const big = Buffer.from(`${expected.join('\n')}\n`.repeat(50), 'utf8');
    let count = 0;
    let batches = 0;
    for await (const batch of readLineBatches(chunked(big, 10_000), { gatherBytes: 0 })) {
      batches++;
      for (const l of batch) expect(l.lineNo).toBe(++count);
    }
    expect(count).toBe(expected.length * 50);
    expect(batches).toBeGreaterThan(1);
  });

  it('destroys the stream when the reader stops early', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced++;
        this.push(Buffer.from('a|b|\n'.repeat(1000)));
      },
    });
    for await (const line of readLines(endless, { sniffBytes: 100 })) {
      expect(line.lineNo).toBe(1);
      break;
    }
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(100);
  });

  it('refuses a line longer than the limit instead of buffering it', async () => {
    const bytes = Buffer.alloc(5000, 0x41);
    await expect(texts(chunked(bytes, 100), { maxLineBytes: 1000, gatherBytes: 0 })).rejects.toThrow(ExtractFormatError);
    await expect(texts(chunked(bytes, 100), { maxLineBytes: 1000 })).rejects.toThrow(ExtractFormatError);
    await expect(texts(streamOf(bytes), { maxLineBytes: 1000 })).rejects.toThrow(/line 1 is longer than 1000 bytes/);
  });

  it('gives back any lines, however they are chunked and whatever the line ends', async () => {
    // Any text (valid UTF-8 once encoded) without line ends; U+FFFD / BOM excluded.
    const lineArb = fc.string({ unit: 'binary', maxLength: 40 }).map((s) =>
      Buffer.from(s, 'utf8')
        .toString('utf8')
        .replace(/[\r\n\uFFFD\uFEFF]/g, '.'),
    );
    const nonEmptyLast = (ls: string[]): string[] => {
      const out = [...ls];
      while (out.length > 0 && out[out.length - 1] === '') out.pop();
      return out;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { maxLength: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(0, 7, 64),
        async (lines, crlf, finalNewline, chunkSize, gatherBytes) => {
          const eol = crlf ? '\r\n' : '\n';
          const body = lines.join(eol) + (finalNewline && lines.length > 0 ? eol : '');
          const read = await texts(chunked(Buffer.from(body, 'utf8'), chunkSize), { sniffBytes: 16, gatherBytes });
          expect(read).toEqual(nonEmptyLast(lines));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('reading the header of a stream', () => {
  it('returns the header and the data lines after it', async () => {
    const { stream } = await openExtract(SAVOIR_FAIRE);
    const start = await readHeader(stream);
    expect(start.kind).toBe('savoir-faire');
    expect(start.header.lineNo).toBe(1);
    const rest: ExtractLine[] = [];
    for await (const b of start.batches) rest.push(...b);
    expect(rest.map((l) => l.text)).toEqual(fixtureLines(SAVOIR_FAIRE).slice(1));
    expect(rest[0].lineNo).toBe(2);
  });

  it('releases the stream on close when the data lines are not read', async () => {
    const endless = new Readable({
      read() {
        this.push(Buffer.from(`Identification nationale PP|Code profession|\n${'a|b|\n'.repeat(1000)}`));
      },
    });
    const start = await readHeader(endless, { sniffBytes: 100 });
    expect(start.kind).toBe('unknown');
    expect(endless.destroyed).toBe(false);
    await start.close();
    expect(endless.destroyed).toBe(true);
  });

  it('refuses an empty file', async () => {
    await expect(readHeader(streamOf())).rejects.toThrow(ExtractFormatError);
    await expect(readHeader(streamOf('\n\n'))).rejects.toThrow('empty file: no header line');
    await expect(readHeader(streamOf('\nheader|\n'))).rejects.toThrow(/first line of the file is empty/);
  });

  it('accepts a header alone, with no data line', async () => {
    const head = fixtureLines(PA_52_DAY1)[0];
    const start = await readHeader(streamOf(`${head}\r\n`));
    expect(start.kind).toBe('personne-activite');
    expect(parsePersonneActiviteHeader(start.header.text).fieldCount).toBe(52);
    const rest: ExtractLine[] = [];
    for await (const b of start.batches) rest.push(...b);
    expect(rest).toEqual([]);
  });
});

describe('opening .txt and .zip extracts', () => {
  const fixtureBytes = fs.readFileSync(PA_56);
  const fixtureName = path.basename(PA_56);

  it('opens a zip made by the zip tool, streaming its single .txt entry', async () => {
    requireZipCli();
    const dir = fs.mkdtempSync(path.join(tmp, 'cli-'));
    fs.copyFileSync(PA_56, path.join(dir, fixtureName));
    fs.writeFileSync(path.join(dir, 'LISEZMOI.pdf'), 'not text');
    const zipPath = path.join(dir, 'extract.zip');
    execFileSync('zip', ['-q', '-j', zipPath, path.join(dir, fixtureName), path.join(dir, 'LISEZMOI.pdf')]);
    const { name, stream } = await openExtract(zipPath);
    expect(name).toBe(fixtureName);
    expect(await texts(stream)).toEqual(fixtureLines(PA_56));
  });

  it.each([
    ['deflated', true],
    ['stored', false],
  ])('opens a zip with one %s .txt entry in a folder', async (_label, deflate) => {
    const zipPath = path.join(tmp, `one-${String(deflate)}.ZIP`);
    fs.writeFileSync(zipPath, makeZip([{ name: `extracts/${fixtureName}`, data: fixtureBytes, deflate }]));
    const { name, stream } = await openExtract(zipPath);
    expect(name).toBe(fixtureName);
    expect(await texts(stream)).toEqual(fixtureLines(PA_56));
  });

  it('refuses a zip with several .txt entries, naming them', async () => {
    const zipPath = path.join(tmp, 'two.zip');
    fs.writeFileSync(
      zipPath,
      makeZip([
        { name: 'a/PS_LibreAcces_Personne_activite_1.txt', data: Buffer.from('x\n'), deflate: true },
        { name: 'PS_LibreAcces_SavoirFaire_1.TXT', data: Buffer.from('y\n') },
      ]),
    );
    const p = openExtract(zipPath);
    await expect(p).rejects.toThrow(ExtractFormatError);
    await expect(openExtract(zipPath)).rejects.toThrow(
      '"two.zip" contains 2 .txt entries, expected exactly one: "a/PS_LibreAcces_Personne_activite_1.txt", "PS_LibreAcces_SavoirFaire_1.TXT"',
    );
  });

  it('refuses a zip with no .txt entry, naming what it holds', async () => {
    const zipPath = path.join(tmp, 'none.zip');
    fs.writeFileSync(
      zipPath,
      makeZip([
        { name: 'readme.md', data: Buffer.from('hi') },
        { name: 'dir.txt/', data: Buffer.alloc(0) },
      ]),
    );
    await expect(openExtract(zipPath)).rejects.toThrow('"none.zip" contains no .txt entry (entries: "readme.md", "dir.txt/")');
    const empty = path.join(tmp, 'empty.zip');
    fs.writeFileSync(empty, makeZip([]));
    await expect(openExtract(empty)).rejects.toThrow('"empty.zip" contains no .txt entry (entries: none)');
  });

  it('refuses a file that is not a zip, or neither .txt nor .zip', async () => {
    const bogus = path.join(tmp, 'bogus.zip');
    fs.writeFileSync(bogus, 'this is not a zip archive at all');
    await expect(openExtract(bogus)).rejects.toThrow(/"bogus.zip" is not a readable zip/);
    const csv = path.join(tmp, 'extract.csv');
    fs.writeFileSync(csv, 'a;b\n');
    await expect(openExtract(csv)).rejects.toThrow(ExtractFormatError);
  });

  it('reports a missing file as an I/O error, not a format error', async () => {
    for (const missing of [path.join(tmp, 'missing.txt'), path.join(tmp, 'missing.zip')]) {
      const err = await openExtract(missing).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(ExtractFormatError);
      expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
    }
  });
});
