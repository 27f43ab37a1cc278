import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileExists, readPrivateKeyPem } from '../common/crypto/key-files';
import type { MasterKey } from './code-seal';
import { MailingError } from './mailing.errors';

/**
 * The vault's master keys (VAULT_KEY_FILE): one key a line, `<key-id> <base64 of 32 bytes>`.
 * The LAST line is the current key, which seals new codes; the lines before it only open
 * codes sealed under them until `vault:rotate` re-wraps those to the current key. Blank lines
 * and lines starting with `#` are ignored. Only the processes that give out codes read the
 * file (the worker, personalize:run, vault:rotate, the demo); the HTTP API never does.
 *
 * Errors name the file and the line, never what the line holds (a key in the id's column
 * would otherwise be printed).
 */
export interface VaultKeyring {
  /** The key that seals new codes (the file's last key). */
  current: MasterKey;
  /** Every configured key by id, the current one included. */
  keys: ReadonlyMap<string, Buffer>;
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEY_BYTES = 32;

export const DEV_KEYS_DIR = 'keys';
/** The prefix of the generated development key's id, refused in production. */
export const DEV_KEY_PREFIX = 'dev-';
export const DEV_KEYS_FILE = 'vault.keys';

const invalid = (message: string) => new MailingError('vault_keys_invalid', message, 500);

/** Parses a key file's text; `origin` names it in errors. The keys read before a bad line are zeroed. */
export function parseVaultKeys(text: string, origin: string): VaultKeyring {
  const keys = new Map<string, Buffer>();
  try {
    return parseLines(text, origin, keys);
  } catch (e) {
    for (const key of keys.values()) key.fill(0);
    throw e;
  }
}

function parseLines(text: string, origin: string, keys: Map<string, Buffer>): VaultKeyring {
  const lineOf = new Map<string, number>();
  let current: MasterKey | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = `${origin}, line ${i + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) throw invalid(`${at}: expected "<key-id> <base64 of ${KEY_BYTES} bytes>" (two fields), got ${fields.length}`);
    const [id, b64] = fields;
    if (!KEY_ID_PATTERN.test(id)) throw invalid(`${at}: the key id must be 1 to 64 of A-Z a-z 0-9 . _ -`);
    if (!BASE64.test(b64)) throw invalid(`${at}: the key is not base64`);
    const first = lineOf.get(id);
    if (first !== undefined) throw invalid(`${at}: key id "${id}" is already used on line ${first}; key ids are unique`);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== KEY_BYTES) {
      key.fill(0);
      throw invalid(`${at}: the key must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    lineOf.set(id, i + 1);
    keys.set(id, key);
    current = { id, key };
  }
  if (!current)
    throw invalid(`${origin}: no key; expected lines "<key-id> <base64 of ${KEY_BYTES} bytes>", the last one sealing new codes`);
  return { current, keys };
}

/** A line of a key file: a new key of 32 random bytes under `id`. */
export function newKeyLine(id: string): string {
  if (!KEY_ID_PATTERN.test(id)) throw new RangeError(`vault key id "${id}": 1 to 64 of A-Z a-z 0-9 . _ -`);
  return `${id} ${randomBytes(KEY_BYTES).toString('base64')}\n`;
}

export interface VaultKeySettings {
  /** VAULT_KEY_FILE */
  keyFile?: string;
  dataDir: string;
  /** NODE_ENV: production never generates its own key. */
  profile?: 'development' | 'production' | 'test';
  /** The business day (YYYY-MM-DD) a generated key is named after: dev-YYYYMMDD-<6 hex digits>, unique per machine. */
  today: string;
  /** Tests: the user id the key file's owner is checked against in production (default: this process's). */
  uid?: number;
}

