import * as path from 'node:path';
import {
  collect,
  fixtureLines,
  PA_52_DAY1,
  PA_52_DAY2,
  PA_56,
  PORTEURS,
  SAVOIR_FAIRE,
  setField,
  streamOf,
  withSavoirFaireColumns,
} from '../../test/support/extract-files';
import { openExtract } from '../common/extract/extract-open';
import { PersonneActiviteRecord, parsePersonneActiviteLine, parseSavoirFaireLine } from './rpps-extract-fields';
import { detectFileKind, PersonneActiviteHeader, parsePersonneActiviteHeader, parseSavoirFaireHeader } from './rpps-extract-header';

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
        recipientComplement: '',
        geoComplement: '',
        repetitionIndex: '',
        distributionMention: '',
        countryCode: '99000',
        countryLabel: 'France',
        sectorCode: 'SA08',
        registrationAuthority: 'CNOM/CNOM/CNOM',
      }),
    });
  });

  it('reads the address columns the letters need by their names, and leaves them empty in an extract without them', () => {
    const [head, first] = fixtureLines(PA_52_DAY1);
    const names = head.split('|');
    const put = (line: string, values: Record<string, string>) =>
      Object.entries(values).reduce((l, [name, v]) => setField(l, names.indexOf(name), v), line);
    const line = put(first, {
      'Complément destinataire (coord. structure)': 'SERVICE DE CARDIOLOGIE',
      'Complément point géographique (coord. structure)': 'BÂTIMENT B',
      'Indice répétition voie (coord. structure)': 'B',
      'Mention distribution (coord. structure)': 'BP 123',
      'Code pays (coord. structure)': '99140',
      'Libellé pays (coord. structure)': 'Suisse',
    });
    expect(parsePersonneActiviteLine(line, 2, parsePersonneActiviteHeader(head))).toEqual({
      ok: true,
      record: expect.objectContaining({
        recipientComplement: 'SERVICE DE CARDIOLOGIE',
        geoComplement: 'BÂTIMENT B',
        repetitionIndex: 'B',
        distributionMention: 'BP 123',
        countryCode: '99140',
        countryLabel: 'Suisse',
      }),
    });
    // the same columns dropped from the header and the line: optional, read as empty
    const dropped = new Set(
      [
        'Complément destinataire (coord. structure)',
        'Complément point géographique (coord. structure)',
        'Indice répétition voie (coord. structure)',
        'Mention distribution (coord. structure)',
        'Code pays (coord. structure)',
        'Libellé pays (coord. structure)',
      ].map((n) => names.indexOf(n)),
    );
    const cut = (l: string) =>
      l
        .split('|')
        .filter((_, i) => !dropped.has(i))
        .join('|');
    const header = parsePersonneActiviteHeader(cut(head));
    expect(header.columns.recipientComplement).toBe(-1);
    expect(header.columns.countryLabel).toBe(-1);
    expect(parsePersonneActiviteLine(cut(line), 2, header)).toEqual({
      ok: true,
      record: expect.objectContaining({
        recipientComplement: '',
        geoComplement: '',
        repetitionIndex: '',
        distributionMention: '',
        countryCode: '',
        countryLabel: '',
        streetNumber: '10',
        cedex: '75011 PARIS',
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
    // the address columns too are read past the 4 slots
    expect(records.every((r) => r.countryCode === '99000' && r.countryLabel === 'France' && r.repetitionIndex === '')).toBe(true);
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
