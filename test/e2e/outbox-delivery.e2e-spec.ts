import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase } from '../../src/common/database/database-url';
import { PrivateRedis, startPrivateRedis } from '../support/private-services';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TEMPLATE_DB, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 8 item 7 (no lost registry event) and issue 9 item 4 (job ids unique per database),
 * through the real worker, API and CLI processes. The registry events of day 2 (a newcomer,
 * a cessation, two content changes) must each make their orders exactly once.
 */
const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const expected = JSON.parse(readFileSync(`${day2}.expected.json`, 'utf8')) as Record<string, string[]>;

/** The effects of day 2's events: orders (by reason and holder) and the ceased holder's cards handed to opposition. */
async function effects(pg: Client) {
  const orders = (await pg.query(`SELECT reason, national_id FROM card_order ORDER BY reason, national_id`)).rows;
  const requests = (
    await pg.query(`SELECT c.national_id FROM opposition_request r JOIN card c USING (card_number) WHERE r.source = 'registry' ORDER BY 1`)
  ).rows;
  return { orders: orders.map((o) => `${o.reason} ${o.national_id}`), handedToOpposition: requests.map((r) => r.national_id) };
}

/** What an undisturbed run gives (registry-orders.e2e-spec.ts checks the same). */
function expectUndisturbed(e: Awaited<ReturnType<typeof effects>>) {
  expect(e.orders).toEqual(
    [
      ...expected.new.map((n) => `first-issue ${n}`),
      ...[...expected.site_changed, ...expected.identity_changed].map((n) => `content-change ${n}`),
    ].sort(),
  );
  expect(e.handedToOpposition.length).toBeGreaterThan(0);
  expect(new Set(e.handedToOpposition)).toEqual(new Set(expected.ceased));
}