const quote = (s: string) => (/^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * In production, what VAULT_KEY_FILE must be besides readable by its owner only (readPrivateKeyPem
 * checks that): owned by this process's user or root, in a directory owned by them too and writable
 * by no one else, so that no other account can put a file of its own (keys it knows) in its place.
 * For a symbolic link, the directory of the link and that of the file it leads to. `uid` undefined
 * (no POSIX users): nothing to check.
 */
export async function checkKeyFilePlacement(file: string, uid: number | undefined): Promise<void> {
  if (uid === undefined) return;
  const trusted = (owner: number) => owner === uid || owner === 0;
  const whom = uid === 0 ? 'root' : `this process's user (uid ${uid}) or root`;
  const fail = (message: string) => invalid(`VAULT_KEY_FILE: ${message}`);
  let real: string;
  let owner: number;
  try {
    real = await fs.realpath(file);
    owner = (await fs.stat(real)).uid;
  } catch (e) {
    throw fail(`cannot read "${file}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!trusted(owner)) {
    throw fail(
      `"${file}" is owned by uid ${owner}, who could write keys of their own in it; in production it is owned by ${whom}: ` +
        `chown it to the user the process runs as`,
    );
  }
  for (const dir of new Set([path.dirname(path.resolve(file)), path.dirname(real)])) {
    const st = await fs.stat(dir);
    if (!trusted(st.uid)) {
      throw fail(
        `its directory "${dir}" is owned by uid ${st.uid}, who could put another file in its place; ` +
          `in production it is owned by ${whom}: move the key file, or chown the directory`,
      );
    }
    if ((st.mode & 0o022) !== 0) {
      throw fail(
        `its directory "${dir}" is writable by its group or others (mode ${(st.mode & 0o7777).toString(8).padStart(3, '0')}), ` +
          `who could put another file in its place: chmod go-w ${quote(dir)}, or move the key file`,
      );
    }
  }
}

/**
 * The keyring from configuration: VAULT_KEY_FILE (refused unless a regular file of mode 600
 * or stricter; in production also its owner and directory, see checkKeyFilePlacement), or,
 * outside production, `DATA_DIR/keys/vault.keys`, generated with one key when absent
 * (directory 700, file 600). Two processes starting at once get the same file:
 * each writes its own and links it into place, the loser reads the winner's.
 */
export async function loadVaultKeys(s: VaultKeySettings): Promise<{ keyring: VaultKeyring; file: string; generated: boolean }> {
  if (s.keyFile) {
    const text = await readPrivateKeyPem(s.keyFile, 'VAULT_KEY_FILE', invalid);
    if (s.profile === 'production') await checkKeyFilePlacement(s.keyFile, s.uid ?? process.getuid?.());
    const keyring = parseVaultKeys(text, `VAULT_KEY_FILE (${s.keyFile})`);
    const devIds = [...keyring.keys.keys()].filter((id) => id.startsWith(DEV_KEY_PREFIX));
    if (s.profile === 'production' && devIds.length) {
      // A development key sits in a development DATA_DIR, readable by whoever had that machine.
      throw invalid(
        `VAULT_KEY_FILE (${s.keyFile}) holds the development key id${devIds.length > 1 ? 's' : ''} ${devIds.map((id) => `"${id}"`).join(', ')}: ` +
          `production takes no key generated by development (ids "${DEV_KEY_PREFIX}…"); make one with openssl rand`,
      );
    }
    return { keyring, file: s.keyFile, generated: false };
  }
  if (s.profile === 'production') {
    throw new MailingError(
      'vault_keys_required',
      'VAULT_KEY_FILE is required in production: the PIN/PUK vault needs its master keys (a file of mode 600, ' +
        `lines "<key-id> <base64 of ${KEY_BYTES} bytes>", the last one sealing new codes); ` +
        `only development and test generate their own (in DATA_DIR/${DEV_KEYS_DIR}/${DEV_KEYS_FILE})`,
      500,
    );
  }
  const dir = path.resolve(s.dataDir, DEV_KEYS_DIR);
  const file = path.join(dir, DEV_KEYS_FILE);
  let generated = false;
  if (!(await fileExists(file))) {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(dir, `.${DEV_KEYS_FILE}-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(
      tmp,
      `# development vault key, generated (not for production)\n${newKeyLine(`${DEV_KEY_PREFIX}${s.today.replace(/-/g, '')}-${randomBytes(3).toString('hex')}`)}`,
      {
        mode: 0o600,
        flag: 'wx',
      },
    );
    try {
      await fs.link(tmp, file); // fails if another process put its file there first
      generated = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }
  const text = await readPrivateKeyPem(file, 'the development vault key file', invalid);
  return { keyring: parseVaultKeys(text, `the development vault key file (${file})`), file, generated };
}
