import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixtureLines, makeZip, PA_56, requireZipCli, texts } from '../../../test/support/extract-files';
import { ExtractFormatError } from './extract.errors';
import { openExtract } from './extract-open';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpps-extract-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
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
