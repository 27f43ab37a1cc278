/**
 * `npm run bench -- mailing [--letters N]`
 *
 * Issue 11: a batch of 10,000 PIN letters, its time, the peak memory and the longest
 * event-loop stall of the process that makes it, beside pdfkit's floor measured in the same run.
 *
 * 1. creates a fresh database `cps_bench_mailing` (migrated by the CLI itself) and a fresh
 *    DATA_DIR `var/bench/mailing` holding a generated vault key (VAULT_KEY_FILE, mode 600);
 * 2. writes in SQL N holders (generators/mailing-holders.ts: the registry with practice
 *    addresses of every shape, accents kept; an order and a card each), a card-letter batch
 *    printed PIN_LETTER_DELAY_DAYS before today with their card letters, and their PIN
 *    letters waiting; their codes are drawn and sealed by the vault (CodeVaultService.issue,
 *    one statement, as an order's approval does);
 * 3. makes the PIN letters' batch of today in a child process of its own (mailing-process.ts
 *    `batch`: MailingBatchesService.run as `mailing:batch --kind pin-letter --as-of <today>`
 *    runs it), which measures itself while the batch runs: wall time, its peak RSS (VmHWM,
 *    and sampled every 50 ms), the longest stall of its event loop (monitorEventLoopDelay at
 *    10 ms and an interval probe) and of its garbage collections;
 * 4. checks the batch: N letters, none held, N pages (pdfinfo), N manifest rows, and the
 *    first two pages' text (pdftotext): each names its card's last 4 digits and its address
 *    and holds its own codes (opened by the vault here, never printed), never the card number;
 * 5. measures pdfkit's floor the same way, each in a process of its own: the same N letters
 *    (the same holders, codes drawn) made in memory and drawn by the same renderLetters
 *    (worker thread), no data access; then the letters' floor mode (one constant letter per
 *    page: pdfkit's drawing alone);
 * 6. prints the figures, whether the targets are met (≤ 30 s, ≤ 400 MB, ≤ 200 ms), and one
 *    final JSON line.
 *
 * The database and var/bench/mailing (the PDFs, for a look at their pages) stay until the next run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/common/audit/audit.service';
import { Clock } from '../src/common/clock/clock';
import { loadConfig } from '../src/common/config/config';
import { dataSourceOptions } from '../src/common/database/data-source.factory';
import { dropDatabase, withDatabase } from '../src/common/database/database-url';
import { appDataSourceParts } from '../src/data-source-parts';
import { CodeVaultService } from '../src/mailing/code-vault.service';
import { loadVaultKeys, newKeyLine } from '../src/mailing/vault-keys';
import { addDays } from '../src/orders/validity';
import { insertMailingBase, mailingHolders } from './generators/mailing-holders';
import { BenchFailure, finalJsonLine, type MeasuredRun, parseFlags, printMachine, round, spawnMeasured, timeIt } from './harness';
import type { MailingProcessResult } from './mailing-process';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cps';
const BENCH_DB = 'cps_bench_mailing';
const TARGETS = { batchSeconds: 30, peakRssMb: 400, maxEventLoopStallMs: 200 };

const tail = (s: string, max = 4000) => (s.length > max ? `…${s.slice(s.length - max)}` : s);
const fileMb = (file: string) => round(statSync(file).size / 1048576, 1);

/** Runs mailing-process.js `mode` and gives its result (its last line of output) and how the parent saw it. */
async function measured(
  mode: MailingProcessResult['mode'],
  env: NodeJS.ProcessEnv,
): Promise<{ r: MailingProcessResult; run: MeasuredRun }> {
  const run = await spawnMeasured(process.execPath, [path.join(__dirname, 'mailing-process.js'), mode], env);
  if (run.code !== 0) throw new BenchFailure(`mailing-process ${mode} failed (exit ${run.code ?? run.signal}):\n${tail(run.stderr)}`);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return { r: JSON.parse(last) as MailingProcessResult, run };
  } catch {
    throw new BenchFailure(`mailing-process ${mode} printed no result:\n${tail(run.stdout)}\n${tail(run.stderr)}`);
  }
}

