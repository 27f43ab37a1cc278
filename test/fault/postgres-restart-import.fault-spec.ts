import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateRegistryDay1, generateRegistryNextDay, RegistryEventCounts } from '../../bench/generators/rpps-generator';
import { reportConvergence } from '../support/fault';
import { PrivatePostgres, startPrivatePostgres } from '../support/private-services';
import { eventually, runCli, spawnCli } from '../support/processes';
import { Comparable, comparable, differences } from '../support/registry-compare';
import { REDIS_URL, testQueuePrefix } from '../support/services';

/**
 * Issue 8, must-show 3: PostgreSQL restarted (`pg_ctl restart -m fast` of a private cluster)
 * while `rpps:import` applies a generated day-2 extract. The import fails with a clear error
 * (it does not hang); run again, it ends in exactly the registry, events and outbox of an
 * undisturbed import of the same files in another database of the same cluster.
 */
const PERSONS = 40_000;

describe('fault: PostgreSQL restarted during rpps:import', () => {
  let cluster: PrivatePostgres;
  let dir: string;
  let day1: string;
  let day2: string;
  let expectedEvents: RegistryEventCounts;
  const clients: Client[] = [];

  const envOf = (database: string) => ({
    DATABASE_URL: cluster.url(database),
    REDIS_URL,
    QUEUE_PREFIX: testQueuePrefix(`fault-pg-${database}`),
    // The CLI creates each database (tests run with NODE_ENV=test, where it creates none unless asked).
    DATABASE_CREATE: 'true',
  });
  const connect = async (database: string) => {
    const c = new Client({ connectionString: cluster.url(database) });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    dir = mkdtempSync(join(tmpdir(), 'cps-fault-pg-'));
    day1 = join(dir, 'PS_LibreAcces_Personne_activite_202601040600.txt');
    day2 = join(dir, 'PS_LibreAcces_Personne_activite_202601050600.txt');
    await generateRegistryDay1({ persons: PERSONS, seed: 20270104, layout: 52, out: day1 });
    expectedEvents = (await generateRegistryNextDay({ day1, seed: 20270105, changeRate: 0.02, out: day2 })).expectedEvents;
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fails the interrupted import cleanly, and the rerun gives the registry of an undisturbed import', async () => {
    // Day 1 in both databases (each created and migrated by the CLI itself).
    const [r1, f1] = await Promise.all([
      runCli(['rpps:import', day1, '--json'], envOf('reference')),
      runCli(['rpps:import', day1, '--json'], envOf('faulted')),
    ]);
    expect([r1.json?.status, f1.json?.status]).toEqual(['baseline', 'baseline']);
    // The reference: day 2, undisturbed.
    const r2 = await runCli(['rpps:import', day2, '--json'], envOf('reference'));
    expect(r2.json?.status).toBe('applied');
    expect(r2.json.events).toEqual(expectedEvents);
    const reference: Comparable = await comparable(await connect('reference'));

    // Day 2 in the other database, and PostgreSQL restarted while it runs.
    const watcher = await connect('faulted');
    const child = spawnCli(['rpps:import', day2, '--json'], envOf('faulted'));
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const phase = await eventually(
      async () => {
        const [j] = (
          await watcher.query(
            `SELECT phase, progress::float8 AS progress FROM job_run WHERE kind = 'rpps-import' AND state = 'running' ORDER BY created_at DESC LIMIT 1`,
          )
        ).rows;
        return j && j.progress > 0 ? (j.phase as string) : undefined;
      },
      120_000,
      'the day-2 import to be under way',
    );
    const t0 = Date.now();
    await cluster.restart('fast');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exit, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 60_000)))]);
    clearTimeout(timer);
    if (code === 'hung') child.kill('SIGKILL');
    // A clear failure, not a hang: exit code 1, the JSON error naming the lost connection.
    const failure = JSON.parse(output.split('\n')[0]);
    expect({ code, failure }).toEqual({
      code: 1,
      failure: {
        error: { code: 'service_unavailable', message: expect.stringMatching(/^a connection to PostgreSQL .* was lost or refused/) },
      },
    });

    // Run again, to its end: the registry of the undisturbed import.
    const again = await runCli(['rpps:import', day2, '--json'], envOf('faulted'));
    expect(again.json?.status).toBe('applied');
    expect(again.json.events).toEqual(expectedEvents);
    reportConvergence('postgres-restart during rpps:import', t0, `restarted while ${phase}`);
    const pg = await connect('faulted');
    expect(differences(await comparable(pg), reference)).toEqual({});
    // The interrupted run is failed, not left running; no work table is left behind.
    const runs = (await pg.query(`SELECT status FROM rpps_import ORDER BY started_at`)).rows.map((r) => r.status);
    expect(runs).toEqual(['baseline', 'failed', 'applied']);
    const left = await pg.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
          AND (tablename LIKE 'rpps\\_stage\\_%' OR tablename LIKE 'rpps\\_situation\\_next\\_%')`,
    );
    expect(left.rows).toEqual([]);
  });
});
