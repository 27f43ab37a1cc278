import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EncoderFleetService } from '../../src/card-personalization/encoder-fleet.service';
import { AuditService } from '../../src/common/audit/audit.service';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { appDataSourceParts } from '../../src/data-source-parts';
import { testConfig } from '../support/context';
import { apiCaller, createToken } from '../support/http';
import { Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/** Issue 10: the encoder fleet over HTTP, its stations written by a fleet service of the test's own (as a worker would). */
describe('GET /api/v1/encoders and POST /api/v1/encoders/:id/reset', () => {
  let db: TestDb;
  let api: Service & { url: string };
  let ds: DataSource;
  let pg: Client;
  let fleet: EncoderFleetService;
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => api.url, tokens);
  /** A reader name as PC/SC gives them: spaces, and here a "/" and a "%" as well. */
  const broken = 'Virtual PCD 00 00';
  const odd = 'ACME 50/50 Reader 100% [01]';
  let brokenId: string;
  let oddId: string;
  let idleId: string;
  const resetPath = (id: string) => `/api/v1/encoders/${encodeURIComponent(id)}/reset`;

  beforeAll(async () => {
    db = await createTestDb('encoders');
    const env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('encoders') };
    api = await startApi(env);
    for (const role of ['operator', 'helpdesk', 'batch', 'auditor', 'admin'])
      tokens[role] = (await createToken(env, role, `enc-${role}`)).token;
    ds = await new DataSource(dataSourceOptions(appDataSourceParts(db.url, 'test-encoders'))).initialize();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    fleet = new EncoderFleetService(ds, new AuditService(ds), testConfig());
    const processId = 'enc-e2e:1234';
    brokenId = await fleet.register({ host: 'enc-e2e', reader: broken, driver: 'pcsc', processId });
    oddId = await fleet.register({ host: 'enc-e2e', reader: odd, driver: 'pcsc', processId });
    idleId = await fleet.register({ host: 'enc-e2e', reader: 'Simulated 0', driver: 'simulated', processId });
    for (const id of [brokenId, oddId]) {
      for (let i = 0; i < 3; i++) await fleet.recordCard(id, { ok: false, error: 'CREATE FILE DF.CPX: 6581 memory failure' });
    }
    await fleet.recordCard(idleId, { ok: true });
  });
  afterAll(async () => {
    await api?.stop();
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('lists every station to an operator (and an admin), with its state, counters and last error', async () => {
    for (const who of ['operator', 'admin']) {
      const r = await call('GET', '/api/v1/encoders', who);
      expect(r.status).toBe(200);
      const body = await r.json();
      expect(body).toMatchObject({ page: 1, pageSize: 50, total: 3 });
      expect(body.items.map((s: { id: string }) => s.id)).toEqual([oddId, idleId, brokenId].sort());
      const station = body.items.find((s: { id: string }) => s.id === brokenId);
      expect(station).toEqual({
        id: brokenId,
        host: 'enc-e2e',
        reader: broken,
        driver: 'pcsc',
        processId: 'enc-e2e:1234',
        state: 'error',
        stoppedIn: null,
        orderId: null,
        cardsDone: 0,
        cardsFailed: 3,
        consecutiveFailures: 3,
        lastError: 'CREATE FILE DF.CPX: 6581 memory failure',
        lastErrorAt: expect.any(String),
        startedAt: expect.any(String),
        heartbeatAt: expect.any(String),
        resetBy: null,
        resetAt: null,
      });
      expect(body.items.find((s: { id: string }) => s.id === idleId)).toMatchObject({ state: 'idle', cardsDone: 1, driver: 'simulated' });
    }
  });

  it('pages the list, and refuses a query it does not know or a page size past 200', async () => {
    const page = await (await call('GET', '/api/v1/encoders?page=2&pageSize=2', 'operator')).json();
    expect(page).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(page.items).toHaveLength(1);
    const bad = await call('GET', '/api/v1/encoders?state=error&pageSize=201', 'operator');
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toMatch(
      /pageSize: expected at most 200.*unknown field\(s\) "state"|unknown field\(s\) "state".*pageSize/,
    );
  });

  it('refuses the other roles (403)', async () => {
    for (const who of ['helpdesk', 'batch', 'auditor']) {
      expect([who, (await call('GET', '/api/v1/encoders', who)).status]).toEqual([who, 403]);
      expect([who, (await call('POST', resetPath(brokenId), who)).status]).toEqual([who, 403]);
    }
    expect((await fleet.current(brokenId)).state).toBe('error');
  });

  it('resets a station in error named by its URL-encoded id, records who did it, and answers 409 the second time', async () => {
    const r = await call('POST', resetPath(brokenId), 'operator');
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toMatchObject({ id: brokenId, state: 'idle', consecutiveFailures: 0, cardsFailed: 3, resetBy: expect.any(String) });
    expect(await fleet.current(brokenId)).toMatchObject({ state: 'idle', consecutiveFailures: 0 });
    const audit = await pg.query(`SELECT actor, action, entity FROM audit_log WHERE entity_id = $1`, [brokenId]);
    expect(audit.rows).toEqual([{ actor: body.resetBy, action: 'encoder.reset', entity: 'encoder_station' }]);
    expect(body.resetBy).toMatch(/enc-operator/);

    const again = await call('POST', resetPath(brokenId), 'operator');
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await again.json()).toMatchObject({ status: 409, code: 'encoder_not_in_error' });
  });

  it('takes an id whose reader name holds "/", "%", spaces and brackets, once encoded', async () => {
    const r = await call('POST', resetPath(oddId), 'operator');
    expect(r.status).toBe(200);
    expect((await r.json()).id).toBe(oddId);
  });

  it('answers 404 encoder_not_found for an unknown station, and 404 for an id sent with its "/" unencoded', async () => {
    const unknown = await call('POST', resetPath('enc-e2e/no such reader'), 'operator');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 404, code: 'encoder_not_found' });
    const raw = await call('POST', `/api/v1/encoders/enc-e2e/${encodeURIComponent('Simulated 0')}/reset`, 'operator');
    expect(raw.status).toBe(404);
    expect((await raw.json()).code).toBe('not_found');
  });

  it('refuses a body on the reset (it takes none)', async () => {
    const r = await call('POST', resetPath(idleId), 'operator', { force: true });
    expect(r.status).toBe(400);
    expect((await r.json()).code).toBe('validation_failed');
  });

  it('counts the stations by state in /metrics, labelled by state only', async () => {
    for (let i = 0; i < 3; i++) await fleet.recordCard(idleId, { ok: false, error: 'reader unplugged' });
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const lines = text.split('\n').filter((l) => l.startsWith('cps_encoder_stations'));
    expect(lines.sort()).toEqual(
      [
        'cps_encoder_stations{state="error"} 1',
        'cps_encoder_stations{state="idle"} 2',
        'cps_encoder_stations{state="offline"} 0',
        'cps_encoder_stations{state="waiting-card"} 0',
        'cps_encoder_stations{state="writing"} 0',
      ].sort(),
    );
  });
});
