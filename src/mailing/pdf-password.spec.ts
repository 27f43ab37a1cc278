import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPdfPassword } from './pdf-password';

describe(readPdfPassword.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pdf-password-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string, mode = 0o600) => {
    const f = join(dir, name);
    writeFileSync(f, text, { mode });
    chmodSync(f, mode);
    return f;
  };

  it('reads the password on the first line of an owner-only file', async () => {
    const f = file('ok', 'correct horse battery\nsecond line ignored\n');
    expect(await readPdfPassword(f)).toEqual({ userPassword: 'correct horse battery', ownerPassword: 'correct horse battery' });
  });

  it('refuses, naming the setting and the file but never the password: a missing file, one others may read, a short or empty password', async () => {
    const refused = async (f: string) => {
      const e = (await readPdfPassword(f).catch((x: unknown) => x)) as Error & { code?: string };
      expect(e.code).toBe('mailing_not_configured');
      expect(e.message).toContain('MAILING_PDF_PASSWORD_FILE');
      expect(e.message).toContain(f);
      return e.message;
    };
    expect(await refused(join(dir, 'absent'))).toMatch(/cannot read .*ENOENT/);
    const open = file('open', 'correct horse battery\n', 0o644);
    const message = await refused(open);
    expect(message).toMatch(/accessible to its group or others \(mode 644\)/);
    expect(message).not.toContain('correct horse');
    expect(await refused(file('short', 'tooshort\n'))).toMatch(/12 characters or more/);
    expect(await refused(file('empty', ''))).toMatch(/12 characters or more/);
    expect(await refused(file('long', `${'é'.repeat(64)}\n`))).toMatch(/127 bytes at most/);
  });
});
