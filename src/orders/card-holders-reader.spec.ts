import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CardHolderRecord,
  CardHolderResult,
  CardHoldersHeader,
  ExtractFormatError,
  parseCardHolderLine,
  parseCardHoldersHeader,
  parseExtractDate,
  readCardHolders,
} from './card-holders-reader';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures');
const PORTEURS = path.join(FIXTURES, 'Porteurs_CPS_CPF_202611250600.txt');
const PERSONNE_ACTIVITE = path.join(FIXTURES, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const EXPECTED = JSON.parse(fs.readFileSync(`${PORTEURS}.expected.json`, 'utf8')) as { cards: number; opposed: number };

const LINES = fs
  .readFileSync(PORTEURS, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const HEADER_LINE = LINES[0];
const DATA = LINES.slice(1);
const HEADER = parseCardHoldersHeader(HEADER_LINE);
/** Line 2 of the fixture: LEFÈVRE MARIE, RPPS, CPS 2900001260, not opposed. */
const SAMPLE = DATA[0];

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'card-holders-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The fields of a fixture line (trailing empty field dropped). */
function fieldsOf(line: string): string[] {
  const f = line.split('|');
  if (f[f.length - 1] === '') f.pop();
  return f;
}

/** `line` (fixture layout) with the column named `column` (fixture spelling) set to `value`. */
function withField(line: string, column: string, value: string): string {
  const i = HEADER.names.indexOf(column);
  if (i < 0) throw new Error(`no column ${column}`);
  const f = fieldsOf(line);
  f[i] = value;
  return `${f.join('|')}|`;
}

function parse(line: string, header: CardHoldersHeader = HEADER, lineNo = 2): CardHolderResult {
  return parseCardHolderLine(line, lineNo, header);
}

function record(line: string, header: CardHoldersHeader = HEADER): CardHolderRecord {
  const r = parse(line, header);
  if (!r.ok) throw new Error(`rejected: ${r.reason}`);
  return r.record;
}

function reason(line: string, header: CardHoldersHeader = HEADER): string {
  const r = parse(line, header);
  if (r.ok) throw new Error('accepted');
  return r.reason;
}

function withoutRaw(r: CardHolderRecord): Omit<CardHolderRecord, 'raw'> {
  const { raw: _raw, ...rest } = r;
  return rest;
}

/** Rewrites the header and every line with the columns in the order `order` (old indexes). */
function reorder(lines: string[], order: number[]): string[] {
  return lines.map((l) => {
    const f = fieldsOf(l);
    return `${order.map((i) => f[i]).join('|')}|`;
  });
}

async function readAll(file: string): Promise<{ header: CardHoldersHeader; results: CardHolderResult[] }> {
  const extract = await readCardHolders(file);
  const results: CardHolderResult[] = [];
  for await (const batch of extract.batches) results.push(...batch);
  return { header: extract.header, results };
}

describe('the card-holders header', () => {
  it('maps every column of the fixture by name and notes the trailing delimiter', () => {
    expect(HEADER.kind).toBe('card-holders');
    expect(HEADER.fieldCount).toBe(17);
    expect(HEADER.trailingDelimiter).toBe(true);
    expect(HEADER.names[0]).toBe("Type d'identifiant PP");
    expect(Object.entries(HEADER.columns).filter(([, i]) => i < 0)).toEqual([]);
    expect(HEADER.names[HEADER.columns.cardNumber]).toBe('Numéro carte');
    expect(HEADER.names[HEADER.columns.updatedOn]).toBe('Date de mise à jour');
  });

  it('accepts a header without its trailing delimiter', () => {
    const h = parseCardHoldersHeader(HEADER_LINE.slice(0, -1));
    expect(h.trailingDelimiter).toBe(false);
    expect(h.columns).toEqual(HEADER.columns);
    expect(h.fieldCount).toBe(17);
  });

  it('matches names whatever their case, accents, apostrophes and spacing', () => {
    const variants = [
      HEADER_LINE.toUpperCase(),
      HEADER_LINE.normalize('NFD').replace(/[\u0300-\u036f]/g, ''),
      HEADER_LINE.replace(/'/g, '’').replace(/ /g, '  '),
      HEADER_LINE.normalize('NFD'),
    ];
    for (const v of variants) {
      const h = parseCardHoldersHeader(v);
      expect(h.columns).toEqual(HEADER.columns);
      expect(withoutRaw(record(SAMPLE, h))).toEqual(withoutRaw(record(SAMPLE)));
    }
  });

  it('names every missing required column in its original spelling', () => {
    const names = HEADER.names.filter((n) => n !== 'Numéro carte' && n !== 'Date opposition' && n !== 'Identifiant PP');
    let error: unknown;
    try {
      parseCardHoldersHeader(`${names.join('|')}|`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExtractFormatError);
    const message = (error as Error).message;
    expect(message).toContain('"Identifiant PP"');
    expect(message).toContain('"Numéro carte"');
    expect(message).toContain('"Date opposition"');
    expect(message).not.toContain('"Date fin validité"');
  });

  it('does not require the optional columns', () => {
    const required = [
      'Identifiant PP',
      'Identification nationale PP',
      'Code profession',
      'Code type de carte',
      'Numéro carte',
      'Date début validité',
      'Date fin validité',
      'Date opposition',
    ];
    const order = required.map((n) => HEADER.names.indexOf(n));
    const [headerLine, line] = reorder([HEADER_LINE, SAMPLE], order);
    const h = parseCardHoldersHeader(headerLine);
    expect(h.columns.idType).toBe(-1);
    expect(h.columns.updatedOn).toBe(-1);
    expect(record(line, h)).toEqual({
      ...record(SAMPLE),
      raw: line,
      lastName: '',
      firstName: '',
      categoryCode: '',
      nationalIdInCard: '',
      updatedOn: null,
    });
  });

  it('refuses a column present twice', () => {
    expect(() => parseCardHoldersHeader(`${HEADER_LINE}NUMERO CARTE|`)).toThrow(/more than once: "Numéro carte"/);
  });

  it('refuses an empty header line', () => {
    expect(() => parseCardHoldersHeader('  ')).toThrow(ExtractFormatError);
  });
});

describe('the card-holders fixture', () => {
  it('parses every line: 45 cards, 4 of them opposed, as its expected.json says', async () => {
    const { results } = await readAll(PORTEURS);
    const rejects = results.filter((r) => !r.ok);
    expect(rejects).toEqual([]);
    const records = results.map((r) => (r.ok ? r.record : null)).filter((r): r is CardHolderRecord => r !== null);
    expect(records).toHaveLength(EXPECTED.cards);
    expect(records).toHaveLength(45);
    expect(records.filter((r) => r.opposedOn !== null)).toHaveLength(EXPECTED.opposed);
    expect(records.filter((r) => r.opposedOn !== null).map((r) => [r.cardNumber, r.opposedOn])).toEqual([
      ['2900002797', '2025-01-26'],
      ['2900002938', '2023-06-06'],
      ['2900006301', '2026-06-08'],
      ['2900008497', '2024-12-10'],
    ]);
    expect(records.map((r) => r.lineNo)).toEqual(DATA.map((_, i) => i + 2));
    expect(new Set(records.map((r) => r.cardNumber)).size).toBe(45);
  });

  it('gives the fields of a line their meaning', () => {
    expect(record(SAMPLE)).toEqual({
      lineNo: 2,
      nationalId: '810000000355',
      professionCode: '80',
      categoryCode: 'C',
      cardType: 'CPS',
      cardNumber: '2900001260',
      nationalIdInCard: '810000000355',
      validFrom: '2026-02-17',
      validUntil: '2032-02-16',
      opposedOn: null,
      updatedOn: '2026-11-26',
      lastName: 'LEFÈVRE',
      firstName: 'MARIE',
      raw: SAMPLE,
    });
  });

  it('parses an ADELI holder and a name with an apostrophe', () => {
    const line = DATA.find((l) => l.includes("D'ALMEIDA"))!;
    expect(record(line)).toMatchObject({ nationalId: '0206000085', lastName: "D'ALMEIDA", professionCode: '60' });
  });

  it('parses identically with the columns in another order', () => {
    const n = HEADER.fieldCount;
    const orders = [Array.from({ length: n }, (_, i) => n - 1 - i), Array.from({ length: n }, (_, i) => (i + 7) % n)];
    for (const order of orders) {
      const [headerLine, ...lines] = reorder(LINES, order);
      const h = parseCardHoldersHeader(headerLine);
      lines.forEach((l, i) => {
        expect(withoutRaw(record(l, h))).toEqual(withoutRaw(record(DATA[i])));
      });
    }
  });

  it('reads a Latin-1 copy of the fixture the same', async () => {
    const latin1 = path.join(tmp, 'Porteurs_CPS_CPF_latin1.txt');
    fs.writeFileSync(latin1, Buffer.from(fs.readFileSync(PORTEURS, 'utf8'), 'latin1'));
    expect(fs.statSync(latin1).size).toBeLessThan(fs.statSync(PORTEURS).size);
    const utf8 = await readAll(PORTEURS);
    const other = await readAll(latin1);
    expect(other.header).toEqual(utf8.header);
    expect(other.results).toEqual(utf8.results);
  });

  it('reads a CRLF copy with a BOM the same', async () => {
    const crlf = path.join(tmp, 'Porteurs_CPS_CPF_crlf.txt');
    const text = fs.readFileSync(PORTEURS, 'utf8').replace(/\n/g, '\r\n');
    fs.writeFileSync(crlf, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect((await readAll(crlf)).results).toEqual((await readAll(PORTEURS)).results);
  });
});

describe('reading a card-holders file', () => {
  it('streams the lines in batches, rejects included, with their line numbers', async () => {
    const file = path.join(tmp, 'Porteurs_CPS_CPF_mixed.txt');
    const bad = withField(DATA[1], 'Numéro carte', '123');
    fs.writeFileSync(file, `${[HEADER_LINE, DATA[0], bad, '', DATA[2]].join('\n')}\n`);
    const extract = await readCardHolders(file);
    expect(extract.name).toBe('Porteurs_CPS_CPF_mixed.txt');
    const results: CardHolderResult[] = [];
    for await (const batch of extract.batches) results.push(...batch);
    expect(results.map((r) => [r.ok, r.ok ? r.record.lineNo : r.lineNo])).toEqual([
      [true, 2],
      [false, 3],
      [false, 4],
      [true, 5],
    ]);
    expect(results[1]).toEqual({ ok: false, lineNo: 3, reason: 'field "Numéro carte" must be 10 digits, found "123"' });
    expect(results[2]).toEqual({ ok: false, lineNo: 4, reason: 'expected 17 fields, found 1' });
  });

  it('refuses a file whose header is not a card-holders header', async () => {
    await expect(readCardHolders(PERSONNE_ACTIVITE)).rejects.toThrow(
      /missing required column\(s\): "Code type de carte", "Numéro carte", "Date début validité", "Date fin validité", "Date opposition"/,
    );
  });

  it('refuses an empty file', async () => {
    const empty = path.join(tmp, 'Porteurs_CPS_CPF_empty.txt');
    fs.writeFileSync(empty, '');
    await expect(readCardHolders(empty)).rejects.toThrow(ExtractFormatError);
  });
});

describe('a card-holders line', () => {
  it('may lack its trailing delimiter but not a field', () => {
    expect(record(SAMPLE.slice(0, -1)).cardNumber).toBe('2900001260');
    expect(reason(SAMPLE.replace('|CPS|', '|'))).toBe('expected 17 fields, found 16');
    expect(reason(`${SAMPLE}x|`)).toBe('expected 17 fields, found 18');
  });

  it('is rejected when it holds a control character, naming the field', () => {
    expect(reason(withField(SAMPLE, "Nom d'exercice", 'LEF\tVRE'))).toBe(`binary or control characters in field "Nom d'exercice"`);
    expect(reason(withField(SAMPLE, 'Numéro carte', '29000\ufffd1260'))).toBe('binary or control characters in field "Numéro carte"');
  });

  it('trims the spaces around a field', () => {
    expect(record(withField(SAMPLE, 'Numéro carte', ' 2900001260 ')).cardNumber).toBe('2900001260');
  });

  describe('card type', () => {
    it.each([
      ['00', 'CPS'],
      ['01', 'CPF'],
      ['02', 'CPE'],
      ['03', 'CPA'],
      ['CPS', 'CPS'],
      ['cpf', 'CPF'],
      ['Cpe', 'CPE'],
      ['CPA', 'CPA'],
    ])('reads "%s" as %s', (code, type) => {
      expect(record(withField(SAMPLE, 'Code type de carte', code)).cardType).toBe(type);
    });

    it.each(['04', '0', '1', 'CPX', 'CPS3', ''])('rejects "%s", naming the column', (code) => {
      expect(reason(withField(SAMPLE, 'Code type de carte', code))).toMatch(/^field "Code type de carte"/);
    });

    it('explains an unknown card type', () => {
      expect(reason(withField(SAMPLE, 'Code type de carte', '04'))).toBe(
        'field "Code type de carte": unknown card type "04" (expected 00 CPS, 01 CPF, 02 CPE, 03 CPA, or those letters)',
      );
    });
  });

  describe('card number', () => {
    it('accepts any 10 digits, without a check-digit rule', () => {
      expect(record(withField(SAMPLE, 'Numéro carte', '2900001261')).cardNumber).toBe('2900001261');
      expect(record(withField(SAMPLE, 'Numéro carte', '0000000001')).cardNumber).toBe('0000000001');
    });

    it.each(['290000126', '29000012600', '29000O1260', 'ABCDEFGHIJ', '2900-01260', ''])('rejects "%s"', (n) => {
      expect(reason(withField(SAMPLE, 'Numéro carte', n))).toBe(`field "Numéro carte" must be 10 digits, found "${n}"`);
    });
  });

  describe('dates', () => {
    it('accepts YYYYMMDD and DD/MM/YYYY alike', () => {
      let line = withField(SAMPLE, 'Date début validité', '17/02/2026');
      line = withField(line, 'Date fin validité', '16/02/2032');
      line = withField(line, 'Date opposition', '01/03/2026');
      line = withField(line, 'Date de mise à jour', '26/11/2026');
      expect(record(line)).toMatchObject({
        validFrom: '2026-02-17',
        validUntil: '2032-02-16',
        opposedOn: '2026-03-01',
        updatedOn: '2026-11-26',
      });
      expect(withoutRaw(record(withField(SAMPLE, 'Date début validité', '17/02/2026')))).toEqual(withoutRaw(record(SAMPLE)));
    });

    it('accepts a 29 February of a leap year only', () => {
      expect(record(withField(SAMPLE, 'Date opposition', '20280229')).opposedOn).toBe('2028-02-29');
      expect(record(withField(SAMPLE, 'Date opposition', '29/02/2000')).opposedOn).toBe('2000-02-29');
      expect(reason(withField(SAMPLE, 'Date opposition', '20270229'))).toBe(
        'field "Date opposition": "20270229" is not a real calendar date',
      );
      expect(reason(withField(SAMPLE, 'Date opposition', '29/02/2100'))).toMatch(/not a real calendar date/);
    });

    it.each([
      ['20260230', 'is not a real calendar date'],
      ['31/04/2026', 'is not a real calendar date'],
      ['20261301', 'is not a real calendar date'],
      ['00/01/2026', 'is not a real calendar date'],
      ['2026-11-26', 'is not a date (expected YYYYMMDD or DD/MM/YYYY)'],
      ['26/11/26', 'is not a date (expected YYYYMMDD or DD/MM/YYYY)'],
      ['2026112', 'is not a date (expected YYYYMMDD or DD/MM/YYYY)'],
      ['1/11/2026', 'is not a date (expected YYYYMMDD or DD/MM/YYYY)'],
    ])('rejects "%s" as %s, naming the column', (value, problem) => {
      expect(reason(withField(SAMPLE, 'Date début validité', value))).toBe(`field "Date début validité": "${value}" ${problem}`);
    });

    it('rejects bad dates in every date column', () => {
      for (const column of ['Date fin validité', 'Date opposition', 'Date de mise à jour']) {
        expect(reason(withField(SAMPLE, column, '31/04/2026'))).toContain(`field "${column}": "31/04/2026"`);
      }
    });

    it('allows only the opposition and update dates to be empty', () => {
      const line = withField(withField(SAMPLE, 'Date de mise à jour', ''), 'Date opposition', '');
      expect(record(line)).toMatchObject({ opposedOn: null, updatedOn: null });
      expect(reason(withField(SAMPLE, 'Date début validité', ''))).toBe('field "Date début validité" is empty');
      expect(reason(withField(SAMPLE, 'Date fin validité', ''))).toBe('field "Date fin validité" is empty');
    });

    it('rejects an end of validity before its start, and accepts a one-day card', () => {
      expect(reason(withField(SAMPLE, 'Date fin validité', '20260216'))).toBe(
        'field "Date fin validité" (2026-02-16) is before field "Date début validité" (2026-02-17)',
      );
      expect(record(withField(SAMPLE, 'Date fin validité', '17/02/2026')).validUntil).toBe('2026-02-17');
    });

    it('exposes its date parser', () => {
      expect(parseExtractDate('20261126')).toEqual({ date: '2026-11-26' });
      expect(parseExtractDate('26/11/2026')).toEqual({ date: '2026-11-26' });
      expect(parseExtractDate('00000000')).toEqual({ problem: '"00000000" is not a real calendar date' });
    });
  });

  describe('national identifier', () => {
    it('rejects a type that is neither 0 nor 8, naming the type column', () => {
      const line = withField(withField(SAMPLE, "Type d'identifiant PP", '3'), 'Identification nationale PP', '310000000355');
      expect(reason(line)).toBe(`field "Type d'identifiant PP": identifier type "3" must be 0 (ADELI) or 8 (RPPS)`);
    });

    it('rejects a national identifier that disagrees with the type and identifier', () => {
      expect(reason(withField(SAMPLE, 'Identification nationale PP', '810000000728'))).toBe(
        'field "Identification nationale PP": national identifier "810000000728" must be "810000000355" (type followed by identifier)',
      );
      expect(reason(withField(SAMPLE, "Type d'identifiant PP", '0'))).toBe('field "Identifiant PP": ADELI "10000000355" must be 9 digits');
    });

    it('rejects a malformed or Luhn-invalid identifier', () => {
      let line = withField(SAMPLE, 'Identifiant PP', '10000000356');
      line = withField(line, 'Identification nationale PP', '810000000356');
      expect(reason(line)).toBe('field "Identifiant PP": RPPS 10000000356 fails its Luhn check');
      expect(reason(withField(SAMPLE, 'Identification nationale PP', ''))).toBe('field "Identification nationale PP" is empty');
    });

    it('checks the national identifier against the identifier when the type column is absent', () => {
      const order = HEADER.names.map((_, i) => i).filter((i) => HEADER.names[i] !== "Type d'identifiant PP");
      const [headerLine, good] = reorder([HEADER_LINE, SAMPLE], order);
      const h = parseCardHoldersHeader(headerLine);
      expect(record(good, h).nationalId).toBe('810000000355');
      const [, adeli] = reorder([HEADER_LINE, DATA[3]], order);
      expect(record(adeli, h).nationalId).toBe('0692600018');
      const [, bad] = reorder([HEADER_LINE, withField(SAMPLE, 'Identification nationale PP', '010000000355')], order);
      expect(reason(bad, h)).toBe('field "Identifiant PP": ADELI "10000000355" must be 9 digits');
    });

    it('does not check the identifier contained in the card', () => {
      expect(record(withField(SAMPLE, 'Identifiant national contenu dans la carte', '3123456789/ABC')).nationalIdInCard).toBe(
        '3123456789/ABC',
      );
    });
  });

  it('rejects a profession code that is not 2 digits', () => {
    expect(reason(withField(SAMPLE, 'Code profession', '8'))).toBe('field "Code profession" must be 2 digits, found "8"');
    expect(reason(withField(SAMPLE, 'Code profession', 'A0'))).toBe('field "Code profession" must be 2 digits, found "A0"');
  });

  it('lists every problem of a line, in the file spelling of the columns', () => {
    const h = parseCardHoldersHeader(HEADER_LINE.replace('Numéro carte', 'NUMERO CARTE'));
    let line = withField(SAMPLE, 'Numéro carte', 'ABC');
    line = withField(line, 'Code type de carte', '09');
    line = withField(line, 'Date fin validité', '2032-02-16');
    expect(reason(line, h)).toBe(
      [
        'field "Code type de carte": unknown card type "09" (expected 00 CPS, 01 CPF, 02 CPE, 03 CPA, or those letters)',
        'field "NUMERO CARTE" must be 10 digits, found "ABC"',
        'field "Date fin validité": "2032-02-16" is not a date (expected YYYYMMDD or DD/MM/YYYY)',
      ].join('; '),
    );
  });
});
