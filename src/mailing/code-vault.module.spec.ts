import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '../common/clock/clock';
import type { AppConfig } from '../common/config/config';
import { CodeVaultModule, VaultKeys } from './code-vault.module';
import type { CodeVaultService } from './code-vault.service';
import { MailingError } from './mailing.errors';
import type { MailingBatchesService } from './mailing-batches.service';
import * as vaultKeyFiles from './vault-keys';
import { newKeyLine } from './vault-keys';

describe(VaultKeys.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vault-keys-reload-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const keysFor = (keyFile: string | undefined, profile: AppConfig['NODE_ENV'] = 'test') =>
    new VaultKeys({ VAULT_KEY_FILE: keyFile, DATA_DIR: dir, NODE_ENV: profile } as AppConfig, Clock.startingAt('2026-11-30T10:00:00Z'));

  it('reads the development key file it generated once, then not again while it is unchanged', async () => {
    const keys = keysFor(undefined, 'development');
    const read = jest.spyOn(vaultKeyFiles, 'loadVaultKeys');
    const first = await keys.get();
    expect(first.current.id).toMatch(/^dev-20261130-/);
    const later = [await keys.get(), await keys.get()];
    expect(read).toHaveBeenCalledTimes(1);
    read.mockRestore();
    expect(later.every((k) => k === first)).toBe(true);
  });

  it('reads the key file again when it changes, so that a running worker follows a key added for vault:rotate', async () => {
    const keyFile = join(dir, 'vault.keys');
    writeFileSync(keyFile, newKeyLine('key-a'), { mode: 0o600 });
    const keys = keysFor(keyFile);
    const first = await keys.get();
    expect(first.current.id).toBe('key-a');
    expect(await keys.get()).toBe(first); // unchanged: not read again

    appendFileSync(keyFile, newKeyLine('key-b'));
    const second = await keys.get();
    expect(second.current.id).toBe('key-b');
    expect([...second.keys.keys()]).toEqual(['key-a', 'key-b']);

    // a file that became unusable fails the vault's calls rather than keeping keys the configuration no longer holds
    chmodSync(keyFile, 0o640);
    await expect(keys.get()).rejects.toMatchObject({ message: expect.stringContaining('VAULT_KEY_FILE') });
    chmodSync(keyFile, 0o600);
    expect((await keys.get()).current.id).toBe('key-b');
  });
});

describe(CodeVaultModule.name, () => {
  it("stops the worker at start-up on a bad letters' setting read from a file (the PDF password), after the vault keys; the CLI checks neither then", async () => {
    const calls: string[] = [];
    const vault = { checkKeys: async () => void calls.push('keys') } as unknown as CodeVaultService;
    const refused = new MailingError('mailing_not_configured', 'MAILING_PDF_PASSWORD_FILE "/x": cannot read "/x" (ENOENT)', 500);
    const batches = {
      checkSettings: async () => {
        calls.push('letters');
        throw refused;
      },
    } as unknown as MailingBatchesService;
    await expect(new CodeVaultModule({ loadAtStart: true }, vault, batches).onModuleInit()).rejects.toBe(refused);
    expect(calls).toEqual(['keys', 'letters']);
    calls.length = 0;
    await new CodeVaultModule({ loadAtStart: false }, vault, batches).onModuleInit();
    expect(calls).toEqual([]);
  });
});
