import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { apiCaller, createToken, Res } from '../support/http';
import { eventually, freePort, runCli, Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const NATIONAL_ID = '810000000355';

/**
 * The HTTP edge (issue 8): validation of every input, body limit, security headers, the
 * failed-authentication and opposition limits, the internal port, and request logs without
 * identifiers. One API, with small limits and an internal port; the failed-authentication
 * test runs last, since it puts this machine's address over its budget.
 */
describe('the hardened HTTP edge (node dist/src/main.js)', () => {
  let db: TestDb;
  let pg: Client;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let internalUrl: string;
  const tokens: Record<string, string> = {};

  const call = apiCaller(() => api.url, tokens);
  /** The same calls to the internal port. */
  const callInternal = apiCaller(() => internalUrl, tokens);
  const problem = async (r: Res, status: number, code: string): Promise<string> => {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const p = await r.json();
    expect(p.code).toBe(code);
    return p.detail as string;
  };

  beforeAll(async () => {
    db = await createTestDb('http-hardening');
    const internalPort = await freePort();
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('http-hardening'),
      INTERNAL_PORT: String(internalPort),
      AUTH_FAILURES_PER_MINUTE: '5',
      OPPOSITIONS_PER_MINUTE: '2',
      LOG_LEVEL: 'info',
    };
    for (const [who, role] of [
      ['op', 'operator'],
      ['hd', 'helpdesk'],
      ['batch', 'batch'],
      ['late', 'operator'],
      ['revoked', 'operator'],
    ]) {
      const made = await createToken(env, role, who);
      tokens[who] = made.token;
      if (who === 'revoked') tokens.revokedId = made.id;
    }
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    api = await startApi(env);
    internalUrl = `http://127.0.0.1:${internalPort}`;
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await api?.stop();
    await pg?.end();
    await db?.drop();
  });

  it('refuses an unknown body field, naming it', async () => {
    const body = { nationalId: NATIONAL_ID, professionCode: '80', cardType: 'CPS', reason: 'manual', colour: 'blue' };
    const detail = await problem(await call('POST', '/api/v1/orders', 'op', body), 400, 'validation_failed');
    expect(detail).toContain('"colour"');
  });

  it('refuses a repeated query key, a page size over the bound, a query on a route without one, a body on a route without one', async () => {
    expect(await problem(await call('GET', '/api/v1/orders?status=a&status=b', 'op'), 400, 'validation_failed')).toMatch(
      /status: given more than once/,
    );
    expect(await problem(await call('GET', '/api/v1/orders?pageSize=1000', 'op'), 400, 'validation_failed')).toMatch(
      /pageSize: expected at most 200/,
    );
    expect(await problem(await call('GET', '/api/v1/jobs?x=1', 'op'), 400, 'validation_failed')).toMatch(/"x"/);
    expect(
      await problem(await call('POST', `/api/v1/orders/${randomUUID()}/approve`, 'op', { note: 'x' }), 400, 'validation_failed'),
    ).toContain('this route takes no request body');
    // The same routes answer when given only what they declare.
    expect((await call('GET', '/api/v1/orders?status=approved&pageSize=200', 'op')).status).toBe(200);
    expect((await call('GET', '/api/v1/jobs', 'op')).status).toBe(200);
  });

  it('answers a 200 kB body with 413 problem+json', async () => {
    const body = JSON.stringify({ nationalId: NATIONAL_ID, comment: 'x'.repeat(200_000) });
    const detail = await problem(await call('POST', '/api/v1/orders', 'op', body), 413, 'payload_too_large');
    expect(detail).toContain('100kb');
  });

  it('sets the security headers on a Nest route and on the fast card status route', async () => {
    const [{ card_number: card }] = (await pg.query(`SELECT card_number FROM card ORDER BY card_number LIMIT 1`)).rows;
    for (const r of [await call('GET', '/api/v1/jobs', 'op'), await call('GET', `/api/v1/cards/${card}/status`, 'batch')]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('content-security-policy')).toContain('default-src');
    }
  });

  it('with INTERNAL_PORT: /metrics and the API documents, in any case, only on the internal port; /api/v1 only on the public one', async () => {
    for (const path of ['/metrics', '/METRICS', '/Metrics', '/%6Detrics', '/api/docs-json', '/Api/docs-json', '/API/DOCS']) {
      expect([path, (await call('GET', path, null)).status]).toEqual([path, 404]);
    }
    for (const path of ['/metrics', '/METRICS', '/api/docs-json', '/Api/docs-json']) {
      expect([path, (await callInternal('GET', path, null)).status]).toEqual([path, 200]);
    }
    for (const path of ['/api/v1/jobs', '/API/V1/jobs', `/api/v1/professionals/${NATIONAL_ID}`]) {
      expect([path, (await callInternal('GET', path, 'op')).status]).toEqual([path, 404]);
    }
    expect((await callInternal('GET', '/health', null)).status).toBe(200);
    expect((await call('GET', '/api/v1/jobs', 'op')).status).toBe(200);
  });

  it('refuses the third declaration of a principal within a minute (OPPOSITIONS_PER_MINUTE=2), and counts it in /metrics', async () => {
    const cards = (
      await pg.query(`SELECT card_number FROM card WHERE state = 'active' AND valid_until >= current_date ORDER BY card_number LIMIT 3`)
    ).rows.map((r) => r.card_number as string);
    expect(cards).toHaveLength(3);
    const declaration = { reason: 'loss', channel: 'phone', verification: 'caller named the card number and date of birth' };
    const statuses: number[] = [];
    let third: Res | undefined;
    for (const n of cards) {
      const r = await call('POST', `/api/v1/cards/${n}/oppositions`, 'hd', declaration);
      statuses.push(r.status);
      third = r;
    }
    expect(statuses.slice(0, 2)).toEqual([201, 201]);
    expect(await problem(third!, 429, 'too_many_requests')).toMatch(/more than 2 declarations/);
    expect((await pg.query(`SELECT count(*)::int AS n FROM opposition WHERE card_number = $1`, [cards[2]])).rows[0].n).toBe(0);
    const metrics = await (await callInternal('GET', '/metrics', null)).text();
    expect(metrics).toMatch(/^cps_rate_limited_total\{limit="oppositions"\} 1$/m);
  });

  it('never writes a national id used in a request URL to the request log', async () => {
    await call('GET', `/api/v1/professionals/${NATIONAL_ID}`, 'hd');
    await call('GET', `/api/v1/orders?nationalId=${NATIONAL_ID}`, 'op');
    await call('GET', `/api/v1/cards?nationalId=${NATIONAL_ID}`, 'hd');
    await call('GET', `/api/v1/no-such-route/${NATIONAL_ID}`, 'op');
    const lines = await eventually(
      async () => {
        const l = api.output().split('\n');
        return l.some((x) => x.includes('/api/v1/no-such-route/:n')) ? l : undefined;
      },
      10_000,
      'the request log lines',
    );
    expect(lines.some((l) => l.includes('"url":"/api/v1/professionals/:n"'))).toBe(true);
    expect(lines.filter((l) => l.includes(NATIONAL_ID))).toEqual([]);
  });

  it('past AUTH_FAILURES_PER_MINUTE bad tokens: 429 for tokens never seen valid, a token seen valid is still checked and served', async () => {
    // Seen valid before the flood.
    expect((await call('GET', '/api/v1/jobs', 'op')).status).toBe(200);
    expect((await call('GET', '/api/v1/jobs', 'revoked')).status).toBe(200);
    const bad = () => `cps_${randomBytes(32).toString('base64url')}`;
    const flood = await Promise.all(Array.from({ length: 30 }, () => call('GET', '/api/v1/jobs', bad())));
    const floodStatuses = flood.map((r) => r.status);
    expect(floodStatuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(5);
    expect(floodStatuses.every((s) => s === 401 || s === 429)).toBe(true);

    await problem(await call('GET', '/api/v1/jobs', bad()), 429, 'too_many_requests');
    // A valid token this process never verified: refused without a look-up.
    await problem(await call('GET', '/api/v1/jobs', 'late'), 429, 'too_many_requests');
    // Tokens seen valid pass, past their 5-second cache too (checked against the database again).
    await new Promise((r) => setTimeout(r, 5500));
    expect((await call('GET', '/api/v1/jobs', 'op')).status).toBe(200);
    const [{ card_number: card }] = (await pg.query(`SELECT card_number FROM card ORDER BY card_number LIMIT 1`)).rows;
    expect((await call('GET', `/api/v1/cards/${card}/status`, 'batch')).status).toBe(200);
    // A token seen valid, then revoked, is refused (401), then treated as never seen (429).
    expect((await runCli(['tokens:revoke', tokens.revokedId, '--json'], env)).code).toBe(0);
    await eventually(async () => (await call('GET', '/api/v1/jobs', 'revoked')).status === 401, 10_000, 'the revoked token refused');
    await problem(await call('GET', '/api/v1/jobs', 'revoked'), 429, 'too_many_requests');
    const metrics = await (await callInternal('GET', '/metrics', null)).text();
    expect(Number(/^cps_rate_limited_total\{limit="auth_failures"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
  });
});
