import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateRegistryDay1, generateRegistryNextDay, RegistryEventCounts } from '../../bench/generators/rpps-generator';
import { stageNames } from '../../src/rpps/registry-diff.sql';
import { eventually, runCli, spawnCli } from '../support/processes';
import { Comparable, comparable, differences } from '../support/registry-compare';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/**
 * "An import interrupted at any point (process killed) and run again ends in exactly the
 * state and events of an uninterrupted one."
 *
 * Database A imports day 1 then day 2 without interruption: the reference. Database B
 * imports day 1, then day 2 is started and SIGKILLed at several points, each run being
 * the next one's "run again", until one runs to its end. Every kill happens only once the
 * point aimed at has been observed in the database (job_run.phase, or a session waiting on
 * a lock the test holds); nothing is asserted on how long anything takes.
 */

/** Sessions of the test itself (never counted as the killed import's sessions). */
const TEST_APP = 'import-crash-test';
const PERSONS = 60_000;
const LEFTOVER_TABLES = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
   AND (tablename LIKE 'rpps\\_stage\\_%' OR tablename LIKE 'rpps\\_situation\\_next\\_%') ORDER BY tablename`;

interface RunRow {
  id: string;
  status: string;
  error: string | null;
  jobRunId: string;
  phase: string | null;
  progress: number;
  jobState: string;
  jobError: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited(): boolean;
  output(): string;
}

describe('an rpps:import killed at any point and run again', () => {
  let dir: string;
  let day1: string;
  let day2: string;
  let expectedEvents: RegistryEventCounts;
  let dbA: TestDb;
  let dbB: TestDb;
  let pgA: Client;
  /** Observes database B (polling, checks). */
  let pgB: Client;
  /** Holds the locks that keep an import of database B at a chosen point. */
  let locker: Client;
  let envB: Record<string, string>;
  /** Registry of database A after day 1, and after day 2 (the reference). */
  let afterDay1: Comparable;
  let afterDay2: Comparable;
  /** Imports of database B that existed before the run being driven. */
  let known: string[] = [];
  /** Imports of database B killed before their commit: the next run must mark them failed. */
  const interrupted: string[] = [];
  const children: Running[] = [];

  const connect = async (url: string) => {
    const c = new Client({ connectionString: url, application_name: TEST_APP });
    await c.connect();
    return c;
  };

  const openB = async () => {
    dbB = await createTestDb('import-crash-b');
    envB = { DATABASE_URL: dbB.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('import-crash-b') };
    pgB = await connect(dbB.url);
    locker = await connect(dbB.url);
    const r = await runCli(['rpps:import', day1, '--json'], envB);
    expect(r.json?.status).toBe('baseline');
    known = await importIds();
    interrupted.length = 0;
  };
  const closeB = async () => {
    await locker?.end().catch(() => undefined);
    await pgB?.end().catch(() => undefined);
    await dbB?.drop();
  };

  const importIds = async () => (await pgB.query(`SELECT id FROM rpps_import`)).rows.map((r) => r.id as string);

  const runRow = async (id: string): Promise<RunRow> => {
    const { rows } = await pgB.query(
      `SELECT i.id, i.status, i.error, j.id AS "jobRunId", j.phase, j.progress::float8 AS progress,
              j.state AS "jobState", j.error AS "jobError"
         FROM rpps_import i JOIN job_run j ON j.id = i.job_run_id WHERE i.id = $1`,
      [id],
    );
    return rows[0];
  };

  /** The import of the run being driven, once its row exists. */
  const newRun = async (): Promise<RunRow | undefined> => {
    const { rows } = await pgB.query(`SELECT id FROM rpps_import WHERE NOT (id = ANY($1::uuid[])) ORDER BY started_at DESC LIMIT 1`, [
      known,
    ]);
    return rows[0] ? runRow(rows[0].id) : undefined;
  };

  const leftovers = async () => (await pgB.query(LEFTOVER_TABLES)).rows.map((r) => r.tablename as string);
  const stagesOf = (importId: string) => Object.values(stageNames(importId)).sort();

  const start = (file: string): Running => {
    const child = spawnCli(['rpps:import', file, '--json'], envB);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const r: Running = { child, exit, exited: () => child.exitCode !== null || child.signalCode !== null, output: () => out };
    children.push(r);
    return r;
  };

  /** Polls (every few ms) until `check` gives a value; undefined if the process ended first. */
  const watch = async <T>(run: Running, check: () => Promise<T | undefined>, what: string): Promise<T | undefined> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ended = run.exited();
      const v = await check();
      if (v !== undefined) return v;
      if (ended) return undefined;
      if (Date.now() > deadline) throw new Error(`never saw ${what}; output:\n${run.output()}`);
      await sleep(5);
    }
  };

  const kill = async (run: Running) => {
    run.child.kill('SIGKILL');
    await run.exit;
  };

  /** The killed process's database sessions end when PostgreSQL notices (they may finish their statement first). */
  const sessionsGone = () =>
    eventually(
      async () => {
        const { rows } = await pgB.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND backend_type = 'client backend' AND application_name <> $1`,
          [TEST_APP],
        );
        return rows[0].n === 0;
      },
      60_000,
      "the killed import's sessions to end",
    );

  /** The run before the one driven now was cleaned up by it: marked failed as interrupted, its stages dropped. */
  const expectCleanedUp = async (importId: string) => {
    const r = await runRow(importId);
    expect({ status: r.status, error: r.error, jobState: r.jobState, jobError: r.jobError }).toEqual({
      status: 'failed',
      error: expect.stringMatching(/^interrupted/),
      jobState: 'failed',
      jobError: expect.stringMatching(/^interrupted/),
    });
    const left = await leftovers();
    for (const t of stagesOf(importId)) expect(left).not.toContain(t);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cps-import-crash-'));
    day1 = join(dir, 'PS_LibreAcces_Personne_activite_202601040600.txt');
    day2 = join(dir, 'PS_LibreAcces_Personne_activite_202601050600.txt');
    await generateRegistryDay1({ persons: PERSONS, seed: 20270104, layout: 52, out: day1 });
    expectedEvents = (await generateRegistryNextDay({ day1, seed: 20270105, changeRate: 0.02, out: day2 })).expectedEvents;
    dbA = await createTestDb('import-crash-a');
    pgA = await connect(dbA.url);
  });

  afterAll(async () => {
    for (const r of children) if (!r.exited()) r.child.kill('SIGKILL');
    await Promise.all(children.map((r) => r.exit));
    await pgA?.end().catch(() => undefined);
    await dbA?.drop();
    await closeB();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives, uninterrupted in a database of its own, the reference state and events', async () => {
    const envA = { DATABASE_URL: dbA.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('import-crash-a') };
    // Database B gets its day 1 meanwhile (uninterrupted too).
    const [a1] = await Promise.all([runCli(['rpps:import', day1, '--json'], envA), openB()]);
    expect(a1.json?.status).toBe('baseline');
    afterDay1 = await comparable(pgA);
    expect(afterDay1.professionals).toHaveLength(PERSONS);
    expect(afterDay1.events).toEqual([]);

    const a2 = await runCli(['rpps:import', day2, '--json'], envA);
    expect(a2.code).toBe(0);
    expect(a2.json.status).toBe('applied');
    expect(a2.json.events).toEqual(expectedEvents);
    afterDay2 = await comparable(pgA);
    const total = Object.values(expectedEvents).reduce((x, y) => x + y, 0);
    expect(total).toBeGreaterThan(1000);
    expect(afterDay2.events).toHaveLength(total);
    expect(afterDay2.outbox).toHaveLength(total);
    expect(Object.keys(differences(afterDay2, afterDay1)).sort()).toEqual([
      'events',
      'outbox',
      'professionals',
      'professions',
      'situations',
    ]);
  });

  it('leaves the registry as after day 1 when killed while reading the file', async () => {
    let seen: RunRow | undefined;
    let run!: Running;
    for (let attempt = 1; ; attempt++) {
      run = start(day2);
      seen = await watch(
        run,
        async () => {
          const r = await newRun();
          return r && r.phase === 'reading' && r.progress > 0 ? r : undefined;
        },
        'the reading phase',
      );
      if (seen) break;
      // It ended before its reading was seen: day 2 is in; start over from day 1 in a fresh database.
      await run.exit;
      if (attempt === 3) throw new Error(`three imports ended before their reading phase could be observed:\n${run.output()}`);
      await closeB();
      await openB();
    }
    await kill(run);
    await sessionsGone();

    const r = await runRow(seen.id);
    expect({ status: r.status, jobState: r.jobState }).toEqual({ status: 'running', jobState: 'running' });
    expect(differences(await comparable(pgB), afterDay1)).toEqual({});
    // Its staging tables are still there, for the next run to drop.
    expect(await leftovers()).toEqual(expect.arrayContaining(stagesOf(seen.id)));
    interrupted.push(seen.id);
    known.push(seen.id);
  });

  it('leaves the registry as after day 1 when killed in the middle of applying, with the new situations swapped in but not committed', async () => {
    // The outbox rows are the last thing written before the commit: while the test holds this
    // lock the import waits there, its events inserted, the registry updated and the situation
    // table swapped, all inside its open transaction.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE outbox IN EXCLUSIVE MODE');
    const run = start(day2);
    let seen: RunRow | undefined;
    try {
      seen = await watch(
        run,
        async () => {
          const r = await newRun();
          if (r?.phase !== 'applying') return undefined;
          const waiting = await pgB.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND ltrim(query) LIKE 'INSERT INTO outbox%'`,
          );
          return waiting.rowCount ? r : undefined;
        },
        'the import waiting at its outbox insert',
      );
      expect(seen).toBeDefined();
      expect(run.exited()).toBe(false);
      await kill(run);
    } finally {
      await locker.query('ROLLBACK');
    }
    await sessionsGone();

    const r = await runRow(seen!.id);
    expect(r.status).toBe('running');
    expect(differences(await comparable(pgB), afterDay1)).toEqual({});
    const [{ events }] = (await pgB.query(`SELECT count(*)::int AS events FROM rpps_event`)).rows;
    expect(events).toBe(0);
    // The swap was rolled back: the next table is back under its staging name.
    expect(await leftovers()).toEqual(expect.arrayContaining(stagesOf(seen!.id)));
    // This run, on starting, marked the one killed before as interrupted and dropped its tables.
    await expectCleanedUp(interrupted[interrupted.length - 1]);
    interrupted.push(seen!.id);
    known.push(seen!.id);
  });

  it('leaves the registry as after day 1, or as after day 2, never in between, when killed as soon as it compares', async () => {
    const run = start(day2);
    const seen = await watch(
      run,
      async () => {
        const r = await newRun();
        return r && (r.phase === 'comparing' || r.phase === 'applying') ? r : undefined;
      },
      'the comparing or applying phase',
    );
    // The phase lasts long enough to be seen with polling every few milliseconds.
    expect(seen).toBeDefined();
    await kill(run);
    await sessionsGone();

    const r = await runRow(seen!.id);
    expect(['running', 'applied']).toContain(r.status);
    if (r.status === 'running') {
      expect(differences(await comparable(pgB), afterDay1)).toEqual({});
      interrupted.push(seen!.id);
    } else {
      // The kill landed after the commit: day 2 is in, whole.
      expect(differences(await comparable(pgB), afterDay2)).toEqual({});
    }
    await expectCleanedUp(interrupted[interrupted.length - (r.status === 'running' ? 2 : 1)]);
    known.push(seen!.id);
  });

  it('keeps the committed import when killed after its commit, before the process ends', async () => {
    // A row lock on the run's job_run holds its progress writes; the process then waits, after
    // its commit, for the last of them before it can report success and exit.
    const run = start(day2);
    let committed: RunRow | undefined;
    let locked = false;
    try {
      const row = await watch(run, newRun, 'the import row');
      expect(row).toBeDefined();
      await locker.query('BEGIN');
      locked = true;
      await locker.query(`SELECT 1 FROM job_run WHERE id = $1 FOR NO KEY UPDATE`, [row!.jobRunId]);
      committed = await watch(
        run,
        async () => {
          const r = await runRow(row!.id);
          return r.status !== 'running' ? r : undefined;
        },
        'the import to commit',
      );
      expect(committed).toBeDefined();
      expect(run.exited()).toBe(false);
      await kill(run);
    } finally {
      if (locked) await locker.query('ROLLBACK');
    }
    await sessionsGone();

    // 'unchanged' if the previous run's kill came after its commit.
    expect(['applied', 'unchanged']).toContain(committed!.status);
    expect((await runRow(committed!.id)).status).toBe(committed!.status);
    expect(differences(await comparable(pgB), afterDay2)).toEqual({});
    expect(await leftovers()).not.toEqual([]);
    await expectCleanedUp(interrupted[interrupted.length - 1]);
    known.push(committed!.id);
  });

  it('ends, run again to its end, in exactly the state and events of the uninterrupted import', async () => {
    const r = await runCli(['rpps:import', day2, '--json'], envB);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('unchanged');
    expect(Object.values(r.json.events).every((n) => n === 0)).toBe(true);

    // Every run killed before its commit is marked failed as interrupted; no staging table is left.
    expect(interrupted.length).toBeGreaterThanOrEqual(2);
    for (const id of interrupted) await expectCleanedUp(id);
    expect(await leftovers()).toEqual([]);

    const statuses = (await pgB.query(`SELECT status, count(*)::int AS n FROM rpps_import GROUP BY status`)).rows;
    const byStatus = Object.fromEntries(statuses.map((x) => [x.status, x.n]));
    expect(byStatus).toEqual({ baseline: 1, applied: 1, failed: interrupted.length, unchanged: expect.any(Number) });
    expect([1, 2]).toContain(byStatus.unchanged);
    // All the events come from the one import that applied day 2.
    const { rows: importsWithEvents } = await pgB.query(
      `SELECT DISTINCT e.import_id, i.status FROM rpps_event e JOIN rpps_import i ON i.id = e.import_id`,
    );
    expect(importsWithEvents.map((x) => x.status)).toEqual(['applied']);
    // No job run is left 'running' by a killed process, even one killed after its commit.
    const { rows: jobStates } = await pgB.query(
      `SELECT j.state, i.status FROM job_run j JOIN rpps_import i ON i.job_run_id = j.id ORDER BY i.started_at`,
    );
    expect(jobStates.filter((x) => x.state === 'running')).toEqual([]);
    for (const x of jobStates) expect(x.state).toBe(x.status === 'failed' ? 'failed' : 'succeeded');

    expect(differences(await comparable(pgB), afterDay2)).toEqual({});
  });
});
