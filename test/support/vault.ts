import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AuditService } from '../../src/common/audit/audit.service';
import { CodeVaultService, type VaultKeySource } from '../../src/mailing/code-vault.service';
import { loadVaultKeys, newKeyLine } from '../../src/mailing/vault-keys';

/** A new key file `vault.keys` in `dir` holding one key of that id (mode 600, as VAULT_KEY_FILE must be); its path. */
export function oneKeyFile(dir: string, keyId = 'key-a'): string {
  const keyFile = join(dir, 'vault.keys');
  writeFileSync(keyFile, newKeyLine(keyId), { mode: 0o600 });
  return keyFile;
}

/**
 * The code vault over `ds` as a process starting now has it: its keys read once from `keyFile`
 * (VAULT_KEY_FILE), or without one the development key under `dataDir` (a test database's
 * processes: testDataDir).
 */
export function testVault(
  ds: DataSource,
  keys: { keyFile?: string; dataDir: string; today?: string },
  audit: AuditService = new AuditService(ds),
): CodeVaultService {
  const loaded = loadVaultKeys({ keyFile: keys.keyFile, dataDir: keys.dataDir, profile: 'test', today: keys.today ?? '2026-11-30' });
  const source: VaultKeySource = { get: async () => (await loaded).keyring };
  return new CodeVaultService(ds, audit, source);
}
