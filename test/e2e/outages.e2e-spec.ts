import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateRegistryDay1 } from '../../bench/generators/rpps-generator';
import { apiCaller, createToken } from '../support/http';
import { PrivateRedis, startPrivateRedis } from '../support/private-services';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 8 item 8: outages end in errors, not hangs. The API and the worker run on a
 * private redis-server that the test stops; SIGTERM ends the API within 10 s and the worker
 * within 30 s, a long import in progress being abandoned cleanly and run again.
 */
const FIX = join(__dirname, '..', 'fixtures');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');

/** Sends SIGTERM and gives the seconds until the process exited (and its exit code). */
async function sigterm(s: Service): Promise<{ seconds: number; code: number | null }> {
  const t0 = Date.now();
  const exit = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 60_000);
  const code = await exit;
  clearTimeout(timer);
  return { seconds: (Date.now() - t0) / 1000, code };
}

describe('outages and shutdown (API and worker processes, a private Redis)', () => {
  let redis: PrivateRedis;
  let db: TestDb;
  let pg: Client;
  /** The long import's database (no registry before it). */
  let importDb: TestDb | undefined;
  let importPg: Client | undefined;
  let env: Record<string, string>;
  let dir: string;
  const services: Service[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    db = await createTestDb('outages');
    dir = mkdtempSync(join(tmpdir(), 'cps-outages-'));
    env = { DATABASE_URL: db.url, REDIS_URL: redis.url, QUEUE_PREFIX: testQueuePrefix('outages'), OUTBOX_RELAY_INTERVAL_MS: '100' };
    pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    await pg?.end();
    await db?.drop();
    await importPg?.end();
    await importDb?.drop();
    await redis?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 within 2.5 s for a route that needs Redis, and 201 for one that only writes the outbox, while Redis is down', async () => {
    const api = await startApi(env);
    services.push(api);
    const { token } = await createToken(env, 'operator', 'ops');
    const asOps = apiCaller(() => api.url, {});
    const call = (method: string, path: string, body?: unknown) => asOps(method, path, token, body);
    expect((await call('GET', '/api/v1/jobs')).status).toBe(200);
    const [card] = (await pg.query(`SELECT card_number FROM card WHERE state = 'active' ORDER BY card_number LIMIT 1`)).rows;

    await redis.stop();
    const timed = async (f: () => Promise<Response>) => {
      const t0 = Date.now();
      const r = await f();
      return { r, ms: Date.now() - t0 };
    };
    const jobs = await timed(() => call('GET', '/api/v1/jobs'));
    expect(jobs.r.status).toBe(503);
    expect(jobs.r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await jobs.r.json()) as { code: string }).code).toBe('queue_unavailable');
    expect(jobs.ms).toBeLessThan(2500);
    const health = await timed(() => fetch(`${api.url}/health`));
    expect(health.r.status).toBe(503);
    expect(health.ms).toBeLessThan(2500);

    const declared = await timed(() =>
      call('POST', `/api/v1/cards/${card.card_number}/oppositions`, {
        reason: 'loss',
        channel: 'phone',
        verification: 'caller named the card',
      }),
    );
    expect(declared.r.status).toBe(201);
    expect(declared.ms).toBeLessThan(2500);
    expect((await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'crl.delta-requested'`)).rows[0].n).toBe(1);
    process.stdout.write(
      `Redis down: /api/v1/jobs 503 in ${jobs.ms} ms, /health 503 in ${health.ms} ms, opposition 201 in ${declared.ms} ms\n`,
    );

    // Redis back: the API reconnects by itself.
    await redis.start();
    await eventually(async () => (await call('GET', '/api/v1/jobs')).status === 200, 20_000, 'the API to use Redis again');
  });

  it('ends the API within 10 s of SIGTERM, Redis down or not', async () => {
    const api = await startApi(env);
    await redis.stop();
    const r = await sigterm(api);
    await redis.start();
    process.stdout.write(`API SIGTERM (Redis down): exited in ${r.seconds} s with code ${r.code}\n`);
    expect(r.seconds).toBeLessThan(10);
  });

  it('ends the worker within 30 s of SIGTERM during a long import, which runs again from the start on the next worker', async () => {
    const big = join(dir, 'PS_LibreAcces_Personne_activite_202611260600.txt');
    // Large enough to outlast the worker's 5 s grace on a fast, quiet machine (120,000 persons did not):
    // the SIGTERM must find it still running, to be interrupted.
    await generateRegistryDay1({ persons: 400_000, seed: 20261126, layout: 52, out: big });
    // On a database of its own, where it is the first import (a baseline): replacing the small
    // registry of beforeAll instead (a mass change) made its run to the end write 400,000 events
    // and outbox rows, half of this file's time, for nothing this test looks at.
    importDb = await createTestDb('outages-import');
    const ipg = new Client({ connectionString: importDb.url });
    importPg = ipg;
    ipg.on('error', () => undefined);
    await ipg.connect();
    const importEnv = { DATABASE_URL: importDb.url, REDIS_URL: redis.url, QUEUE_PREFIX: testQueuePrefix('outages-import') };
    const worker = startWorker(importEnv);
    services.push(worker);
    const q = await runCli(['rpps:import', big, '--enqueue', '--json'], importEnv);
    expect(q.json.state).toBe('queued');
    const jobRunId = q.json.jobRunId as string;
    await eventually(
      async () => {
        const [r] = (await ipg.query(`SELECT state, phase, progress::float8 AS progress FROM job_run WHERE id = $1`, [jobRunId])).rows;
        return r?.state === 'running' && r.phase === 'reading' && r.progress > 0;
      },
      120_000,
      'the import to be reading',
    );
    const r = await sigterm(worker);
    process.stdout.write(`worker SIGTERM during an import: exited in ${r.seconds} s with code ${r.code}\n`);
    expect(r.seconds).toBeLessThan(30);
    expect({ code: r.code, output: r.code === 0 ? '' : worker.output().slice(-3000) }).toEqual({ code: 0, output: '' });

    // Abandoned cleanly: nothing applied, the job run queued again, no staging table, no lock held.
    const [run] = (await ipg.query(`SELECT state, error FROM job_run WHERE id = $1`, [jobRunId])).rows;
    expect(run).toEqual({ state: 'queued', error: expect.stringMatching(/shutdown/) });
    const imports = (await ipg.query(`SELECT status FROM rpps_import WHERE job_run_id = $1`, [jobRunId])).rows;
    expect(imports.map((i) => i.status)).toEqual(['failed']);
    const stages = (await ipg.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE 'rpps\\_stage\\_%'`)).rows;
    expect(stages).toEqual([]);
    const professionals = (await ipg.query(`SELECT count(*)::int AS n FROM rpps_professional`)).rows[0].n;

    // The next worker runs it again (its BullMQ job was put back), to its end.
    const t0 = Date.now();
    const next = startWorker(importEnv);
    services.push(next);
    const done = await eventually(
      async () => {
        const [x] = (await ipg.query(`SELECT state, result FROM job_run WHERE id = $1`, [jobRunId])).rows;
        return x?.state === 'succeeded' ? x : undefined;
      },
      240_000,
      'the import to run again',
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\nworker output:\n${next.output().slice(-4000)}`);
    });
    process.stdout.write(`the interrupted import ran again in ${(Date.now() - t0) / 1000} s\n`);
    expect(done.result.status).toBe('baseline');
    expect((await ipg.query(`SELECT count(*)::int AS n FROM rpps_professional`)).rows[0].n).toBeGreaterThan(professionals);
  }, 420_000);
});
