import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInImportDir } from './import-dir';
import { RppsError } from './rpps.errors';

describe(resolveInImportDir.name, () => {
  let base: string;
  let dir: string;
  let outside: string;

  beforeAll(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'cps-import-dir-')));
    dir = join(base, 'import');
    outside = join(base, 'elsewhere');
    mkdirSync(join(dir, 'day'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(dir, 'a.txt'), 'a');
    writeFileSync(join(dir, 'day', 'b.txt'), 'b');
    writeFileSync(join(outside, 'secret.txt'), 's');
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'to-secret.txt'));
    symlinkSync(join(outside, 'missing.txt'), join(dir, 'to-missing.txt'));
    symlinkSync(outside, join(dir, 'to-elsewhere'));
    symlinkSync(join(dir, 'a.txt'), join(dir, 'alias.txt'));
    symlinkSync(join(dir, 'gone.txt'), join(dir, 'dangling-inside.txt'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const refusal = async (given: string) => {
    const e = await resolveInImportDir(dir, given).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RppsError);
    const r = e as RppsError;
    return { code: r.code, status: r.status, message: r.message };
  };

  it('reads names relative to the directory, and absolute paths inside it', async () => {
    expect(await resolveInImportDir(dir, 'a.txt')).toBe(join(dir, 'a.txt'));
    expect(await resolveInImportDir(dir, 'day/b.txt')).toBe(join(dir, 'day', 'b.txt'));
    expect(await resolveInImportDir(dir, join(dir, 'day', 'b.txt'))).toBe(join(dir, 'day', 'b.txt'));
    expect(await resolveInImportDir(dir, 'day/../a.txt')).toBe(join(dir, 'a.txt'));
    // a link inside that points inside: the real path is returned
    expect(await resolveInImportDir(dir, 'alias.txt')).toBe(join(dir, 'a.txt'));
  });

  it('refuses every path outside the same way, whether or not it exists', async () => {
    const outsideRefusal = {
      code: 'file_outside_import_dir',
      status: 400,
      message: 'files are read from the import directory only (IMPORT_DIR): give names relative to it',
    };
    for (const given of [
      join(outside, 'secret.txt'),
      join(outside, 'missing.txt'),
      '/etc/passwd',
      '/etc/no-such-file-here',
      '/no-such-dir/x.txt',
      '../elsewhere/secret.txt',
      '../elsewhere/missing.txt',
      'day/../../elsewhere/secret.txt',
      'to-secret.txt',
      'to-missing.txt',
      'to-elsewhere/secret.txt',
      'to-elsewhere/missing.txt',
      '.',
      '',
      'a.txt\0',
    ]) {
      expect({ given, ...(await refusal(given)) }).toEqual({ given, ...outsideRefusal });
    }
  });

  it('says "no such file" only for a path inside', async () => {
    for (const given of ['nope.txt', 'day/nope.txt', 'nodir/nope.txt', 'dangling-inside.txt', join(dir, 'nope.txt')]) {
      expect(await refusal(given)).toEqual({
        code: 'unusable_input',
        status: 400,
        message: `"${given}": no such file in the import directory`,
      });
    }
  });

  it('creates the directory when it does not exist yet', async () => {
    const fresh = join(base, 'fresh', 'import');
    await expect(resolveInImportDir(fresh, 'x.txt')).rejects.toMatchObject({ code: 'unusable_input' });
    expect(realpathSync(fresh)).toBe(fresh);
  });
});
