import { execFileSync } from 'node:child_process';
import { loadPcscBinding, openContext } from '../../src/card-personalization/pcsc/pcsc-binding';
import databaseGlobalSetup from './global-setup';
import { VPCD_READERS } from './vpcd-card';

/**
 * The PC/SC tier needs PostgreSQL and Redis (its end-to-end test personalizes orders; the
 * migrated template database is built here as for the other tiers), and the smartcard binding built, pcscd running with vsmartcard-vpcd's two readers,
 * and scriptor (pcsc-tools). When one is missing it fails, naming it (it never skips).
 */
export default async function pcscGlobalSetup(): Promise<void> {
  await databaseGlobalSetup();
  const fix = 'The PC/SC tier needs them: run `bash .ci/services.sh` (root) then `npm ci`; it never skips.';
  let names: string[];
  try {
    const binding = loadPcscBinding();
    const ctx = openContext(binding);
    try {
      names = ctx.listReaders().map((r) => r.name);
    } finally {
      ctx.close();
    }
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${fix}`);
  }
  const missing = VPCD_READERS.map((r) => r.name).filter((n) => !names.includes(n));
  if (missing.length) {
    throw new Error(
      `pcscd answers but lacks the vpcd readers ${missing.map((n) => `"${n}"`).join(', ')} (it lists ${JSON.stringify(names)}): ` +
        `is vsmartcard-vpcd installed, and pcscd restarted after? ${fix}`,
    );
  }
  try {
    execFileSync('sh', ['-c', 'command -v scriptor'], { stdio: 'pipe' });
  } catch {
    throw new Error(`scriptor (pcsc-tools) is not installed. ${fix}`);
  }
}
