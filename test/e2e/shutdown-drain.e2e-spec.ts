import { Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const DRAIN_SECONDS = 3;

/** The process's exit, and when it came. */
function exitOf(svc: Service): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve) => svc.child.once('exit', (code) => resolve({ code, at: Date.now() })));
}

/**
 * SIGTERM with SHUTDOWN_DRAIN_SECONDS (issue 13, item 8): the API keeps serving while GET /health and GET /health/ready
 * answer 503 (naming `shutdown`), so that a load balancer stops sending first, and GET /health/live stays 200 (the
 * process is not to be restarted); then it closes. Without it (the default), it closes at once.
 */
describe('the API drain on SIGTERM (node dist/src/main.js)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  const started: Service[] = [];

  beforeAll(async () => {
    db = await createTestDb('shutdown-drain');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('shutdown-drain') };
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await db?.drop();
  });

  it(`answers /health 503 for SHUTDOWN_DRAIN_SECONDS while other requests are served, then closes and exits 0`, async () => {
    const api = await startApi({ ...env, SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS) });
    started.push(api);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    const exit = exitOf(api);
    const t0 = Date.now();
    api.child.kill('SIGTERM');
    // The signal is handled at once: /health says 503 within a second...
    let health = 200;
    while (health === 200 && Date.now() - t0 < 1000) {
      health = (await fetch(`${api.url}/health`)).status;
      if (health === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(health).toBe(503);
    // ...while the process keeps serving: on a new connection, a public route and a protected one (401, not refused).
    const metrics = await fetch(`${api.url}/metrics`, { headers: { connection: 'close' } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('cps_http_requests_total');
    expect((await fetch(`${api.url}/api/v1/jobs`, { headers: { connection: 'close' } })).status).toBe(401);
    expect((await fetch(`${api.url}/health`)).status).toBe(503);
    // /health/ready fails on the drain too, naming it; /health/live stays 200 (stopping, not broken).
    const ready = await fetch(`${api.url}/health/ready`, { headers: { connection: 'close' } });
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { failing?: string[] }).failing).toContain('shutdown');
    expect((await fetch(`${api.url}/health/live`, { headers: { connection: 'close' } })).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(DRAIN_SECONDS * 1000);
    // Then the server closes: the process exits once the drain is over (and well within its 8 s deadline after it).
    const { code, at } = await exit;
    expect(code).toBe(0);
    expect(at - t0).toBeGreaterThanOrEqual(DRAIN_SECONDS * 1000);
    expect(at - t0).toBeLessThan(DRAIN_SECONDS * 1000 + 8000);
    await expect(fetch(`${api.url}/health`)).rejects.toThrow();
    expect(api.output()).not.toMatch(/shutdown took more than|shutdown failed/);
  });

  it('without SHUTDOWN_DRAIN_SECONDS (0 by default), SIGTERM closes the server at once', async () => {
    const api = await startApi(env);
    started.push(api);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    const exit = exitOf(api);
    const t0 = Date.now();
    api.child.kill('SIGTERM');
    const { at } = await exit;
    expect(at - t0).toBeLessThan(DRAIN_SECONDS * 1000);
    await expect(fetch(`${api.url}/health`)).rejects.toThrow();
  });
});