const unconsumed = async (pg: Client) =>
  (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event' AND consumed_at IS NULL`)).rows[0].n as number;

/** Holds the consumers' table so that every registry event's transaction waits (or times out). */
async function blockConsumers(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  await c.query('BEGIN');
  await c.query('LOCK TABLE consumed_registry_event IN ACCESS EXCLUSIVE MODE');
  return c;
}

describe('outbox delivery until consumption (worker, API and CLI processes)', () => {
  const services: Service[] = [];
  const dbs: TestDb[] = [];
  const clients: Client[] = [];
  let privateRedis: PrivateRedis | null = null;
  afterAll(async () => {
    // (a process already gone, killed by signal, has exitCode null: stop() would wait for an exit already past)
    for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
    for (const c of clients) await c.end().catch(() => undefined);
    for (const d of dbs) await d.drop();
    await privateRedis?.destroy();
  });

  const setUp = async (label: string, extra: Record<string, string> = {}) => {
    const db = await createTestDb(label);
    dbs.push(db);
    const env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix(label), OUTBOX_RELAY_INTERVAL_MS: '100', ...extra };
    const pg = new Client({ connectionString: db.url });
    pg.on('error', () => undefined);
    await pg.connect();
    clients.push(pg);
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    return { db, env, pg };
  };

  it('relays again a message whose job failed all its attempts, and its work is done once', async () => {
    const { db, env, pg } = await setUp('outbox-redeliver', { OUTBOX_REDELIVERY_SECONDS: '2', DATABASE_STATEMENT_TIMEOUT_MS: '1000' });
    const worker = startWorker(env);
    const api = await startApi(env);
    services.push(worker, api);
    const token = (await runCli(['tokens:create', '--role', 'operator', '--name', 'ops', '--json'], env)).json.token;
    const get = async (path: string) => fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

    // A database "blip" for the consumers: each attempt waits for the table, then its statement times out.
    const blocker = await blockConsumers(db.url);
    clients.push(blocker);
    expect((await runCli(['rpps:import', day2, '--json'], env)).json.status).toBe('applied');
    const events = (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event'`)).rows[0].n as number;
    expect(events).toBe(4);
    // Every first delivery fails its 5 attempts; the messages are relayed again (delivery 2), still failing.
    await eventually(
      async () =>
        (
          await pg.query(
            `SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event' AND attempts >= 2 AND last_error IS NOT NULL`,
          )
        ).rows[0].n === events,
      120_000,
      'every registry event to fail all the attempts of its first delivery and be relayed again',
    );
    expect(await unconsumed(pg)).toBe(events);
    expect((await effects(pg)).orders).toEqual([]);

    // The failures show in GET /api/v1/jobs, with their error, and in /metrics.
    const jobs = (await (await get('/api/v1/jobs')).json()) as {
      runs: unknown[];
      queues: Record<string, Record<string, number>>;
      failedMessages: Array<{ topic: string; state: string; error: string; deliveries: number }>;
    };
    expect(jobs.runs).toBeDefined();
    expect(jobs.queues['registry-events'].failed).toBeGreaterThanOrEqual(events);
    const failed = jobs.failedMessages.filter((m) => m.topic === 'registry.event');
    expect(failed).toHaveLength(events);
    for (const m of failed) {
      expect(m.state).toBe('retrying');
      expect(m.error).toMatch(/statement timeout/);
      expect(m.deliveries).toBeGreaterThanOrEqual(2);
    }
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    const gauge = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(metrics)?.[1]);
    expect(gauge('cps_queue_jobs', 'queue="registry-events",state="failed"')).toBeGreaterThanOrEqual(events);
    expect(gauge('cps_outbox_messages', 'queue="registry-events",state="retrying"')).toBe(events);

    // The blip ends: the next delivery is consumed.
    const t0 = Date.now();
    await blocker.query('ROLLBACK');
    await eventually(async () => (await unconsumed(pg)) === 0, 120_000, 'the consumption of every registry event');
    process.stdout.write(`redelivery after failed attempts: converged ${(Date.now() - t0) / 1000} s after the blip\n`);
    expectUndisturbed(await effects(pg));
    expect((await pg.query(`SELECT count(*)::int AS n FROM consumed_registry_event`)).rows[0].n).toBe(events);

    // A message delivered once more (its consumption record lost) does its work once: nothing changes.
    const before = await effects(pg);
    const [row] = (await pg.query(`SELECT id, attempts FROM outbox WHERE topic = 'registry.event' ORDER BY id LIMIT 1`)).rows;
    await pg.query(`UPDATE outbox SET consumed_at = NULL, published_at = now() - interval '1 hour' WHERE id = $1`, [row.id]);
    await eventually(
      async () =>
        (await pg.query(`SELECT attempts FROM outbox WHERE id = $1 AND consumed_at IS NOT NULL`, [row.id])).rows[0]?.attempts >
        row.attempts,
      60_000,
      'the extra delivery',
    );
    expect(await effects(pg)).toEqual(before);
  });

  it('relays again, and consumes, the events Redis lost after they were relayed (FLUSHALL of a private redis-server)', async () => {
    privateRedis = await startPrivateRedis();
    const { db, env, pg } = await setUp('outbox-flushed', { REDIS_URL: privateRedis.url, OUTBOX_REDELIVERY_SECONDS: '2' });
    const blocker = await blockConsumers(db.url);
    clients.push(blocker);
    const first = startWorker(env);
    services.push(first);
    expect((await runCli(['rpps:import', day2, '--json'], env)).json.status).toBe('applied');
    // Relayed, and taken by the worker, whose consumers wait: nothing consumed yet.
    await eventually(
      async () =>
        (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event' AND published_at IS NOT NULL`)).rows[0].n ===
        4,
      60_000,
      'the relay',
    );
    await eventually(
      async () =>
        (
          await pg.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
          )
        ).rows[0].n >= 1,
      60_000,
      'a consumer waiting',
    );
    // The worker dies, and Redis loses everything.
    first.child.kill('SIGKILL');
    await first.stop();
    await privateRedis.flushAll();
    expect(await unconsumed(pg)).toBe(4);
    await blocker.query('ROLLBACK');

    const t0 = Date.now();
    const second = startWorker(env);
    services.push(second);
    await eventually(async () => (await unconsumed(pg)) === 0, 60_000, 'the consumption of every registry event');
    process.stdout.write(`events lost by Redis: converged in ${(Date.now() - t0) / 1000} s\n`);
    expectUndisturbed(await effects(pg));
    const deliveries = (await pg.query(`SELECT attempts FROM outbox WHERE topic = 'registry.event'`)).rows.map((r) => r.attempts);
    for (const n of deliveries) expect(n).toBeGreaterThanOrEqual(2);
  });

  it('makes the orders of a database dropped and created again under the same name and QUEUE_PREFIX (issue 9)', async () => {
    const { db, env, pg } = await setUp('outbox-recreated');
    let worker = startWorker(env);
    expect((await runCli(['rpps:import', day2, '--json'], env)).json.status).toBe('applied');
    await eventually(async () => (await unconsumed(pg)) === 0, 60_000, 'the first database to be consumed');
    expectUndisturbed(await effects(pg));
    await worker.stop();
    clients.splice(clients.indexOf(pg), 1);
    await pg.end();
    // Same name, same prefix; the completed jobs of the first database are still kept in Redis.
    await dropDatabase(db.url);
    await ensureDatabase(db.url, TEMPLATE_DB);
    const pg2 = new Client({ connectionString: db.url });
    pg2.on('error', () => undefined);
    await pg2.connect();
    clients.push(pg2);
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    worker = startWorker(env);
    services.push(worker);
    expect((await runCli(['rpps:import', day2, '--json'], env)).json.status).toBe('applied');
    await eventually(async () => (await unconsumed(pg2)) === 0, 60_000, 'the new database to be consumed');
    expectUndisturbed(await effects(pg2));
  });
});