/** The process's peak: the kernel's high-water mark as the process read it, else as the parent polled it. */
const peakOf = (m: { r: MailingProcessResult; run: MeasuredRun }) => m.r.probe.processPeakRssMb ?? m.run.peakRssMb;

function describe(label: string, m: { r: MailingProcessResult; run: MeasuredRun }, pdfMb: number): string[] {
  const p = m.r.probe;
  return [
    `${label}: ${m.r.letters.toLocaleString('en')} letters, ${m.r.pages?.toLocaleString('en')} pages, ${pdfMb} MiB of PDF, in ${p.seconds.toFixed(2)} s` +
      (m.r.firstLettersSeconds !== null ? ` (first letters drawn after ${m.r.firstLettersSeconds.toFixed(2)} s)` : '') +
      `; CPU ${p.cpuSeconds.toFixed(1)} s, all threads (${round((100 * p.cpuSeconds) / p.seconds, 0)} % of one core)`,
    `    peak RSS of the process ${peakOf(m)} MiB (sampled while it ran: ${p.sampledPeakRssMb} MiB, ${p.rssAtStartMb} MiB when it began)`,
    `    longest event-loop stall ${p.maxEventLoopStallMs} ms (monitorEventLoopDelay max ${p.eventLoopDelayMaxMs} ms, p99 ${p.eventLoopDelayP99Ms} ms; ` +
      `10 ms interval at most ${p.intervalLateMaxMs} ms late); longest GC pause ${p.longestGcPauseMs} ms of ${p.gcCount}`,
  ];
}

/** The text of pages `first`..`last` of `pdf`, one string a page. */
function pageTexts(pdf: string, first: number, last: number): string[] {
  const text = execFileSync('pdftotext', ['-f', String(first), '-l', String(last), '-layout', pdf, '-'], { encoding: 'utf8' });
  return text.split('\f').slice(0, last - first + 1);
}

