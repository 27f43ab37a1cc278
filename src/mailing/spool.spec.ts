import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailingError } from './mailing.errors';
import { ensureSpoolDir } from './spool';

describe(ensureSpoolDir.name, () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'spool-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes the spool owner-only, and closes one that exists open to others', async () => {
    const dir = join(root, 'mailing');
    await ensureSpoolDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    chmodSync(dir, 0o755);
    await ensureSpoolDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    chmodSync(dir, 0o770);
    await ensureSpoolDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a spool that belongs to another user, leaving its mode alone, and a spool that is not a directory', async () => {
    const dir = join(root, 'mailing');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const other = (process.getuid?.() ?? 0) + 1;
    const err = await ensureSpoolDir(dir, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailingError);
    expect(err).toMatchObject({ code: 'mailing_not_configured' });
    expect((err as Error).message).toMatch(new RegExp(`spool ${dir} belongs to uid \\d+, not to this process's user \\(uid ${other}\\)`));
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    const file = join(root, 'file');
    writeFileSync(file, '');
    await expect(ensureSpoolDir(file)).rejects.toThrow();
  });
});
