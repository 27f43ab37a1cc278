import { join } from 'node:path';
import { Client } from 'pg';
import { apiCaller, createToken } from '../support/http';
import { runCli, Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
/** The next day: 810000005214 (chirurgien-dentiste, 40) ceased. */
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

describe('the orders API', () => {
  let db: TestDb;
  let api: Service & { url: string };
  let env: Record<string, string>;
  const tokens: Record<string, string> = {};

  const call = apiCaller(() => api.url, tokens);

  beforeAll(async () => {
    db = await createTestDb('orders-api');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('orders-api') };
    api = await startApi(env);
    for (const [who, role] of [
      ['alice', 'operator'],
      ['bob', 'operator'],
      ['helpdesk', 'helpdesk'],
    ]) {
      tokens[who] = (await createToken(env, role, who)).token;
    }
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('creates one order when the same POST is sent 10 times at once with one Idempotency-Key', async () => {
    const body = { nationalId: '810000000355', professionCode: '80', cardType: 'CPS', reason: 'manual' };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', '/api/v1/orders', 'alice', body, { 'Idempotency-Key': 'req-355-1' })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    const ids = new Set(await Promise.all(answers.map(async (a) => (await a.json()).id)));
    expect(ids.size).toBe(1);
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      expect((await pg.query(`SELECT count(*)::int AS n FROM card_order`)).rows[0].n).toBe(1);
    } finally {
      await pg.end();
    }
  });

  it('lets a second operator approve, never the requester, and answers 409 to a repeated approval', async () => {
    const list = await (await call('GET', '/api/v1/orders?status=requested', 'alice')).json();
    const id = list.items[0].id as string;
    const own = await call('POST', `/api/v1/orders/${id}/approve`, 'alice');
    expect(own.status).toBe(403);
    expect((await own.json()).code).toBe('approver_is_requester');
    const ok = await call('POST', `/api/v1/orders/${id}/approve`, 'bob');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual(expect.objectContaining({ id, status: 'approved', approvedBy: 'principal:bob' }));
    const again = await call('POST', `/api/v1/orders/${id}/approve`, 'bob');
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect((await again.json()).code).toBe('transition_not_allowed');
  });

  it("shows an order's spoiled chips (the cards to destroy) in its view, none for an order never written", async () => {
    const [order] = (await (await call('GET', '/api/v1/orders?status=approved', 'alice')).json()).items;
    const view = async () => (await call('GET', `/api/v1/orders/${order.id}`, 'alice')).json();
    expect(await view()).toEqual(expect.objectContaining({ id: order.id, status: 'approved', spoiledCards: [] }));
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      // as a station records them (see personalization-orders.service.ts)
      await pg.query(
        `INSERT INTO spoiled_card (chip_serial, order_id, card_number, station, stage, error_code, error, spoiled_at)
         VALUES ('SIMSPOILEDAPI01', $1, NULL, 'h/r', 'write', 'memory_failure', 'memory failure', '2026-11-30T10:00:00Z'),
                ('SIMSPOILEDAPI02', $1, '2800000016', 'h/r', 'unknown', 'claim_abandoned', 'given back', '2026-11-30T11:00:00Z')`,
        [order.id],
      );
    } finally {
      await pg.end();
    }
    expect((await view()).spoiledCards).toEqual([
      {
        chipSerial: 'SIMSPOILEDAPI01',
        cardNumber: null,
        stage: 'write',
        errorCode: 'memory_failure',
        spoiledAt: '2026-11-30T10:00:00.000Z',
      },
      {
        chipSerial: 'SIMSPOILEDAPI02',
        cardNumber: '2800000016',
        stage: 'unknown',
        errorCode: 'claim_abandoned',
        spoiledAt: '2026-11-30T11:00:00.000Z',
      },
    ]);
  });

  it('shows the helpdesk a professional with the cards', async () => {
    const r = await call('GET', '/api/v1/professionals/810000000355', 'helpdesk');
    expect(r.status).toBe(200);
    const p = await r.json();
    expect(p.lastName).toBe('LEFÈVRE');
    expect(p.cards).toEqual([expect.objectContaining({ cardNumber: '2900001260', state: 'active', validUntil: '2032-02-16' })]);
    const cards = await (await call('GET', '/api/v1/cards?nationalId=810000000355', 'helpdesk')).json();
    expect(cards.items.map((c: { cardNumber: string }) => c.cardNumber)).toEqual(['2900001260']);
    expect(cards.total).toBe(1);
    expect((await call('GET', '/api/v1/cards/2900001260', 'helpdesk')).status).toBe(200);
    expect((await call('GET', '/api/v1/cards/2999999999', 'helpdesk')).status).toBe(404);
  });

  it('answers a bad request with problem+json naming the fields, and keeps orders from the helpdesk', async () => {
    const bad = await call('POST', '/api/v1/orders', 'alice', { nationalId: '1', cardType: 'XYZ' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toMatch(/nationalId.*professionCode.*cardType.*reason/);
    expect((await call('POST', '/api/v1/orders', 'helpdesk', {})).status).toBe(403);
    expect((await call('GET', '/api/v1/orders/00000000-0000-0000-0000-000000000000', 'alice')).status).toBe(404);
  });

  it('refuses at creation an order the registry would refuse at approval (unknown, ceased, profession not held), creating nothing', async () => {
    const next = await runCli(['rpps:import', day2, '--json'], env);
    expect(next.json).toEqual(expect.objectContaining({ status: 'applied', events: expect.objectContaining({ CEASED: 1 }) }));
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const counts = async () =>
      (
        await pg.query(`SELECT (SELECT count(*) FROM card_order)::int AS orders,
                               (SELECT count(*) FROM audit_log WHERE action = 'order.create')::int AS audited,
                               (SELECT count(*) FROM order_idempotency_key)::int AS keys`)
      ).rows[0];
    try {
      const before = await counts();
      const cases = [
        {
          nationalId: '819999999998',
          professionCode: '10',
          code: 'professional_unknown',
          detail: /no professional 819999999998 .*profession 10/,
        },
        {
          nationalId: '810000005214',
          professionCode: '40',
          code: 'professional_ceased',
          detail: /810000005214 ceased .*on 20\d\d-\d\d-\d\d.*profession 40/,
        },
        {
          nationalId: '810000000355',
          professionCode: '10',
          code: 'profession_not_held',
          detail: /810000000355 does not hold profession 10 .*\(holds 80\)/,
        },
      ];
      for (const c of cases) {
        const body = { nationalId: c.nationalId, professionCode: c.professionCode, cardType: 'CPS', reason: 'manual' };
        const r = await call('POST', '/api/v1/orders', 'alice', body, { 'Idempotency-Key': `refused-${c.code}` });
        expect(r.status).toBe(422);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        const p = await r.json();
        expect(p).toEqual(
          expect.objectContaining({
            code: c.code,
            type: `urn:cps:problem:${c.code}`,
            nationalId: c.nationalId,
            professionCode: c.professionCode,
          }),
        );
        expect(p.detail).toMatch(c.detail);
        expect(p.title).not.toMatch(/Error$/);
      }
      // Nothing was created: no order, no audit entry, no Idempotency-Key; the slot stays free.
      expect(await counts()).toEqual(before);
      const ok = await call('POST', '/api/v1/orders', 'alice', {
        nationalId: '810000000355',
        professionCode: '80',
        cardType: 'CPF',
        reason: 'manual',
      });
      expect(ok.status).toBe(201);
    } finally {
      await pg.end();
    }
  });
});
