import { Client } from 'pg';
import { apiCaller, createToken } from '../support/http';
import { metricValue } from '../support/metrics';
import { freePort, logLines, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 13 items 1-3 on an API whose Redis is unreachable (REDIS_URL to a closed port):
 * liveness apart from readiness, a 503 naming the failing dependency, the metrics that
 * still answer (every status counted, outbox age, pools), and start-up failures as JSON lines.
 */
describe('health probes, metrics and start-up failures (node dist/src/main.js, dist/src/worker.js)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let internal: string;
  let pg: Client;
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => api.url, tokens);

  beforeAll(async () => {
    db = await createTestDb('health-metrics');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('health-metrics') };
    const [published, token] = await Promise.all([runCli(['crl:publish', '--json'], env), createToken(env, 'operator', 'obs-op')]);
    expect(published.code).toBe(0);
    tokens.op = token.token;
    const internalPort = await freePort();
    internal = `http://127.0.0.1:${internalPort}`;
    api = await startApi(
      { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}`, INTERNAL_PORT: String(internalPort), LOG_LEVEL: 'info' },
      '/health/live',
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await api?.stop();
    await pg?.end();
    await db?.drop();
  });

  it('answers /health/live, and 503 on /health/ready and /health naming Redis, the dependency that fails', async () => {
    const live = await fetch(`${api.url}/health/live`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    for (const path of ['/health/ready', '/health']) {
      const t0 = Date.now();
      const r = await fetch(`${api.url}${path}`);
      expect([path, r.status]).toEqual([path, 503]);
      expect(Date.now() - t0).toBeLessThan(2500);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      const p = (await r.json()) as { detail: string; checks: Record<string, unknown> };
      expect(p).toEqual(
        expect.objectContaining({
          status: 503,
          code: 'not_ready',
          failing: ['redis'],
          detail: expect.stringMatching(/^not ready: redis \(/),
        }),
      );
      expect(p.checks.database).toEqual({ status: 'up' });
      expect(p.checks.redis).toEqual({ status: 'down', message: expect.any(String) });
      expect(p.detail).not.toMatch(/Service Unavailable Exception|127\.0\.0\.1/);
      if (path === '/health/ready') expect(p.checks.crl).toEqual({ status: 'up' }); // published before the API started
    }
  });

  it('counts every status in /metrics (401, 404, the port split 404, 503), with the outbox age, the pools and the event loop', async () => {
    // A message left unrelayed for an hour (no worker here): the outbox age shows it.
    await pg.query(`INSERT INTO outbox (topic, payload, created_at) VALUES ('crl.delta-requested', '{}', now() - interval '1 hour')`);
    const scrape = async () => (await fetch(`${internal}/metrics`)).text();
    // A counter not yet counted has no line: 0.
    const count = (text: string, labels: string) => {
      const n = metricValue(text, 'cps_http_requests_total', labels);
      return Number.isNaN(n) ? 0 : n;
    };
    const counted = ['method="GET",route="/api/v1/jobs",status="401"', 'method="GET",route="unmatched",status="404"'];
    const before = await scrape();
    expect((await call('GET', '/api/v1/jobs', null)).status).toBe(401);
    expect((await call('GET', '/api/v1/nothing-here', 'op')).status).toBe(404);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404); // the public port does not serve them
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(503);
    const after = await scrape();
    const delta = (labels: string) => count(after, labels) - count(before, labels);
    expect(counted.map(delta)).toEqual([1, 2]);
    expect(delta('method="GET",route="/health/ready",status="503"')).toBeGreaterThanOrEqual(1);
    expect(metricValue(after, 'cps_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(3600);
    expect(metricValue(after, 'cps_outbox_pending')).toBe(1);
    expect(metricValue(after, 'cps_queue_reachable')).toBe(0);
    for (const pool of ['main', 'status']) {
      expect(after).toMatch(new RegExp(`^cps_db_pool_connections\\{pool="${pool}",state="in_use"\\} \\d+$`, 'm'));
      expect(after).toMatch(new RegExp(`^cps_db_pool_waiting\\{pool="${pool}"\\} 0$`, 'm'));
    }
    expect(after).toMatch(/^cps_nodejs_eventloop_lag_seconds \d/m);
    expect(after).toMatch(/^cps_crl_next_update_timestamp_seconds\{kind="full"\} \d+/m); // the CRL freshness gauge stays
    // Every line the API wrote so far is JSON, its access lines with their request id.
    const accessLines = logLines(api.output()).filter((l) => l.msg === 'request completed');
    expect(accessLines.length).toBeGreaterThan(0);
    expect(accessLines.filter((l) => typeof l.requestId !== 'string')).toEqual([]);
  });

  it('says why a worker cannot start in JSON lines: a bad WORKER_METRICS_PORT, or one already taken', async () => {
    const bad = startWorker({ ...env, WORKER_METRICS_PORT: 'abc' });
    expect(await new Promise((resolve) => bad.child.once('exit', resolve))).toBe(2);
    const [line] = logLines(bad.output());
    expect(line).toEqual(expect.objectContaining({ level: 'fatal', code: 'invalid_configuration', role: 'worker' }));
    expect(line.msg).toMatch(/WORKER_METRICS_PORT="abc"/);

    const taken = startWorker({ ...env, WORKER_METRICS_PORT: new URL(api.url).port });
    expect(await new Promise((resolve) => taken.child.once('exit', resolve))).toBe(1);
    const lines = logLines(taken.output());
    expect(lines.find((l) => l.level === 'fatal')?.msg).toMatch(
      /^worker: failed to start: WORKER_METRICS_PORT=\d+: cannot listen \(.*EADDRINUSE/,
    );
  });
});
