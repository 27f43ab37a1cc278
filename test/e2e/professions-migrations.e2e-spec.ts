import { join } from 'node:path';
import { Client } from 'pg';
import { apiCaller, createToken } from '../support/http';
import { runCli, Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 9 item 9: professions come with their labels wherever the API shows one, and
 * `rpps:migrations --status` agrees with `GET /api/v1/registry/migrations?status=`.
 */
const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

describe('profession labels and the identifier-migration filter (built API and CLI)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let pg: Client;
  const tokens: Record<string, string> = {};

  const call = apiCaller(() => api.url, tokens);

  beforeAll(async () => {
    db = await createTestDb('professions-migrations');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('professions-migrations') };
    for (const role of ['operator', 'helpdesk']) {
      tokens[role] = (await createToken(env, role, `${role}-labels`)).token;
    }
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    api = await startApi(env);
  });
  afterAll(async () => {
    await api?.stop();
    await pg?.end();
    await db?.drop();
  });

  it('shows each profession code with its label: professional, search, cards, orders', async () => {
    const p = await (await call('GET', '/api/v1/professionals/810000000355', 'helpdesk')).json();
    expect(p.professions[0]).toMatchObject({ professionCode: '80', professionLabel: 'Pédicure-Podologue' });
    expect(p.situations.length).toBeGreaterThan(0);
    for (const s of p.situations) expect(s).toMatchObject({ professionCode: '80', professionLabel: 'Pédicure-Podologue' });

    const found = await (await call('GET', '/api/v1/professionals?profession=10', 'helpdesk')).json();
    expect(found.items.length).toBeGreaterThan(0);
    for (const item of found.items) {
      expect(item.professionLabels).toHaveLength(item.professions.length);
      expect(item.professionLabels[item.professions.indexOf('10')]).toBe('Médecin');
    }

    const [holder] = (await pg.query(`SELECT national_id, profession_code FROM card ORDER BY card_number LIMIT 1`)).rows;
    const cards = (await (await call('GET', `/api/v1/cards?nationalId=${holder.national_id}`, 'helpdesk')).json()).items;
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) expect(c.professionLabel).toEqual(expect.any(String));
    const one = await (await call('GET', `/api/v1/cards/${cards[0].cardNumber}`, 'helpdesk')).json();
    expect(one).toMatchObject({ professionCode: cards[0].professionCode, professionLabel: cards[0].professionLabel });

    const made = await call('POST', '/api/v1/orders', 'operator', {
      nationalId: '810000000355',
      professionCode: '80',
      cardType: 'CPS',
      reason: 'manual',
    });
    expect(made.status).toBe(201);
    const order = await made.json();
    expect(order).toMatchObject({ professionCode: '80', professionLabel: 'Pédicure-Podologue' });
    const listed = await (await call('GET', '/api/v1/orders', 'operator')).json();
    const mine = listed.items.find((o: { id: string }) => o.id === order.id);
    expect(mine).toMatchObject({ professionCode: '80', professionLabel: 'Pédicure-Podologue' });
  });

  it('gives the same rows for each --status of rpps:migrations and status= of the API, and refuses the same values', async () => {
    const [imp] = (await pg.query(`SELECT id FROM rpps_import ORDER BY started_at LIMIT 1`)).rows;
    let n = 0;
    for (const status of ['applied', 'pending', 'confirmed', 'rejected', 'pending']) {
      n += 1;
      await pg.query(
        `INSERT INTO rpps_identifier_migration (import_id, adeli_national_id, rpps_national_id, source, status)
         VALUES ($1, $2, '810000000355', 'candidate', $3)`,
        [imp.id, `0${String(100000000 + n)}`, status],
      );
    }
    const expected: Record<string, number> = { all: 5, pending: 2, applied: 1, confirmed: 1, rejected: 1 };
    for (const [status, count] of Object.entries(expected)) {
      const cli = await runCli(['rpps:migrations', '--status', status, '--json'], env);
      expect(cli.code).toBe(0);
      const http = await call('GET', `/api/v1/registry/migrations?status=${status}`, 'operator');
      expect(http.status).toBe(200);
      const listed = await http.json();
      expect({ status, n: listed.items.length, total: listed.total }).toEqual({ status, n: count, total: count });
      expect(listed).toMatchObject({ page: 1, pageSize: 50 });
      expect(cli.json).toEqual(listed);
      if (status !== 'all') for (const m of listed.items) expect(m.status).toBe(status);
    }

    // No filter: pending, on both.
    const cliDefault = await runCli(['rpps:migrations', '--json'], env);
    const httpDefault = await (await call('GET', '/api/v1/registry/migrations', 'operator')).json();
    expect(httpDefault.items.map((m: { status: string }) => m.status)).toEqual(['pending', 'pending']);
    expect(cliDefault.json).toEqual(httpDefault);

    // Paged alike: the fourth made (rejected), second newest, is page 2 of pages of one.
    const cliPage = await runCli(['rpps:migrations', '--status', 'all', '--page', '2', '--page-size', '1', '--json'], env);
    const httpPage = await (await call('GET', '/api/v1/registry/migrations?status=all&page=2&pageSize=1', 'operator')).json();
    expect(httpPage).toMatchObject({ page: 2, pageSize: 1, total: 5, items: [{ status: 'rejected' }] });
    expect(cliPage.json).toEqual(httpPage);
    const badPage = await runCli(['rpps:migrations', '--page-size', '201', '--json'], env);
    expect(badPage.code).toBe(2);
    expect(badPage.json.error.message).toContain('--page-size');

    const badCli = await runCli(['rpps:migrations', '--status', 'done', '--json'], env);
    expect(badCli.code).toBe(2);
    expect(badCli.json.error.message).toContain('pending, confirmed, rejected, applied, all');
    const badHttp = await call('GET', '/api/v1/registry/migrations?status=done', 'operator');
    expect(badHttp.status).toBe(400);
    expect(JSON.stringify(await badHttp.json())).toContain('pending, confirmed, rejected, applied, all');
  });
});