export async function run(argv: string[]): Promise<void> {
  const { flags } = parseFlags(argv);
  const letters = Number(flags.get('letters') ?? 10_000);
  if (!Number.isSafeInteger(letters) || letters < 2) throw new BenchFailure('--letters must be a whole number, at least 2');
  const url = withDatabase(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, BENCH_DB);
  const root = path.join(__dirname, '..', '..');
  const cli = path.join(root, 'dist', 'src', 'cli.js');
  const dataDir = path.join(root, 'var', 'bench', 'mailing');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dataDir, 'vault.keys');
  writeFileSync(keyFile, newKeyLine('bench-mailing'), { mode: 0o600 });
  // The letters unencrypted, as the default configuration makes them (no MAILING_PDF_PASSWORD_FILE).
  const { MAILING_PDF_PASSWORD_FILE: _password, ...base } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...base,
    DATABASE_URL: url,
    // The first CLI command creates the database (created by default in development only).
    DATABASE_CREATE: 'true',
    DATA_DIR: dataDir,
    VAULT_KEY_FILE: keyFile,
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: 'cps-bench-mailing',
    MAILING_LETTERS: String(letters),
  };
  const cfg = loadConfig(env);

  await dropDatabase(url);
  const migrate = await spawnMeasured(process.execPath, [cli, 'audit:verify', '--json'], env, { cwd: root });
  if (migrate.code !== 0) throw new BenchFailure(`could not create the bench database:\n${tail(migrate.stderr)}`);

  const pg = new Client({ connectionString: url });
  await pg.connect();
  let ds: DataSource | null = null;
  try {
    const machine = await printMachine(pg);
    const today = Clock.system().today();
    const cardLetterDay = addDays(today, -cfg.PIN_LETTER_DELAY_DAYS);
    const db = await new DataSource(dataSourceOptions(appDataSourceParts(url, 'cps-bench-mailing'))).initialize();
    ds = db;
    const { keyring } = await loadVaultKeys({ keyFile, dataDir, profile: cfg.NODE_ENV, today });
    const vault = new CodeVaultService(db, new AuditService(db), { get: async () => keyring });
    let sealSeconds = 0;
    const gen = await timeIt(
      `generated ${letters.toLocaleString('en')} holders, their cards, their card letters printed on ${cardLetterDay} and their PIN letters waiting`,
      async () => {
        const orderIds = await insertMailingBase(pg, mailingHolders(letters), { cardLetterDay });
        const t0 = performance.now();
        const issued = await db.transaction((em) => vault.issue(em, orderIds));
        sealSeconds = (performance.now() - t0) / 1000;
        if (issued.length !== letters) throw new BenchFailure(`the vault issued ${issued.length} codes, ${letters} expected`);
        await pg.query('ANALYZE');
      },
    );
    console.log(`  (the codes drawn and sealed by CodeVaultService.issue in ${sealSeconds.toFixed(2)} s)`);

    console.log(
      `\nPIN letters' batch of ${today} (MailingBatchesService.run in a process of its own), then pdfkit's floor ` +
        `(load average ${os
          .loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')} on ${machine.cores} cores)`,
    );
    const batch = await measured('batch', env);
    const b = batch.r;
    if (!b.path || !b.manifestPath || b.batchNumber === null) throw new BenchFailure(`the batch made no PDF: ${JSON.stringify(b)}`);
    const batchPdfMb = fileMb(b.path);
    for (const l of describe('  batch', batch, batchPdfMb)) console.log(l);
    console.log(`    (the process in all, with its start and its DataSource: ${batch.run.seconds.toFixed(2)} s)`);

    // The batch is what it should be.
    const problems: string[] = [];
    if (b.letters !== letters || b.pages !== letters || b.held !== 0) {
      problems.push(`the batch has ${b.letters} letters, ${b.pages} pages, ${b.held} held; ${letters}, ${letters} and 0 expected`);
    }
    const pdfPages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [b.path], { encoding: 'utf8' }))?.[1]);
    if (pdfPages !== letters) problems.push(`pdfinfo counts ${pdfPages} pages in ${b.path}, ${letters} expected`);
    const manifestRows = readFileSync(b.manifestPath, 'utf8').trim().split(/\r?\n/).length - 1;
    if (manifestRows !== letters) problems.push(`the manifest has ${manifestRows} rows, ${letters} expected`);
    const firstTwo: Array<{ sequence: number; card_number: string; order_id: string; address_lines: string[] }> = (
      await pg.query(
        `SELECT l.sequence, l.card_number, l.order_id, l.address_lines FROM mailing_letter l JOIN mailing_batch b ON b.id = l.batch_id
          WHERE b.number = $1 AND l.sequence <= 2 ORDER BY l.sequence`,
        [b.batchNumber],
      )
    ).rows;
    const { codes } = await vault.codesForLetters(firstTwo.map((l) => l.order_id));
    const pages = pageTexts(b.path, 1, 2);
    for (const [i, l] of firstTwo.entries()) {
      const page = pages[i] ?? '';
      const c = codes.get(l.order_id);
      const ok =
        c !== undefined &&
        page.includes(`se terminant par ${l.card_number.slice(-4)}`) &&
        page.includes(l.address_lines[0]) &&
        page.includes(c.pin) &&
        page.includes(c.puk) &&
        !page.includes(l.card_number);
      if (!ok) problems.push(`page ${i + 1} is not the letter of sequence ${l.sequence} with its own codes`);
    }
    if (firstTwo.length !== 2) problems.push(`letters 1 and 2 of batch ${b.batchNumber} not found`);
    if (problems.length) throw new BenchFailure(`the batch is not right: ${problems.join('; ')}`);
    console.log(
      `    checked: ${letters.toLocaleString('en')} pages (pdfinfo), ${manifestRows.toLocaleString('en')} manifest rows, ` +
        `pages 1 and 2 each with its card's last 4 digits, its address and its own codes (pdftotext), never the card number`,
    );
    console.log(`    PDF: ${b.path}`);

    const floor = await measured('letters', env);
    for (const l of describe(
      '  pdfkit floor, the same letters made in memory (renderLetters, no data access)',
      floor,
      fileMb(floor.r.path as string),
    )) {
      console.log(l);
    }
    const constant = await measured('constant', env);
    for (const l of describe(
      "  constant-page floor (the letters' floor mode: one letter prepared once)",
      constant,
      fileMb(constant.r.path as string),
    )) {
      console.log(l);
    }
    for (const f of [floor, constant]) {
      if (f.r.pages !== letters) throw new BenchFailure(`the ${f.r.mode} floor drew ${f.r.pages} pages, ${letters} expected`);
    }

    const batchSeconds = round(b.probe.seconds, 2);
    const floorSeconds = round(floor.r.probe.seconds, 2);
    const figures = { batchSeconds, peakRssMb: peakOf(batch), maxEventLoopStallMs: b.probe.maxEventLoopStallMs };
    const targetChecks = {
      batchSeconds: figures.batchSeconds <= TARGETS.batchSeconds,
      peakRssMb: figures.peakRssMb <= TARGETS.peakRssMb,
      maxEventLoopStallMs: figures.maxEventLoopStallMs <= TARGETS.maxEventLoopStallMs,
    };
    const batchToFloorRatio = round(batchSeconds / floorSeconds, 2);
    console.log(
      `\nthe batch took ${batchToFloorRatio}× the floor's time (${round(batchSeconds - floorSeconds, 2)} s more: the database, the vault, the assembly), ` +
        `the floor ${round(floorSeconds / constant.r.probe.seconds, 2)}× the constant page's`,
    );
    console.log(
      `targets: ≤ ${TARGETS.batchSeconds} s ${targetChecks.batchSeconds ? 'met' : 'MISSED'}, ` +
        `≤ ${TARGETS.peakRssMb} MB peak RSS ${targetChecks.peakRssMb ? 'met' : 'MISSED'}, ` +
        `≤ ${TARGETS.maxEventLoopStallMs} ms event-loop stall ${targetChecks.maxEventLoopStallMs ? 'met' : 'MISSED'}`,
    );
    finalJsonLine({
      bench: 'mailing',
      letters,
      asOf: b.asOf,
      batchSeconds,
      peakRssMb: figures.peakRssMb,
      maxEventLoopStallMs: figures.maxEventLoopStallMs,
      floorSeconds,
      floorPeakRssMb: peakOf(floor),
      floorMaxEventLoopStallMs: floor.r.probe.maxEventLoopStallMs,
      constantPageFloorSeconds: round(constant.r.probe.seconds, 2),
      constantPageFloorPeakRssMb: peakOf(constant),
      batchToFloorRatio,
      targets: TARGETS,
      targetsMet: Object.values(targetChecks).every(Boolean),
      targetChecks,
      batchFirstLettersSeconds: b.firstLettersSeconds,
      batchCpuSeconds: b.probe.cpuSeconds,
      floorCpuSeconds: floor.r.probe.cpuSeconds,
      batchSampledPeakRssMb: b.probe.sampledPeakRssMb,
      batchEventLoopDelayP99Ms: b.probe.eventLoopDelayP99Ms,
      batchLongestGcPauseMs: b.probe.longestGcPauseMs,
      batchProcessSeconds: round(batch.run.seconds, 2),
      batchPdfMb,
      generateSeconds: round(gen.seconds, 1),
      sealSeconds: round(sealSeconds, 2),
      cores: machine.cores,
      memoryGiB: machine.totalMemoryGiB,
      loadAverage1m: round(os.loadavg()[0], 2),
    });
  } finally {
    await ds?.destroy();
    await pg.end();
  }
}
