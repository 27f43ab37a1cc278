import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailingError } from './mailing.errors';
import { checkKeyFilePlacement, loadVaultKeys, newKeyLine, parseVaultKeys } from './vault-keys';

const b64 = (n = 32) => randomBytes(n).toString('base64');
const TODAY = '2026-11-30';

/** The error `f` throws (it must throw). */
function thrown(f: () => unknown): MailingError {
  try {
    f();
  } catch (e) {
    return e as MailingError;
  }
  throw new Error('expected an error');
}

describe('vault keys (VAULT_KEY_FILE)', () => {
  describe('parseVaultKeys', () => {
    it('takes the last key as the current one, and every key to open codes; blank lines and comments are skipped', () => {
      const a = b64();
      const b = b64();
      const r = parseVaultKeys(`# keys\n\nold-2025 ${a}\n  new.2026_b\t${b}  \n\n`, 'f');
      expect(r.current.id).toBe('new.2026_b');
      expect(r.current.key.equals(Buffer.from(b, 'base64'))).toBe(true);
      expect([...r.keys.keys()]).toEqual(['old-2025', 'new.2026_b']);
      expect(r.keys.get('old-2025')!.equals(Buffer.from(a, 'base64'))).toBe(true);
    });

    it('names the line of a bad entry, never what it holds', () => {
      const key = b64();
      const short = b64(16);
      const cases: Array<[string, RegExp]> = [
        [`k1 ${key}\nk2 ${short}`, /^f, line 2: the key must be 32 bytes, got 16$/],
        [`k1 ${key}\n\nk1 ${b64()}`, /^f, line 3: key id "k1" is already used on line 1; key ids are unique$/],
        [`k/1 ${key}`, /^f, line 1: the key id must be 1 to 64 of A-Z a-z 0-9 \. _ -$/],
        [`${'k'.repeat(65)} ${key}`, /^f, line 1: the key id must be/],
        [`k1 ${key.slice(0, -2)}*=`, /^f, line 1: the key is not base64$/],
        [`k1 ${key} extra`, /^f, line 1: expected "<key-id> <base64 of 32 bytes>" \(two fields\), got 3$/],
        [key, /^f, line 1: expected .* got 1$/],
        ['# nothing\n\n', /^f: no key; expected lines/],
      ];
      for (const [text, message] of cases) {
        const e = thrown(() => parseVaultKeys(text, 'f'));
        expect(e).toBeInstanceOf(MailingError);
        expect(e.code).toBe('vault_keys_invalid');
        expect(e.message).toMatch(message);
        expect(e.message).not.toContain(key);
        expect(e.message).not.toContain(short);
      }
    });
  });

  it('zeroes the keys it read before a bad line', () => {
    const read: Buffer[] = [];
    const from = Buffer.from;
    jest.spyOn(Buffer, 'from').mockImplementation(((...args: unknown[]) => {
      const b = (from as (...a: unknown[]) => Buffer)(...args);
      if (args[1] === 'base64') read.push(b);
      return b;
    }) as typeof from);
    try {
      for (const text of [`a ${b64()}\nb ${b64()}\nc ${b64(16)}`, `a ${b64()}\nb ${b64()}\nb/2 ${b64()}`]) {
        read.length = 0;
        expect(() => parseVaultKeys(text, 'f')).toThrow(MailingError);
        expect(read.length).toBeGreaterThanOrEqual(2);
        expect(read.every((k) => k.every((x) => x === 0))).toBe(true);
      }
      read.length = 0;
      const ok = parseVaultKeys(`a ${b64()}`, 'f');
      expect(ok.current.key.some((x) => x !== 0)).toBe(true);
    } finally {
      jest.restoreAllMocks();
    }
  });

  describe('loadVaultKeys', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'vault-keys-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('generates one development key file under DATA_DIR/keys (directory 700, file 600) for processes starting at once', async () => {
      const dataDir = join(dir, 'data');
      const all = await Promise.all(Array.from({ length: 6 }, () => loadVaultKeys({ dataDir, profile: 'development', today: TODAY })));
      expect(all.filter((r) => r.generated)).toHaveLength(1);
      expect(new Set(all.map((r) => r.keyring.current.key.toString('hex'))).size).toBe(1);
      const file = join(dataDir, 'keys', 'vault.keys');
      expect(all[0].file).toBe(file);
      expect(all[0].keyring.current.id).toMatch(/^dev-20261130-[0-9a-f]{6}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'keys')).mode & 0o777).toBe(0o700);
      const again = await loadVaultKeys({ dataDir, profile: 'test', today: '2027-01-01' });
      expect(again.generated).toBe(false);
      expect(again.keyring.current.key.equals(all[0].keyring.current.key)).toBe(true);
      expect(readFileSync(file, 'utf8').match(/^dev-\S+ \S+$/gm)).toHaveLength(1);
    });

    it('uses VAULT_KEY_FILE as given, and never generates one then', async () => {
      const file = join(dir, 'vault.keys');
      writeFileSync(file, newKeyLine('a') + newKeyLine('b'), { mode: 0o600 });
      const r = await loadVaultKeys({ keyFile: file, dataDir: dir, profile: 'production', today: TODAY });
      expect(r).toEqual(expect.objectContaining({ file, generated: false }));
      expect(r.keyring.current.id).toBe('b');
      expect(r.keyring.keys.size).toBe(2);
      await expect(loadVaultKeys({ keyFile: join(dir, 'none'), dataDir: dir, today: TODAY })).rejects.toThrow(
        /VAULT_KEY_FILE: cannot read ".*none" \(ENOENT\)/,
      );
    });

    it('refuses a key file its group or others may read, whichever profile, naming the fix', async () => {
      const file = join(dir, 'vault.keys');
      writeFileSync(file, newKeyLine('a'), { mode: 0o600 });
      for (const mode of [0o640, 0o604]) {
        chmodSync(file, mode);
        const e = await loadVaultKeys({ keyFile: file, dataDir: dir, profile: 'development', today: TODAY }).catch((x) => x);
        expect(e).toBeInstanceOf(MailingError);
        expect(e.code).toBe('vault_keys_invalid');
        expect(e.message).toBe(
          `VAULT_KEY_FILE: "${file}" is accessible to its group or others (mode ${mode.toString(8)}); ` +
            `a private key must be readable by its owner only: chmod 600 ${file}`,
        );
      }
    });

    it('refuses a development key file made readable by others since it was generated', async () => {
      const { file } = await loadVaultKeys({ dataDir: dir, today: TODAY });
      chmodSync(file, 0o644);
      await expect(loadVaultKeys({ dataDir: dir, today: TODAY })).rejects.toThrow(/the development vault key file: .* \(mode 644\)/);
    });

    describe('in production, the key file owned by this user or root, in a directory no one else may write', () => {
      /** A user id that is not the file's owner's, nor root: as root, the file is handed to another uid. */
      function foreignOwner(file: string): { uid: number } {
        const me = process.getuid!();
        if (me !== 0) return { uid: me + 1 };
        chownSync(file, 54321, 54321);
        return { uid: 0 };
      }

      const load = (keyFile: string, uid?: number) => loadVaultKeys({ keyFile, dataDir: dir, profile: 'production', today: TODAY, uid });

      it('takes a file of mode 600 or 400 of this user in a directory of mode 700 or 755', async () => {
        const keys = join(dir, 'etc');
        mkdirSync(keys, { mode: 0o755 });
        const file = join(keys, 'vault.keys');
        writeFileSync(file, newKeyLine('a'), { mode: 0o600 });
        for (const [fileMode, dirMode] of [
          [0o600, 0o755],
          [0o400, 0o700],
        ]) {
          chmodSync(file, fileMode);
          chmodSync(keys, dirMode);
          expect((await load(file)).keyring.current.id).toBe('a');
        }
      });

      it('refuses a key file owned by another user, naming the file and its owner', async () => {
        const file = join(dir, 'vault.keys');
        writeFileSync(file, newKeyLine('a'), { mode: 0o600 });
        const { uid } = foreignOwner(file);
        const e = await load(file, uid).catch((x) => x);
        expect(e).toBeInstanceOf(MailingError);
        expect(e.code).toBe('vault_keys_invalid');
        expect(e.message).toMatch(
          new RegExp(
            `^VAULT_KEY_FILE: "${file}" is owned by uid \\d+, who could write keys of their own in it; in production it is owned by `,
          ),
        );
        // outside production, the owner is not looked at (the tests' and developers' files)
        expect((await loadVaultKeys({ keyFile: file, dataDir: dir, profile: 'test', today: TODAY, uid })).keyring.current.id).toBe('a');
      });

      it('refuses a key file in a directory its group or others may write, or a directory of another user', async () => {
        const keys = join(dir, 'shared');
        mkdirSync(keys);
        const file = join(keys, 'vault.keys');
        writeFileSync(file, newKeyLine('a'), { mode: 0o600 });
        for (const mode of [0o775, 0o757, 0o1777]) {
          chmodSync(keys, mode);
          const e = await load(file).catch((x) => x);
          expect(e).toBeInstanceOf(MailingError);
          expect(e.message).toBe(
            `VAULT_KEY_FILE: its directory "${keys}" is writable by its group or others (mode ${mode.toString(8)}), ` +
              `who could put another file in its place: chmod go-w ${keys}, or move the key file`,
          );
        }
        chmodSync(keys, 0o700);
        if (process.getuid!() !== 0) return; // only root can hand the directory to another user
        chownSync(keys, 54321, 54321);
        await expect(load(file, 0)).rejects.toThrow(
          new RegExp(
            `^VAULT_KEY_FILE: its directory "${keys}" is owned by uid 54321, who could put another file in its place; in production it is owned by root: `,
          ),
        );
      });

      it('follows a symbolic link: the directories of the link and of the file it leads to are both checked', async () => {
        const real = join(dir, 'real');
        const open = join(dir, 'open');
        mkdirSync(real, { mode: 0o700 });
        mkdirSync(open, { mode: 0o700 });
        const file = join(real, 'vault.keys');
        writeFileSync(file, newKeyLine('a'), { mode: 0o600 });
        const link = join(open, 'vault.keys');
        symlinkSync(file, link);
        expect((await load(link)).keyring.current.id).toBe('a');
        chmodSync(open, 0o777);
        await expect(load(link)).rejects.toThrow(`its directory "${open}" is writable by its group or others (mode 777)`);
        chmodSync(open, 0o700);
        chmodSync(real, 0o770);
        await expect(load(link)).rejects.toThrow(`its directory "${real}" is writable by its group or others (mode 770)`);
      });

      it('checks nothing of owners where the system has none (no uid)', async () => {
        const keys = join(dir, 'shared');
        mkdirSync(keys, { mode: 0o777 });
        chmodSync(keys, 0o777);
        await expect(checkKeyFilePlacement(join(keys, 'absent'), undefined)).resolves.toBeUndefined();
      });
    });

    it('refuses in production a key file holding a generated development key, naming its id; development takes it', async () => {
      const dev = await loadVaultKeys({ dataDir: dir, profile: 'development', today: TODAY });
      const devId = dev.keyring.current.id;
      expect(devId).toMatch(/^dev-/);
      const e = await loadVaultKeys({
        keyFile: dev.file,
        dataDir: dir,
        profile: 'production',
        today: TODAY,
        uid: process.getuid?.(),
      }).catch((x) => x);
      expect(e).toBeInstanceOf(MailingError);
      expect(e.code).toBe('vault_keys_invalid');
      expect(e.message).toContain(`holds the development key id "${devId}": production takes no key generated by development`);
      expect((await loadVaultKeys({ keyFile: dev.file, dataDir: dir, profile: 'development', today: TODAY })).keyring.current.id).toBe(
        devId,
      );
    });

    it('refuses to start in production without VAULT_KEY_FILE, generating nothing', async () => {
      const e = await loadVaultKeys({ dataDir: dir, profile: 'production', today: TODAY }).catch((x) => x);
      expect(e).toBeInstanceOf(MailingError);
      expect(e.code).toBe('vault_keys_required');
      expect(e.message).toMatch(/^VAULT_KEY_FILE is required in production/);
      expect(() => statSync(join(dir, 'keys'))).toThrow(/ENOENT/);
    });
  });
});
