import { Readable } from 'node:stream';
import { fixtureLines, PA_52_DAY1, PA_56, PORTEURS, SAVOIR_FAIRE, setField, streamOf } from '../../test/support/extract-files';
import { ExtractFormatError } from '../common/extract/extract.errors';
import { ExtractLine } from '../common/extract/extract-lines';
import { openExtract } from '../common/extract/extract-open';
import { parsePersonneActiviteLine } from './rpps-extract-fields';
import { parsePersonneActiviteHeader, parseSavoirFaireHeader, readHeader } from './rpps-extract-header';

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
