/**
 * Child process of the `mailing` benchmark, so that each measurement has a process of its
 * own (its peak memory is its alone) and measures itself (process-probe.ts: the event loop
 * can only be watched from inside):
 *
 * - `batch`: the PIN letters' batch of today, with the application's MailingBatchesService
 *   (built by hand over the database of DATABASE_URL, as the CLI's `mailing:batch --kind
 *   pin-letter --as-of <today>` runs it: the events caught up, the codes past their window
 *   destroyed, the letters numbered, then read 500 at a time with their codes and drawn in
 *   the letters' worker thread into DATA_DIR/mailing);
 * - `letters`: pdfkit's floor: the same MAILING_LETTERS holders' PIN letters (the same
 *   names, addresses and sequences; codes drawn here), made in memory before the clock
 *   starts, drawn by the same renderLetters (worker thread) into DATA_DIR/floor: no data access;
 * - `constant`: the letters' own floor mode: as many pages, each one constant letter
 *   prepared once (pdfkit's drawing and nothing else).
 *
 * Prints one JSON line last: what was made, and the probe's figures over the work alone
 * (the DataSource's start and the letters' making excluded).
 */
import 'reflect-metadata';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/common/audit/audit.service';
import { Clock } from '../src/common/clock/clock';
import { loadConfig } from '../src/common/config/config';
import { dataSourceOptions } from '../src/common/database/data-source.factory';
import { JobsService } from '../src/common/jobs/jobs.service';
import { OutboxService } from '../src/common/outbox/outbox.service';
import { appDataSourceParts } from '../src/data-source-parts';
import { CardsOpposedHandler, CardsPersonalizedHandler } from '../src/mailing/card-events.handler';
import { VaultKeys } from '../src/mailing/code-vault.module';
import { CodeVaultService } from '../src/mailing/code-vault.service';
import { renderLetters } from '../src/mailing/letters';
import { MailingBatchesService } from '../src/mailing/mailing-batches.service';
import { drawCodes } from '../src/mailing/pin-codes';
import { CardsService } from '../src/orders/cards.service';
import { RppsService } from '../src/rpps/rpps.service';
import { mailingHolders, memoryPinLetters } from './generators/mailing-holders';
import { type ProcessProbeFigures, startProcessProbe } from './process-probe';

export interface MailingProcessResult {
  mode: 'batch' | 'letters' | 'constant';
  letters: number;
  pages: number | null;
  held: number;
  path: string | null;
  manifestPath: string | null;
  batchNumber: number | null;
  asOf: string;
  /** from the start of the work to the first letters drawn (the batch: its assembly, then its first 100 letters read, opened and drawn), s */
  firstLettersSeconds: number | null;
  probe: ProcessProbeFigures;
}

async function batch(): Promise<MailingProcessResult> {
  const cfg = loadConfig();
  const ds = await new DataSource(dataSourceOptions(appDataSourceParts(cfg.DATABASE_URL, 'cps-bench-mailing'))).initialize();
  try {
    const clock = Clock.system();
    const audit = new AuditService(ds);
    const outbox = new OutboxService();
    const cards = new CardsService(ds, audit, outbox, clock);
    const vault = new CodeVaultService(ds, audit, new VaultKeys(cfg, clock));
    await vault.checkKeys(); // the key file read before the clock starts, as a worker does at start-up
    const batches = new MailingBatchesService(
      ds,
      audit,
      new RppsService(ds),
      cards,
      vault,
      new JobsService(ds),
      new CardsPersonalizedHandler(ds, cards, outbox),
      new CardsOpposedHandler(ds, cards, vault, outbox),
      clock,
      cfg,
    );
    const asOf = clock.today();
    const probe = startProcessProbe();
    const t0 = performance.now();
    let first: number | null = null;
    const r = await batches.run({
      kind: 'pin-letter',
      asOf,
      actor: 'bench',
      onProgress: () => {
        first ??= performance.now();
      },
    });
    const figures = probe.stop();
    return {
      mode: 'batch',
      letters: r.letters,
      pages: r.pages,
      held: r.held,
      path: r.path,
      manifestPath: r.manifestPath,
      batchNumber: r.number,
      asOf: r.asOf,
      firstLettersSeconds: first === null ? null : Math.round(first - t0) / 1000,
      probe: figures,
    };
  } finally {
    await ds.destroy();
  }
}

async function floor(mode: 'letters' | 'constant'): Promise<MailingProcessResult> {
  const cfg = loadConfig();
  const n = Number(process.env.MAILING_LETTERS);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`MAILING_LETTERS: expected a number of letters (got "${process.env.MAILING_LETTERS}")`);
  const asOf = Clock.system().today();
  // The batch's number is the next after the card letters' (1); made before the clock starts.
  const letters = memoryPinLetters(mailingHolders(n), {
    batchNumber: '2',
    letterDate: asOf,
    helpdeskPhone: cfg.HELPDESK_PHONE ?? '01 23 45 67 89',
    codes: drawCodes,
  });
  const dir = join(cfg.DATA_DIR, 'floor');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `floor-${mode}.pdf`);
  await rm(path, { force: true });
  const probe = startProcessProbe();
  const t0 = performance.now();
  let first: number | null = null;
  const r = await renderLetters('pin', letters, {
    path,
    sender: { name: cfg.MAILING_SENDER },
    floor: mode === 'constant',
    onProgress: () => {
      first ??= performance.now();
    },
  });
  const figures = probe.stop();
  return {
    mode,
    letters: r.manifest.length,
    pages: r.pages,
    held: 0,
    path,
    manifestPath: null,
    batchNumber: null,
    asOf,
    firstLettersSeconds: first === null ? null : Math.round(first - t0) / 1000,
    probe: figures,
  };
}

async function main(mode: string): Promise<void> {
  let r: MailingProcessResult;
  if (mode === 'batch') r = await batch();
  else if (mode === 'letters' || mode === 'constant') r = await floor(mode);
  else throw new Error(`usage: mailing-process batch|letters|constant (got "${mode}")`);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

main(process.argv[2] ?? '').catch((e: unknown) => {
  process.stderr.write(`mailing-process: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
