/**
 * Child process of the `crl` benchmark: publishes one CRL (`full` or `delta`) from the
 * database of DATABASE_URL into DATA_DIR with the application's publisher, then prints
 * one JSON line with the publication (its own seconds, from the first query to the file
 * written and recorded). Run apart so that its peak memory is the publication's alone.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/common/audit/audit.service';
import { Clock } from '../src/common/clock/clock';
import { loadConfig } from '../src/common/config/config';
import { dataSourceOptions } from '../src/common/database/data-source.factory';
import { appDataSourceParts } from '../src/data-source-parts';
import { CrlPublisher } from '../src/opposition/crl-publisher.service';
import { fixedSigner, loadCrlSigner } from '../src/opposition/crl-signer';
import { CrlStore } from '../src/opposition/crl-store.service';

async function main(kind: string): Promise<void> {
  if (kind !== 'full' && kind !== 'delta') throw new Error(`usage: crl-publish-process full|delta (got "${kind}")`);
  const cfg = loadConfig();
  const ds = await new DataSource(dataSourceOptions(appDataSourceParts(cfg.DATABASE_URL, 'cps-bench-crl'))).initialize();
  try {
    const { signer } = await loadCrlSigner({
      keyFile: cfg.CRL_SIGNING_KEY_FILE,
      certFile: cfg.CRL_ISSUER_CERT_FILE,
      dataDir: cfg.DATA_DIR,
      profile: cfg.NODE_ENV,
    });
    const publisher = new CrlPublisher(ds, new AuditService(ds), new CrlStore(ds), fixedSigner(signer), cfg, Clock.system());
    const r = kind === 'full' ? await publisher.publishFull('bench') : await publisher.publishDelta('bench');
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } finally {
    await ds.destroy();
  }
}

main(process.argv[2] ?? '').catch((e: unknown) => {
  process.stderr.write(`crl-publish-process: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
