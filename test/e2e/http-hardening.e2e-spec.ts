import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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
    for (const path of ['/api/v1/jobs', '/API/V1/jobs', `/api/v1/professionals/${NATIONAL_ID}`, '/api/v1/cards/2900995235/status']) {
      expect([path, (await callInternal('GET', path, 'op')).status]).toEqual([path, 404]);
    }
    // The routes served before Nest are not on the internal port either.
    const order = { nationalId: NATIONAL_ID, professionCode: '80', cardType: 'CPS', reason: 'manual' };
    expect((await callInternal('POST', '/api/v1/orders', 'op', order)).status).toBe(404);
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

  describe('POST /api/v1/orders, served before Nest (orders.fast-route.ts) and by Nest (a chunked body)', () => {
    /** The same request with Transfer-Encoding: chunked, which the fast path leaves to Nest. */
    const viaNest = (who: string | null, body: string, headers: Record<string, string> = {}): Promise<Res> =>
      new Promise((resolve, reject) => {
        const req = request(`${api.url}/api/v1/orders`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
            ...(who ? { authorization: `Bearer ${tokens[who] ?? who}` } : {}),
            ...headers,
          },
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve(new Response(text, { status: res.statusCode, headers: res.headers as Record<string, string> }));
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    /** A (national id, profession) of the registry with no order yet. */
    const unordered = async (): Promise<{ nid: string; prof: string }> => {
      const [row] = (
        await pg.query(
          `SELECT rp.national_id AS nid, rpr.profession_code AS prof FROM rpps_professional rp JOIN rpps_profession rpr USING (national_id)
            WHERE rp.ceased_at IS NULL AND rp.national_id <> $1
              AND NOT EXISTS (SELECT 1 FROM card_order o WHERE o.national_id = rp.national_id) ORDER BY 1, 2 LIMIT 1`,
          [NATIONAL_ID],
        )
      ).rows;
      return row;
    };
    /** cps_http_requests_total of POST /api/v1/orders by status (200 and 201). */
    const countedOrders = async (): Promise<Record<200 | 201, number>> => {
      const text = await (await callInternal('GET', '/metrics', null)).text();
      const n = (status: number) =>
        Number(
          new RegExp(`^cps_http_requests_total\\{method="POST",route="/api/v1/orders",status="${status}"\\} (\\d+)$`, 'm').exec(
            text,
          )?.[1] ?? 0,
        );
      return { 200: n(200), 201: n(201) };
    };
    const answer = async (r: Res) => {
      const body = await r.json();
      return { status: r.status, type: r.headers.get('content-type'), code: body.code, detail: body.detail };
    };

    it('gives the same refusals both ways, naming what is wrong', async () => {
      const good = { nationalId: NATIONAL_ID, professionCode: '80', cardType: 'CPS', reason: 'manual' };
      const cases: Array<[string | null, string, number, string]> = [
        ['op', JSON.stringify({ ...good, colour: 'blue' }), 400, 'validation_failed'],
        ['op', '{"nationalId": ', 400, 'validation_failed'],
        ['op', '5', 400, 'validation_failed'],
        ['op', 'null', 400, 'validation_failed'],
        ['op', '[]', 400, 'validation_failed'],
        ['op', '{}', 400, 'validation_failed'],
        ['op', JSON.stringify({ ...good, cardType: 'XYZ', professionCode: '8' }), 400, 'validation_failed'],
        [null, JSON.stringify(good), 401, 'unauthenticated'],
        ['cps_not_a_token', JSON.stringify(good), 401, 'unauthenticated'],
        ['hd', JSON.stringify(good), 403, 'forbidden'],
      ];
      const orders = async () => (await pg.query(`SELECT count(*)::int AS n FROM card_order`)).rows[0].n;
      const before = await orders();
      for (const [who, body, status, code] of cases) {
        const fastRes = await call('POST', '/api/v1/orders', who, body);
        const nestRes = await viaNest(who, body);
        // Express's ETag tells which path answered: Nest sets one, the fast path does not.
        expect([fastRes.headers.get('etag'), nestRes.headers.get('etag')]).toEqual([null, expect.any(String)]);
        const fast = await answer(fastRes);
        const nest = await answer(nestRes);
        expect({ body, ...fast }).toEqual({ body, ...nest });
        expect({ body, status: fast.status, code: fast.code }).toEqual({ body, status, code });
        expect(fast.type).toContain('application/problem+json');
      }
      expect(await orders()).toBe(before);
    });

    it('checks the token before reading the body (Nest reads the body first): a malformed body without a token', async () => {
      const fast = await answer(await call('POST', '/api/v1/orders', null, '{"x":'));
      const nest = await answer(await viaNest(null, '{"x":'));
      expect([fast.status, fast.code]).toEqual([401, 'unauthenticated']);
      expect([nest.status, nest.code, nest.detail]).toEqual([400, 'validation_failed', 'body: malformed JSON']);
    });

    it('sets the security headers helmet sets on the Nest routes', async () => {
      const fast = await call('POST', '/api/v1/orders', 'op', '{}');
      const nest = await viaNest('op', '{}');
      for (const h of [
        'content-security-policy',
        'strict-transport-security',
        'x-content-type-options',
        'x-frame-options',
        'referrer-policy',
        'cross-origin-opener-policy',
      ]) {
        expect([h, fast.headers.get(h)]).toEqual([h, nest.headers.get(h)]);
        expect(fast.headers.get(h)).toEqual(expect.any(String));
      }
    });

    it('creates an order on the fast path; the same Idempotency-Key through Nest finds it; counted and logged by route', async () => {
      const { nid, prof } = await unordered();
      const body = JSON.stringify({ nationalId: nid, professionCode: prof, cardType: 'CPS', reason: 'manual' });
      const key = randomUUID();
      const countedBefore = await countedOrders();
      const first = await call('POST', '/api/v1/orders', 'batch', body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(first.headers.get('x-content-type-options')).toBe('nosniff');
      const created = await first.json();
      expect(created).toMatchObject({ nationalId: nid, professionCode: prof, status: 'requested', requestedBy: expect.any(String) });
      const again = await viaNest('batch', body, { 'idempotency-key': key });
      expect(again.status).toBe(200);
      expect((await again.json()).id).toBe(created.id);
      const fastAgain = await call('POST', '/api/v1/orders', 'batch', body, { 'idempotency-key': key });
      expect(fastAgain.status).toBe(200);
      expect((await fastAgain.json()).id).toBe(created.id);
      expect((await pg.query(`SELECT count(*)::int AS n FROM card_order WHERE national_id = $1`, [nid])).rows[0].n).toBe(1);
      const entries = (await pg.query(`SELECT action FROM audit_log WHERE entity_id = $1`, [created.id])).rows;
      expect(entries).toEqual([{ action: 'order.create' }]);

      const counted = await countedOrders();
      expect([counted[201] - countedBefore[201], counted[200] - countedBefore[200]]).toEqual([1, 2]);
      const line = await eventually(
        async () =>
          api
            .output()
            .split('\n')
            .find((l) => l.includes('"context":"FastPath"') && l.includes('"request completed"') && l.includes('"statusCode":201')),
        10_000,
        'the access log line of the fast order',
      );
      expect(JSON.parse(line).principal).toEqual(expect.any(String));
      expect(api.output()).not.toContain(nid);
    });

    it('reads a body with a byte-order mark as body-parser does, and leaves a compressed body to Nest, which inflates it', async () => {
      const a = await unordered();
      const withBom = `\uFEFF${JSON.stringify({ nationalId: a.nid, professionCode: a.prof, cardType: 'CPS', reason: 'manual' })}`;
      const bom = await call('POST', '/api/v1/orders', 'op', withBom);
      expect([bom.status, await bom.text()]).toEqual([201, expect.any(String)]);
      const b = await unordered();
      const zipped = gzipSync(JSON.stringify({ nationalId: b.nid, professionCode: b.prof, cardType: 'CPS', reason: 'manual' }));
      const r = await fetch(`${api.url}/api/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.op}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: zipped,
      });
      expect(r.status).toBe(201);
      expect(((await r.json()) as { nationalId: string }).nationalId).toBe(b.nid);
    });
  });

  it('past AUTH_FAILURES_PER_MINUTE bad tokens: 429 for tokens never seen valid, a token seen valid is still checked and served', async () => {
    // Seen valid before the flood.
    expect((await call('GET', '/api/v1/jobs', 'op')).status).toBe(200);
    expect((await call('GET', '/api/v1/jobs', 'revoked')).status).toBe(200);
    const bad = () => `cps_${randomBytes(32).toString('base64url')}`;
    // One after the other (requests in flight at once are all looked up before any failure is counted);
    // twice the allowance of 5 is enough to pass it, and each 429 is held REFUSAL_DELAY_MS.
    const floodStatuses: number[] = [];
    for (let i = 0; i < 10; i++) floodStatuses.push((await call('GET', '/api/v1/jobs', bad())).status);
    // Earlier tests of this file may have spent part of the same minute's allowance of 5: at most 5 401s, then only 429s.
    const first429 = floodStatuses.indexOf(429);
    expect(first429).toBeGreaterThanOrEqual(0);
    expect(first429).toBeLessThanOrEqual(5);
    expect(floodStatuses).toEqual([...floodStatuses.slice(0, first429).map(() => 401), ...floodStatuses.slice(first429).map(() => 429)]);

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
