import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { apiCaller, createToken, Res } from '../support/http';
import { runCli, Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');

describe('the HTTP API (node dist/src/main.js)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  const tokens: Record<string, string> = {};

  const call = apiCaller(() => api.url, tokens);
  const get = (path: string, role?: string): Promise<Res> => call('GET', path, role ?? null);

  beforeAll(async () => {
    db = await createTestDb('api');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('api') };
    api = await startApi(env);
    for (const role of ['operator', 'helpdesk', 'batch', 'auditor', 'admin']) {
      tokens[role] = (await createToken(env, role, `${role}-e2e`)).token;
    }
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('answers /health with the database and Redis up, without a token', async () => {
    const r = await get('/health');
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body.status).toBe('ok');
    expect(body.info.database.status).toBe('up');
    expect(body.info.redis.status).toBe('up');
  });

  it('serves Prometheus metrics, counting every request once by route pattern and status, refusals included', async () => {
    const counter = async (labels: string): Promise<number> => {
      const text = await (await get('/metrics')).text();
      const line = text.split('\n').find((l) => l.startsWith(`cps_http_requests_total{${labels}} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const jobs200 = 'method="GET",route="/api/v1/jobs",status="200"';
    const jobs401 = 'method="GET",route="/api/v1/jobs",status="401"';
    const jobs403 = 'method="GET",route="/api/v1/jobs",status="403"';
    const unmatched = 'method="GET",route="unmatched",status="404"';
    const before = await Promise.all([jobs200, jobs401, jobs403, unmatched].map(counter));
    await get('/api/v1/jobs', 'operator');
    await get('/api/v1/jobs', 'operator');
    await get('/api/v1/jobs');
    await get('/api/v1/jobs', 'helpdesk');
    await get('/api/v1/no-such-route', 'operator');
    const after = await Promise.all([jobs200, jobs401, jobs403, unmatched].map(counter));
    expect(after.map((n, i) => n - before[i])).toEqual([2, 1, 1, 1]);
    // a client that goes away in the middle of its body is counted too, as 499: on the fast
    // order route (a Content-Length), and by Nest's middleware (a chunked body, before routing)
    const url = new URL(api.url);
    const abandon = (framing: string, partialBody: string) =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.operator}\r\n` +
              `Content-Type: application/json\r\n${framing}\r\n\r\n${partialBody}`,
          );
          setTimeout(() => socket.destroy(), 200);
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
    for (const [framing, partialBody, labels] of [
      ['Content-Length: 100', '{"nationalId":', 'method="POST",route="/api/v1/orders",status="499"'],
      ['Transfer-Encoding: chunked', 'e\r\n{"nationalId":\r\n', 'method="POST",route="unmatched",status="499"'],
    ]) {
      const abortedBefore = await counter(labels);
      await abandon(framing, partialBody);
      const until = Date.now() + 5000;
      while ((await counter(labels)) === abortedBefore && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect([labels, (await counter(labels)) - abortedBefore]).toEqual([labels, 1]);
    }
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/cps_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/jobs"\} [1-9]/);
    expect(text).toContain('cps_outbox_pending');
    expect(text).toContain('cps_process_resident_memory_bytes');
  });

  it('refuses /api/v1 without a token, as problem+json with a stable code', async () => {
    const r = await get('/api/v1/jobs');
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const p = await r.json();
    expect(p).toEqual(
      expect.objectContaining({
        status: 401,
        code: 'unauthenticated',
        type: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
      }),
    );
    const bad: Res = await fetch(`${api.url}/api/v1/jobs`, { headers: { authorization: 'Bearer cps_not-a-token' } });
    expect(bad.status).toBe(401);
  });

  it('refuses a revoked token and an expired one, and lists tokens with their principal and last use', async () => {
    const made = await runCli(['tokens:create', '--role', 'operator', '--name', 'Élodie Roux', '--expires-in', '90', '--json'], env);
    expect(made.code).toBe(0);
    expect(made.json).toEqual(
      expect.objectContaining({ token: expect.stringMatching(/^cps_/), principal: 'Élodie Roux', expiresAt: expect.any(String) }),
    );
    const call = (): Promise<Res> => fetch(`${api.url}/api/v1/jobs`, { headers: { authorization: `Bearer ${made.json.token}` } });
    expect((await call()).status).toBe(200);

    const listed = await runCli(['tokens:list', '--json'], env);
    expect(listed.code).toBe(0);
    const mine = listed.json.tokens.find((t: { id: string }) => t.id === made.json.id);
    expect(mine).toEqual(
      expect.objectContaining({ principal: 'Élodie Roux', role: 'operator', revokedAt: null, lastUsedAt: expect.any(String) }),
    );
    expect(listed.stdout).not.toContain(made.json.token);

    const revoked = await runCli(['tokens:revoke', made.json.id, '--json'], env);
    expect(revoked.code).toBe(0);
    expect(revoked.json).toEqual({ revoked: made.json.id, revokedAt: expect.any(String) });
    // Refused within the API's token cache time (5 s).
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (Date.now() < deadline && status !== 401) {
      status = (await call()).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(401);

    expect((await runCli(['tokens:revoke', 'not-an-id', '--json'], env)).code).toBe(2);
    expect((await runCli(['tokens:create', '--role', 'operator', '--name', 'x', '--expires-in', 'soon', '--json'], env)).code).toBe(2);
  });

  it('checks roles: the auditor may not read the jobs, the operator may', async () => {
    const denied = await get('/api/v1/jobs', 'auditor');
    expect(denied.status).toBe(403);
    expect((await denied.json()).code).toBe('forbidden');
    const ok = await get('/api/v1/jobs', 'operator');
    expect(ok.status).toBe(200);
    const body = await ok.json();
    const run = body.runs.find((x: { kind: string }) => x.kind === 'rpps-import');
    expect(run).toEqual(expect.objectContaining({ state: 'succeeded', percent: 100 }));
    expect(body.queues['rpps-import']).toBeDefined();
  });

  it('shows a professional of the registry to the helpdesk, and 404 for an unknown one', async () => {
    const r = await get('/api/v1/professionals/810000000355', 'helpdesk');
    expect(r.status).toBe(200);
    const p = await r.json();
    expect(p).toEqual(expect.objectContaining({ nationalId: '810000000355', lastName: 'LEFÈVRE', status: 'active' }));
    expect(p.professions[0].professionCode).toBe('80');
    expect(p.situations.length).toBeGreaterThan(0);
    expect(p.cards).toEqual([]);
    const missing = await get('/api/v1/professionals/899999999999', 'helpdesk');
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('professional_not_found');
    const malformed = await get('/api/v1/professionals/abc', 'helpdesk');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).code).toBe('validation_failed');
  });

  it('searches professionals by name and profession', async () => {
    const r = await get('/api/v1/professionals?name=lef&profession=80', 'operator');
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body.items.map((x: { nationalId: string }) => x.nationalId)).toContain('810000000355');
  });

  it('gives the auditor the audit trail with the state of its chain', async () => {
    const r = await get('/api/v1/audit?entity=rpps_import', 'auditor');
    expect(r.status).toBe(200);
    const body = await r.json();
    // no worker runs here: the entries wait in the sequencer's queue, and no checkpoint is signed yet
    expect(body.chain).toEqual({ size: 0, head: null, queued: expect.any(Number) });
    expect(body.chain.queued).toBeGreaterThan(0);
    expect(body.checkpoint).toBeNull();
    expect(body.entries[0]).toMatchObject({ action: 'rpps.import.baseline', seq: null, hash: null });
    expect((await get('/api/v1/audit?from=yesterday', 'auditor')).status).toBe(400);
  });

  it('lists identifier migrations for operators and answers 404 for an unknown one', async () => {
    const list = await get('/api/v1/registry/migrations?status=pending', 'operator');
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ items: [], page: 1, pageSize: 50, total: 0, totalIsLowerBound: false });
    expect((await get('/api/v1/registry/migrations', 'helpdesk')).status).toBe(403);
    const r: Res = await fetch(`${api.url}/api/v1/registry/migrations/999/confirm`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.operator}` },
    });
    expect(r.status).toBe(404);
    expect((await r.json()).code).toBe('migration_not_found');
  });

  it('publishes its OpenAPI document', async () => {
    const r = await get('/api/docs-json');
    expect(r.status).toBe(200);
    const doc = await r.json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health', '/api/v1/jobs', '/api/v1/professionals/{nationalId}', '/api/v1/audit']),
    );
    // The routes served before Nest shadow a controller route that documents them: same method and path.
    expect(doc.paths['/api/v1/orders']?.post).toBeDefined();
    expect(doc.paths['/api/v1/cards/{cardNumber}/status']?.get).toBeDefined();
  });

  it('never stores or returns a token in clear', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const dump =
        JSON.stringify((await pg.query('SELECT * FROM api_token')).rows) + JSON.stringify((await pg.query('SELECT * FROM audit_log')).rows);
      for (const t of Object.values(tokens)) expect(dump).not.toContain(t);
    } finally {
      await pg.end();
    }
    for (const t of Object.values(tokens)) expect(api.output()).not.toContain(t);
  });
});
