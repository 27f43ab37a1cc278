import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflatedRepeat, fixtureLines, makeZip, PA_56, requireZipCli, texts } from '../../../test/support/extract-files';
import { ExtractFormatError } from './extract.errors';
import { readLineBatches } from './extract-lines';
import { inspectExtract, openExtract, ZipLimitError } from './extract-open';

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

describe('refusing zip bombs', () => {
  const line = '810000000355|a zip bomb line that compresses very well|\n';
  const MiB = 1 << 20;
  let honest: string;
  let lying: string;

  beforeAll(async () => {
    const body = await deflatedRepeat(line, 64 * MiB);
    honest = path.join(tmp, 'honest-bomb.zip');
    fs.writeFileSync(
      honest,
      makeZip([{ name: 'PS_LibreAcces_Personne_activite_1.txt', data: Buffer.alloc(0), deflated: body, declaredSize: 64 * MiB }]),
    );
    // The same body, its headers claiming 1000 bytes: past the ratio floor only once inflated.
    lying = path.join(tmp, 'lying-bomb.zip');
    fs.writeFileSync(
      lying,
      makeZip([{ name: 'PS_LibreAcces_Personne_activite_1.txt', data: Buffer.alloc(0), deflated: body, declaredSize: 1000 }]),
    );
  });

  it('refuses from the central directory an archive that would inflate past the size limit, naming it', async () => {
    const limits = { maxBytes: 4 * MiB, maxRatio: 1_000_000 };
    for (const open of [openExtract, inspectExtract]) {
      const err = await open(honest, limits).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZipLimitError);
      expect(err).toBeInstanceOf(ExtractFormatError);
      expect((err as ZipLimitError).limit).toBe('IMPORT_ZIP_MAX_BYTES');
      expect((err as Error).message).toMatch(
        /"honest-bomb.zip" declares 67108864 bytes once inflated, more than IMPORT_ZIP_MAX_BYTES \(4194304 bytes/,
      );
    }
  });

  it('refuses from the central directory an entry compressed past the ratio limit, naming it', async () => {
    const err = await openExtract(honest, { maxBytes: 1024 * MiB, maxRatio: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipLimitError);
    expect((err as ZipLimitError).limit).toBe('IMPORT_ZIP_MAX_RATIO');
    expect((err as Error).message).toMatch(/inflates \d+ times its compressed size, more than IMPORT_ZIP_MAX_RATIO \(100\)/);
  });

  it('stops inflating as soon as an entry passes the size its headers declare', async () => {
    const limits = { maxBytes: 4 * MiB, maxRatio: 100 };
    await expect(inspectExtract(lying, limits)).resolves.toMatch(/\.txt$/); // the directory looks fine
    const { stream } = await openExtract(lying, limits);
    let inflated = 0;
    const err = await (async () => {
      for await (const batch of readLineBatches(stream, { sniffBytes: 1024 })) for (const l of batch) inflated += l.text.length + 1;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipLimitError);
    expect((err as ZipLimitError).limit).toBe('declared size');
    expect((err as Error).message).toMatch(/inflates past the 1000 bytes its header declares/);
    expect(inflated).toBeLessThanOrEqual(1000);
  });

  it('reads an honest zip within tight limits', async () => {
    const zipPath = path.join(tmp, 'tight.zip');
    fs.writeFileSync(zipPath, makeZip([{ name: path.basename(PA_56), data: fs.readFileSync(PA_56), deflate: true }]));
    const { stream } = await openExtract(zipPath, { maxBytes: 64 * 1024, maxRatio: 10 });
    expect(await texts(stream)).toEqual(fixtureLines(PA_56));
  });
});
