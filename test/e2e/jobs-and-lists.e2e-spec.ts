import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { AUDIT_ENTITIES } from '../../src/common/audit/audit-entities';
import { JOB_KINDS } from '../../src/common/jobs/job-run.entity';
import { ORDER_REASONS } from '../../src/orders/orders.service';
import { ORDER_STATES } from '../../src/orders/workflow';
import { PROFESSION_LABELS } from '../../src/rpps/professions';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testImportDir, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

/** Issue 9, items 3 and 5: job runs that say how they ended, lists that page and count, filters that refuse what they do not know. */
describe('jobs and lists over the HTTP API', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let worker: Service;
  let pg: Client;
  let importDir: string;
  const tokens: Record<string, string> = {};

  const call = apiCaller(() => api.url, tokens);
  const get = async (path: string, who: string, status = 200) => {
    const r = await call('GET', path, who);
    const body = await r.json();
    if (r.status !== status) throw new Error(`GET ${path}: ${r.status}, expected ${status}: ${JSON.stringify(body)}`);
    return body;
  };
  const count = async (sql: string, params: unknown[] = []) => (await pg.query(sql, params)).rows[0].n as number;
  /** Submits an import over the API (201 queued) and gives its job run id. */
  const submit = async (files: string[]): Promise<string> => {
    const r = await call('POST', '/api/v1/imports', 'batch', { files });
    expect(r.status).toBe(201);
    const body = await r.json();
    expect(body).toEqual({ jobRunId: expect.any(String), state: 'queued' });
    return body.jobRunId;
  };
  /** GET /api/v1/jobs/:id until the run is no longer queued or running. */
  const settled = (id: string) =>
    eventually(
      async () => {
        const run = await get(`/api/v1/jobs/${id}`, 'batch');
        return ['queued', 'running'].includes(run.state) ? undefined : run;
      },
      60_000,
      `job run ${id} to end`,
    );

  beforeAll(async () => {
    db = await createTestDb('jobs-lists');
    importDir = testImportDir(db.name);
    mkdirSync(importDir, { recursive: true });
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('jobs-lists'), OUTBOX_RELAY_INTERVAL_MS: '100' };
    api = await startApi(env);
    worker = startWorker(env);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    for (const role of ['batch', 'operator', 'auditor', 'helpdesk']) {
      tokens[role] = (await createToken(env, role, `lists-${role}`)).token;
    }
    // A registry, cards, and the orders the worker makes from the second extract's events.
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    expect((await runCli(['rpps:import', day2, '--json'], env)).json.status).toBe('applied');
    const events = await count(`SELECT count(*)::int AS n FROM rpps_event`);
    await eventually(
      async () => (await count(`SELECT count(*)::int AS n FROM consumed_registry_event`)) === events,
      60_000,
      'the worker to consume the registry events',
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    await db?.drop();
  });

  describe('GET /api/v1/jobs/:id', () => {
    it('shows an import of a file the worker cannot use as failed, with a readable error and no stack', async () => {
      writeFileSync(join(importDir, 'PS_LibreAcces_Personne_activite_202611280600.txt'), 'not|an|extract\n1|2|3\n');
      mkdirSync(join(importDir, 'PS_LibreAcces_Personne_activite_202611290600.txt'));
      const badHeader = await submit(['PS_LibreAcces_Personne_activite_202611280600.txt']);
      const directory = await submit(['PS_LibreAcces_Personne_activite_202611290600.txt']);

      const a = await settled(badHeader);
      expect(a).toMatchObject({ id: badHeader, kind: 'rpps-import', state: 'failed', finishedAt: expect.any(String) });
      expect(a.error).toMatch(/header: missing required column/);
      // the worker reads the whole path; a reader of the jobs sees the file's name only
      expect(a.params.files).toEqual(['PS_LibreAcces_Personne_activite_202611280600.txt']);
      expect(JSON.stringify(a)).not.toContain(importDir);
      const b = await settled(directory);
      expect(b).toMatchObject({ id: directory, state: 'failed' });
      expect(b.error).toMatch(/is a directory/);
      for (const run of [a, b]) {
        expect(run.error).not.toMatch(/\n|\bat .*\.js:\d+/); // one line, no stack
      }
      // ... and the list says the same.
      const failed = await get('/api/v1/jobs?kind=rpps-import&state=failed', 'operator');
      expect(failed.runs.map((r: { id: string }) => r.id).sort()).toEqual([badHeader, directory].sort());
      expect(failed.total).toBe(2);
    });

    it('shows an import held for a mass change as held, not failed, with what it waits for', async () => {
      const [header, ...lines] = readFileSync(day2, 'utf8').trimEnd().split('\n');
      const name = 'PS_LibreAcces_Personne_activite_202611300600.txt';
      writeFileSync(join(importDir, name), [header, ...lines.slice(0, Math.floor(lines.length / 2))].join('\n'));
      const id = await submit([name]);
      const run = await settled(id);
      expect(run).toMatchObject({ state: 'held', error: null, result: expect.objectContaining({ status: 'held' }) });
      expect(run.result.heldReason).toMatch(/confirm/);
      expect((await get('/api/v1/jobs?state=held', 'batch')).runs.map((r: { id: string }) => r.id)).toEqual([id]);
    });

    it('answers 404 (problem) for an unknown id and 400 for a malformed one', async () => {
      const unknown = await call('GET', '/api/v1/jobs/00000000-0000-4000-8000-000000000000', 'operator');
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await unknown.json()).toMatchObject({ status: 404, code: 'job_not_found' });
      const malformed = await call('GET', '/api/v1/jobs/42', 'operator');
      expect(malformed.status).toBe(400);
      expect((await malformed.json()).detail).toMatch(/id/);
      expect((await call('GET', '/api/v1/jobs?state=bogus', 'operator')).status).toBe(400);
    });
  });

  describe('lists page, and count what matches', () => {
    it('GET /api/v1/jobs', async () => {
      const total = await count(`SELECT count(*)::int AS n FROM job_run`);
      expect(total).toBeGreaterThanOrEqual(3);
      const p1 = await get('/api/v1/jobs?pageSize=1', 'operator');
      const p2 = await get('/api/v1/jobs?pageSize=1&page=2', 'operator');
      expect(p1).toMatchObject({ page: 1, pageSize: 1, total, totalIsLowerBound: false });
      expect(p2).toMatchObject({ page: 2, pageSize: 1, total, totalIsLowerBound: false });
      expect(p1.runs).toHaveLength(1);
      expect(p2.runs[0].id).not.toBe(p1.runs[0].id);
      expect(p1.queues).toBeDefined();
    });

    it('GET /api/v1/orders', async () => {
      const total = await count(`SELECT count(*)::int AS n FROM card_order`);
      expect(total).toBeGreaterThanOrEqual(2);
      const p1 = await get('/api/v1/orders?pageSize=1', 'operator');
      expect(p1).toMatchObject({ page: 1, pageSize: 1, total, totalIsLowerBound: false });
      expect(p1.items).toHaveLength(1);
      const beyond = await get(`/api/v1/orders?pageSize=1&page=${total + 1}`, 'auditor');
      expect(beyond).toMatchObject({ items: [], total, totalIsLowerBound: false });
      const firstIssues = await count(`SELECT count(*)::int AS n FROM card_order WHERE reason = 'first-issue'`);
      expect((await get('/api/v1/orders?reason=first-issue', 'operator')).total).toBe(firstIssues);
    });

    it('GET /api/v1/professionals?name=', async () => {
      const total = await count(`SELECT count(*)::int AS n FROM rpps_professional WHERE last_name LIKE 'L%' AND ceased_at IS NULL`);
      expect(total).toBeGreaterThanOrEqual(2);
      const p1 = await get('/api/v1/professionals?name=l&pageSize=1', 'helpdesk');
      expect(p1).toMatchObject({ page: 1, pageSize: 1, total, totalIsLowerBound: false });
      expect(p1.items).toHaveLength(1);
    });

    it('GET /api/v1/cards?nationalId=', async () => {
      const { national_id: holder, n } = (
        await pg.query(`SELECT national_id, count(*)::int AS n FROM card GROUP BY national_id ORDER BY count(*) DESC, national_id LIMIT 1`)
      ).rows[0];
      const p1 = await get(`/api/v1/cards?nationalId=${holder}&pageSize=1`, 'helpdesk');
      expect(p1).toMatchObject({ page: 1, pageSize: 1, total: n, totalIsLowerBound: false });
      expect(p1.items).toHaveLength(1);
      expect(p1.items[0].nationalId).toBe(holder);
    });

    it('GET /api/v1/audit (page/pageSize, and the older limit/after)', async () => {
      const total = await count(`SELECT count(*)::int AS n FROM audit_log`);
      const p1 = await get('/api/v1/audit?pageSize=2', 'auditor');
      const p2 = await get('/api/v1/audit?pageSize=2&page=2', 'auditor');
      expect(p1).toMatchObject({ page: 1, pageSize: 2, total, totalIsLowerBound: false });
      expect(p1.entries).toHaveLength(2);
      expect(Number(p2.entries[0].id)).toBeGreaterThan(Number(p1.entries[1].id));
      const after = await get(`/api/v1/audit?limit=1&after=${p1.entries[0].id}`, 'auditor');
      expect(after.entries.map((e: { id: string }) => e.id)).toEqual([p1.entries[1].id]);
      expect((await call('GET', '/api/v1/audit?limit=1&pageSize=1', 'auditor')).status).toBe(400);
    });
  });

  describe('lists count up to LIST_COUNT_CAP and page no deeper', () => {
    const problem = async (path: string, who: string) => {
      const r = await call('GET', path, who);
      const body = await r.json();
      expect({ path, status: r.status, type: r.headers.get('content-type') }).toEqual({
        path,
        status: 400,
        type: expect.stringMatching(/application\/problem\+json/),
      });
      return body as { code: string; detail: string };
    };

    it('refuses a page starting past LIST_COUNT_CAP rows with a 400 naming page and saying to narrow the filters', async () => {
      for (const [path, who] of [
        ['/api/v1/jobs?page=100000&pageSize=200', 'operator'],
        ['/api/v1/orders?page=52&pageSize=200', 'operator'],
        ['/api/v1/professionals?name=&page=100000&pageSize=200', 'helpdesk'],
        ['/api/v1/cards?nationalId=810000000355&page=202', 'helpdesk'],
        ['/api/v1/imports?page=502', 'operator'],
        ['/api/v1/registry/migrations?status=all&page=10002&pageSize=1', 'operator'],
        ['/api/v1/encoders?page=100000', 'operator'],
      ] as const) {
        const p = await problem(path, who);
        expect(p.code).toBe('validation_failed');
        expect(p.detail).toMatch(
          /^page: expected at most \d+ with pageSize \d+ \(a list pages through its first 10000 matches only\); narrow the filters$/,
        );
      }
      // The audit says how to go on past it: its `after` cursor.
      const audit = await problem('/api/v1/audit?page=12&pageSize=1000', 'auditor');
      expect(audit.detail).toBe(
        'page: expected at most 11 with pageSize 1000 (a list pages through its first 10000 matches only); ' +
          'narrow the filters (or go on from the last entry seen with after=<its id>)',
      );
      const limit = await problem('/api/v1/audit?page=10002&limit=1', 'auditor');
      expect(limit.detail).toMatch(/^page: expected at most 10001 with pageSize 1 .*after=/);
      // The deepest page allowed ((page - 1) × pageSize = 10000) is served: empty here, with the total.
      const total = await count(`SELECT count(*)::int AS n FROM card_order`);
      expect(await get('/api/v1/orders?page=51&pageSize=200', 'operator')).toMatchObject({ items: [], total, totalIsLowerBound: false });
    });

    it('answers total 10000 and totalIsLowerBound true when more match', async () => {
      // expiry runs (a kind the filter takes), made up to 10001 with this test's own rows (actor cap-probe)
      const before = await count(`SELECT count(*)::int AS n FROM job_run WHERE kind = 'expiry'`);
      await pg.query(
        `INSERT INTO job_run (kind, state, actor, created_at) SELECT 'expiry', 'succeeded', 'cap-probe', now() - g * interval '1 second'
           FROM generate_series(1, $1::int) g`,
        [10001 - before],
      );
      try {
        const p1 = await get('/api/v1/jobs?kind=expiry&pageSize=3', 'operator');
        expect(p1).toMatchObject({ page: 1, pageSize: 3, total: 10000, totalIsLowerBound: true });
        expect(p1.runs).toHaveLength(3);
        const failed = await count(`SELECT count(*)::int AS n FROM job_run WHERE kind = 'expiry' AND state = 'failed'`);
        expect(await get('/api/v1/jobs?kind=expiry&state=failed', 'operator')).toMatchObject({ total: failed, totalIsLowerBound: false });
        // 10000 match exactly: exact.
        await pg.query(`DELETE FROM job_run WHERE id = (SELECT id FROM job_run WHERE actor = 'cap-probe' LIMIT 1)`);
        expect(await get('/api/v1/jobs?kind=expiry&pageSize=3', 'operator')).toMatchObject({ total: 10000, totalIsLowerBound: false });
      } finally {
        await pg.query(`DELETE FROM job_run WHERE actor = 'cap-probe'`);
      }
    });
  });

  describe('filters fail loudly', () => {
    const problem = async (path: string, who: string) => {
      const r = await call('GET', path, who);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      return (await r.json()) as { code: string; detail: string };
    };

    it('refuses an unknown order status or reason, listing the allowed values', async () => {
      const status = await problem('/api/v1/orders?status=bogus', 'operator');
      expect(status.code).toBe('validation_failed');
      expect(status.detail).toMatch(/status/);
      for (const s of ORDER_STATES) expect(status.detail).toContain(s);
      const reason = await problem('/api/v1/orders?reason=bogus', 'operator');
      for (const s of ORDER_REASONS) expect(reason.detail).toContain(s);
    });

    it('refuses an unknown audit entity, listing the names the trail uses, and finds entries by a real one', async () => {
      const p = await problem('/api/v1/audit?entity=order', 'auditor');
      expect(p.detail).toMatch(/entity/);
      for (const e of AUDIT_ENTITIES) expect(p.detail).toContain(e);
      // Every name the trail holds is one of the list.
      const used = (await pg.query(`SELECT DISTINCT entity FROM audit_log`)).rows.map((r) => r.entity as string);
      expect(used.length).toBeGreaterThan(3);
      for (const e of used) expect(AUDIT_ENTITIES).toContain(e);
      const orders = await get('/api/v1/audit?entity=card_order', 'auditor');
      expect(orders.total).toBe(await count(`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'card_order'`));
      expect(orders.total).toBeGreaterThan(0);
    });

    it('refuses an unknown job kind, listing the kinds the code records, and filters by a real one', async () => {
      const p = await problem('/api/v1/jobs?kind=expiries', 'operator');
      expect(p.code).toBe('validation_failed');
      expect(p.detail).toMatch(/^kind: expected one of /);
      for (const k of JOB_KINDS) expect(p.detail).toContain(k);
      // A renewal run (a dry run: nothing ordered) besides the imports: every kind recorded is one of the list.
      expect((await runCli(['renewals:run', '--dry-run', '--json'], env)).code).toBe(0);
      const used = (await pg.query(`SELECT DISTINCT kind FROM job_run ORDER BY kind`)).rows.map((r) => r.kind as string);
      expect(used).toEqual(['renewals', 'rpps-import']);
      for (const k of used) {
        const runs = await get(`/api/v1/jobs?kind=${k}`, 'batch');
        expect(runs.total).toBe(await count(`SELECT count(*)::int AS n FROM job_run WHERE kind = $1`, [k]));
        expect(runs.total).toBeGreaterThan(0);
        expect(runs.runs.every((r: { kind: string }) => r.kind === k)).toBe(true);
      }
      expect(await get('/api/v1/jobs?kind=expiry', 'batch')).toMatchObject({ runs: [], total: 0 });
    });

    it('refuses a profession code outside TRE_G15, listing the codes, and searches by a listed one', async () => {
      for (const bad of ['99', '1', 'médecin']) {
        const p = await problem(`/api/v1/professionals?profession=${encodeURIComponent(bad)}`, 'helpdesk');
        expect(p.code).toBe('validation_failed');
        expect(p.detail).toMatch(/^profession: expected one of /);
        for (const code of Object.keys(PROFESSION_LABELS)) expect(p.detail).toContain(code);
      }
      const doctors = await get('/api/v1/professionals?profession=10', 'helpdesk');
      expect(doctors.total).toBeGreaterThan(0);
    });

    it('includes the whole Paris day of a `to` date (and of a `from` date)', async () => {
      // The day of the latest entry in Paris, as the database computes it (not this process's clock),
      // and the day before it: right whether or not the run crossed Paris midnight.
      const [{ day, before }] = (
        await pg.query(
          `SELECT to_char(d, 'YYYY-MM-DD') AS day, to_char(d - 1, 'YYYY-MM-DD') AS before
             FROM (SELECT max((at AT TIME ZONE 'Europe/Paris')::date) AS d FROM audit_log) x`,
        )
      ).rows;
      const upTo = (d: string) =>
        count(`SELECT count(*)::int AS n FROM audit_log WHERE (at AT TIME ZONE 'Europe/Paris')::date <= $1::date`, [d]);
      const on = (d: string) =>
        count(`SELECT count(*)::int AS n FROM audit_log WHERE (at AT TIME ZONE 'Europe/Paris')::date = $1::date`, [d]);
      const total = await count(`SELECT count(*)::int AS n FROM audit_log`);
      expect(await upTo(day)).toBe(total);
      expect(await on(day)).toBeGreaterThan(0);
      expect((await get(`/api/v1/audit?to=${day}`, 'auditor')).total).toBe(total);
      expect((await get(`/api/v1/audit?from=${day}&to=${day}`, 'auditor')).total).toBe(await on(day));
      expect((await get(`/api/v1/audit?from=${day}`, 'auditor')).total).toBe(await on(day));
      expect((await get(`/api/v1/audit?to=${before}`, 'auditor')).total).toBe(await upTo(before));
      expect((await get(`/api/v1/audit?from=${before}&to=${before}`, 'auditor')).total).toBe(await on(before));
    });

    it('refuses a `from` or `to` day that does not exist (never rolled over to the next month), naming the field', async () => {
      for (const field of ['from', 'to']) {
        const p = await problem(`/api/v1/audit?${field}=2026-02-30`, 'auditor');
        expect(p.code).toBe('validation_failed');
        expect(p.detail).toMatch(new RegExp(`^${field}: expected an existing date YYYY-MM-DD`));
      }
    });

    it('answers a number too large for the database with a 400 naming the field, never a 500', async () => {
      const huge = '999999999999999999999';
      for (const [path, who, field] of [
        [`/api/v1/orders?page=${huge}`, 'operator', 'page'],
        [`/api/v1/jobs?pageSize=${huge}`, 'operator', 'pageSize'],
        [`/api/v1/professionals?name=l&page=${huge}`, 'helpdesk', 'page'],
        [`/api/v1/cards?nationalId=810000000355&page=${huge}`, 'helpdesk', 'page'],
        [`/api/v1/audit?page=${huge}`, 'auditor', 'page'],
        [`/api/v1/audit?after=${huge}`, 'auditor', 'after'],
        ['/api/v1/audit?after=9223372036854775808', 'auditor', 'after'],
        [`/api/v1/audit/checkpoints?after=${huge}`, 'auditor', 'after'],
        [`/api/v1/registry/migrations/${huge}/confirm`, 'operator', 'id'],
      ] as const) {
        const r = await call(path.includes('/confirm') ? 'POST' : 'GET', path, who);
        const body = await r.json();
        expect({ path, status: r.status }).toEqual({ path, status: 400 });
        expect(body.detail).toMatch(new RegExp(`\\b${field}\\b`));
      }
      // The largest bigint is a valid id: nothing after it.
      expect((await get('/api/v1/audit?after=9223372036854775807', 'auditor')).entries).toEqual([]);
    });

    it('takes % and _ in a name search literally', async () => {
      const all = await count(`SELECT count(*)::int AS n FROM rpps_professional WHERE ceased_at IS NULL`);
      expect(all).toBeGreaterThan(10);
      expect((await get('/api/v1/professionals?name=%25', 'operator')).total).toBe(0);
      expect((await get('/api/v1/professionals?name=_', 'operator')).total).toBe(0);
      expect((await get('/api/v1/professionals?name=L%25', 'operator')).total).toBe(0);
      expect((await get('/api/v1/professionals?name=l', 'operator')).total).toBeGreaterThan(0);
    });
  });
});
