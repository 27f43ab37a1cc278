import { join } from 'node:path';
import { Client } from 'pg';
import { QueueName } from '../../src/common/queue/queues';
import { apiCaller, createToken } from '../support/http';
import { metricValue } from '../support/metrics';
import { eventually, freePort, logLines, Service, startApi, startWorker } from '../support/processes';
import { copyIntoImportDir, createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
/** The next day: events for the registry-events queue (jobs caused by the import's job). */
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Issue 13 items 1 and 3, on the built processes: a request id travels from an HTTP request
 * to the job it causes (and the jobs that job causes), their log lines and the audit entries
 * written on its behalf; the worker's own /metrics (WORKER_METRICS_PORT) shows the jobs run.
 */
describe('request ids and the worker metrics (node dist/src/main.js, dist/src/worker.js)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let worker: Service;
  let pg: Client;
  let metricsPort: number;
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => api.url, tokens);

  beforeAll(async () => {
    db = await createTestDb('request-ids');
    metricsPort = await freePort();
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('request-ids'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      AUDIT_SEQUENCE_INTERVAL_MS: '100',
      LOG_LEVEL: 'info',
    };
    [api] = await Promise.all([
      startApi(env),
      createToken(env, 'batch', 'obs-batch').then((t) => (tokens.batch = t.token)),
      createToken(env, 'auditor', 'obs-auditor').then((t) => (tokens.auditor = t.token)),
    ]);
    worker = startWorker({ ...env, WORKER_METRICS_PORT: String(metricsPort) });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    await db?.drop();
  });

  const importDone = (jobRunId: string) =>
    eventually(
      async () => {
        const r = await (await call('GET', `/api/v1/jobs/${jobRunId}`, 'batch')).json();
        if (r.state === 'failed') throw new Error(`the import failed: ${JSON.stringify(r)}`);
        return r.state === 'succeeded' ? r : undefined;
      },
      25_000,
      `import ${jobRunId} (worker output: ${worker.output().slice(-1500)})`,
    );

  it('carries an X-Request-Id from the request to its job, the jobs that job causes, their logs and audit entries', async () => {
    const requestId = 'obs-import-7f3a';
    const r = await call('POST', '/api/v1/imports', 'batch', { files: copyIntoImportDir(db, day1) }, { 'X-Request-Id': requestId });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-request-id')).toBe(requestId);
    const { jobRunId } = await r.json();
    await importDone(jobRunId);

    // The outbox message the request wrote carries it, so the job's data does.
    const { rows: messages } = await pg.query(`SELECT payload FROM outbox WHERE topic = 'rpps.import.requested'`);
    expect(messages.map((m) => m.payload)).toEqual([{ jobRunId, xRequestId: requestId }]);
    // The audit entries: the API's (requested) and the worker job's (the import applied as a baseline).
    const audited = await eventually(async () => {
      const { rows } = await pg.query(`SELECT action, request_id FROM audit_log WHERE action LIKE 'rpps.import.%' ORDER BY id`);
      return rows.length >= 2 ? rows : undefined;
    });
    expect(audited).toEqual([
      { action: 'rpps.import.requested', request_id: requestId },
      { action: 'rpps.import.baseline', request_id: requestId },
    ]);
    // The auditor's view shows it too.
    const trail = await (await call('GET', `/api/v1/audit?entity=job_run&id=${jobRunId}`, 'auditor')).json();
    expect(trail.entries.map((e: { action: string; requestId: string }) => [e.action, e.requestId])).toEqual([
      ['rpps.import.requested', requestId],
    ]);

    // The job's log lines: every line of that job names the request.
    const jobLines = await eventually(async () => {
      const lines = logLines(worker.output()).filter((l) => l.jobName === 'rpps.import.requested');
      return lines.some((l) => l.msg === 'job done') ? lines : undefined;
    });
    expect(jobLines.map((l) => l.requestId)).toEqual(jobLines.map(() => requestId));
    // The API's access line: the request id and the principal.
    const principal = (await pg.query(`SELECT id::text FROM principal WHERE name = 'obs-batch'`)).rows[0].id;
    const access = logLines(api.output()).find((l) => l.msg === 'request completed' && l.req?.url === '/api/v1/imports');
    expect(access).toEqual(expect.objectContaining({ requestId, principal, res: expect.objectContaining({ statusCode: 201 }) }));
    expect(access?.req.id).toBe(requestId);
    // Once per line, however the logger got it (a binding, the context, the line's own fields).
    const raw = `${api.output()}\n${worker.output()}`.split('\n').filter((l) => l.includes('"requestId"'));
    expect(raw.filter((l) => l.match(/"requestId"/g)?.length !== 1)).toEqual([]);

    // A second import: its registry events (outbox rows written by the worker's job) carry the request on.
    const second = 'obs-import-day2';
    const r2 = await call('POST', '/api/v1/imports', 'batch', { files: copyIntoImportDir(db, day2) }, { 'X-Request-Id': second });
    expect(r2.status).toBe(201);
    await importDone((await r2.json()).jobRunId);
    const { rows: events } = await pg.query(
      `SELECT payload->>'xRequestId' AS rid, count(*)::int AS n FROM outbox WHERE topic = 'registry.event' GROUP BY 1`,
    );
    expect(events).toEqual([{ rid: second, n: expect.any(Number) }]);
    expect(events[0].n).toBeGreaterThan(1);
    const eventJobs = await eventually(async () => {
      const lines = logLines(worker.output()).filter((l) => l.jobName === 'registry.event' && l.msg === 'job done');
      return lines.length >= events[0].n ? lines : undefined;
    });
    expect(new Set(eventJobs.map((l) => l.requestId))).toEqual(new Set([second]));
  });

  it('makes an id when none is given or the one given is unusable, on Nest routes and the fast routes alike', async () => {
    for (const path of ['/api/v1/jobs', '/api/v1/cards/2900995235/status']) {
      const none = await call('GET', path, 'batch');
      expect([path, none.status]).toEqual([path, 200]);
      expect(none.headers.get('x-request-id')).toMatch(UUID);
      for (const bad of ['two words', 'x'.repeat(129), '<script>']) {
        const r = await call('GET', path, 'batch', undefined, { 'X-Request-Id': bad });
        expect(r.headers.get('x-request-id')).toMatch(UUID);
      }
      const kept = await call('GET', path, 'batch', undefined, { 'X-Request-Id': 'client-5:abc' });
      expect(kept.headers.get('x-request-id')).toBe('client-5:abc');
    }
    // Refusals too (a guard's 401, an unknown route's 404), and every line of both processes is JSON.
    const refused = await call('GET', '/api/v1/jobs', null, undefined, { 'X-Request-Id': 'refused-1' });
    expect([refused.status, refused.headers.get('x-request-id')]).toEqual([401, 'refused-1']);
    const unknown = await call('GET', '/api/v1/nothing-here', 'batch', undefined, { 'X-Request-Id': 'unknown-1' });
    expect([unknown.status, unknown.headers.get('x-request-id')]).toEqual([404, 'unknown-1']);
    const fastLine = await eventually(async () =>
      logLines(api.output()).find((l) => l.context === 'FastPath' && l.requestId === 'client-5:abc'),
    );
    expect(fastLine.principal).toEqual(expect.any(String));
    expect(logLines(worker.output()).length).toBeGreaterThan(0);
    // Ready: PostgreSQL, Redis, and the full CRL the worker published at its start.
    const ready = await eventually(async () => {
      const r = await fetch(`${api.url}/health/ready`);
      return r.status === 200 ? r.json() : undefined;
    });
    expect(ready).toEqual(
      expect.objectContaining({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' }, crl: { status: 'up' } } }),
    );
  });

  it('serves the worker metrics on WORKER_METRICS_PORT: jobs by queue, name and outcome, queues, outbox age, pool, event loop', async () => {
    const text = await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(r.status).toBe(200);
      return r.text();
    });
    const value = (name: string, labels?: string) => metricValue(text, name, labels);
    // The imports' jobs ran (2 completed), each timed: a positive sum, all of them in the +Inf bucket.
    const imports = 'queue="rpps-import",name="rpps.import.requested",outcome="completed"';
    expect(value('cps_job_duration_seconds_count', imports)).toBe(2);
    expect(value('cps_job_duration_seconds_sum', imports)).toBeGreaterThan(0);
    expect(value('cps_job_duration_seconds_bucket', `le="+Inf",${imports}`)).toBe(2);
    expect(value('cps_job_duration_seconds_count', 'queue="registry-events",name="registry.event",outcome="completed"')).toBeGreaterThan(1);
    // Every queue, every state: a number (NaN when the line is missing, which expect.any(Number) would accept).
    const queues = Object.values(QueueName).flatMap((queue) =>
      ['waiting', 'active', 'delayed', 'failed'].map((state) => ({
        queue,
        state,
        n: value('cps_queue_jobs', `queue="${queue}",state="${state}"`),
      })),
    );
    expect(queues.filter((q) => !Number.isFinite(q.n))).toEqual([]);
    expect(value('cps_queue_jobs', 'queue="rpps-import",state="failed"')).toBe(0);
    expect(value('cps_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);
    const inUse = value('cps_db_pool_connections', 'pool="main",state="in_use"');
    const idle = value('cps_db_pool_connections', 'pool="main",state="idle"');
    expect([inUse, idle].every(Number.isFinite)).toBe(true);
    expect(inUse + idle).toBeGreaterThan(0); // the jobs above used the pool
    expect(value('cps_db_pool_waiting', 'pool="main"')).toBe(0);
    expect(value('cps_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value('cps_queue_reachable')).toBe(1);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
  });
});
