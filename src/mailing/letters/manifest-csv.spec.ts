import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeCardLetter, fakePinLetter } from '../../../test/support/letters';
import type { ManifestRow } from './letter-pdf-writer';
import { renderLettersInProcess } from './letters-pdf';
import { manifestCsv, writeManifestCsv } from './manifest-csv';

const row = (over: Partial<ManifestRow> = {}): ManifestRow => ({
  batchNumber: '20261130-A',
  sequence: 1,
  addressee: 'DR CLAIRE MARTIN',
  postalCode: '75019',
  kind: 'pin',
  page: 1,
  ...over,
});

describe(manifestCsv.name, () => {
  it('writes a header row, then a row per letter, fields separated by ; and lines ended by CRLF', () => {
    expect(manifestCsv([row(), row({ sequence: 2, page: 2, postalCode: '' })])).toBe(
      'batchNumber;sequence;kind;page;addressee;postalCode\r\n' +
        '20261130-A;1;pin;1;DR CLAIRE MARTIN;75019\r\n' +
        '20261130-A;2;pin;2;DR CLAIRE MARTIN;\r\n',
    );
  });

  it('quotes a field holding the separator, a quote, a line end or an edge space, its quotes doubled', () => {
    const csv = manifestCsv([row({ addressee: 'CABINET "LES LILAS"; DR MARTIN' }), row({ addressee: ' DR MARTIN' })]);
    expect(csv.split('\r\n')[1]).toBe('20261130-A;1;pin;1;"CABINET ""LES LILAS""; DR MARTIN";75019');
    expect(csv.split('\r\n')[2]).toBe('20261130-A;1;pin;1;" DR MARTIN";75019');
    expect(manifestCsv([row({ addressee: 'DR MARTIN, CLAIRE' })], ',').split('\r\n')[1]).toBe(
      '20261130-A,1,pin,1,"DR MARTIN, CLAIRE",75019',
    );
    expect(manifestCsv([row({ addressee: 'DR MARTIN, CLAIRE' })], ';').split('\r\n')[1]).toBe('20261130-A;1;pin;1;DR MARTIN, CLAIRE;75019');
  });

  it('keeps a spreadsheet from taking a field for a formula', () => {
    expect(manifestCsv([row({ addressee: '=HYPERLINK("x")' })]).split('\r\n')[1]).toBe('20261130-A;1;pin;1;"\'=HYPERLINK(""x"")";75019');
    expect(manifestCsv([row({ addressee: '@SUM(A1)' })]).split('\r\n')[1]).toBe("20261130-A;1;pin;1;'@SUM(A1);75019");
  });
});

describe(writeManifestCsv.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the manifest of a rendered PIN batch: a row per letter, in UTF-8, mode 0600, and never a code or a card number', async () => {
    const letters = Array.from({ length: 12 }, (_, i) => fakePinLetter(i + 1));
    letters[4].addressLines = ['MME HÉLÈNE LEFÈVRE', '3 RUE DE LA PAIX', 'BP 12', '75384 PARIS CEDEX 08'];
    letters[7].addressLines = ['DR JAN JANSSENS', 'RUE NEUVE 1', '1000 BRUXELLES', 'BELGIQUE'];
    const { manifest } = await renderLettersInProcess('pin', letters, { path: join(dir, 'pins.pdf') });
    const file = join(dir, 'pins.csv');
    await writeManifestCsv(file, manifest);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + letters.length);
    expect(lines[5]).toBe('20261130-A;5;pin;5;MME HÉLÈNE LEFÈVRE;75384');
    expect(lines[8]).toBe('20261130-A;8;pin;8;DR JAN JANSSENS;');
    const csv = lines.join('\n');
    for (const l of letters) {
      for (const secret of [l.pin, l.puk, fakeCardLetter(l.sequence).cardNumber]) expect(csv).not.toContain(secret);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('never writes over an existing file', async () => {
    const file = join(dir, 'pins.csv');
    writeFileSync(file, 'earlier');
    await expect(writeManifestCsv(file, [row()])).rejects.toMatchObject({ code: 'letter_file_exists' });
    expect(readFileSync(file, 'utf8')).toBe('earlier');
  });
});
