import { newSecret } from '../../src/common/auth/session-cookie';
import { createConsoleUser, idleConsoleSessions, signIn } from '../support/console-users';
import { createToken, Res } from '../support/http';
import { Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const PASSWORD = 'Une phrase de passe solide';
const CLEARED = '__Host-cps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure';

/**
 * The console's sign-in and session cookie after their security review, through the built API:
 * the `__Host-` cookie where it is Secure, two cookies refused, stale cookies cleared without
 * costing the address its budget, sign-out within that budget, no answer of /api/v1 kept in a
 * cache, and a flood of sign-ins refused with 503 too_busy rather than queued without end.
 */
describe('the console session, hardened (node dist/src/main.js)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  /** Secure cookie, and a budget of 4 failed authentications a minute for this machine's address. */
  let api: Service & { url: string };
  let operatorToken: string;

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown, url = api.url): Promise<Res> =>
    fetch(`${url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const problem = async (r: Res) => ({ status: r.status, code: (await r.json()).code as string });
  const cookie = (secret: string) => ({ cookie: `__Host-cps_session=${secret}` });

  beforeAll(async () => {
    db = await createTestDb('console-hardening');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('console-hardening') };
    api = await startApi({ ...env, SESSION_COOKIE_SECURE: 'true', AUTH_FAILURES_PER_MINUTE: '4' });
    await createConsoleUser(env, { name: 'Claire Martin', roles: ['operator'], password: PASSWORD });
    await createConsoleUser(env, { name: 'Hugo Petit', roles: ['helpdesk'], password: PASSWORD });
    operatorToken = (await createToken(env, 'operator', 'Bruno Petit')).token;
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('sets a Secure cookie under the __Host- prefix, and reads that name only', async () => {
    const r = await send('POST', '/api/v1/session', {}, { login: 'Claire Martin', password: PASSWORD });
    expect(r.status).toBe(200);
    const m = /^__Host-cps_session=([A-Za-z0-9_-]{43}); HttpOnly; SameSite=Strict; Path=\/; Secure$/.exec(
      r.headers.get('set-cookie') ?? '',
    );
    expect(m).not.toBeNull();
    const secret = (m as RegExpExecArray)[1];
    expect((await send('GET', '/api/v1/session', cookie(secret))).status).toBe(200);
    expect((await send('GET', '/api/v1/orders', cookie(secret))).status).toBe(200);
    const plain = await send('GET', '/api/v1/session', { cookie: `cps_session=${secret}` });
    expect(await problem(plain)).toEqual({ status: 401, code: 'unauthenticated' });
  });

  it('refuses a request carrying two session cookies, clearing the cookie, on every route', async () => {
    const claire = await signIn(api.url, 'Claire Martin', PASSWORD);
    const hugo = await signIn(api.url, 'Hugo Petit', PASSWORD);
    const both = { cookie: `${claire.cookie}; ${hugo.cookie}` };
    for (const [method, path] of [
      ['GET', '/api/v1/session'],
      ['GET', '/api/v1/professionals?name=lef'],
      ['GET', '/api/v1/cards/2900001260/status'], // the fast path
      ['DELETE', '/api/v1/session'],
    ]) {
      const r = await send(method, path, both);
      expect([path, await problem(r)]).toEqual([path, { status: 401, code: 'unauthenticated' }]);
      expect([path, r.headers.get('set-cookie')]).toEqual([path, CLEARED]);
    }
    // Each session alone is still good: neither was ended.
    expect((await send('GET', '/api/v1/session', { cookie: claire.cookie })).status).toBe(200);
    expect((await send('GET', '/api/v1/session', { cookie: hugo.cookie })).status).toBe(200);
  });

  it('ends the session named by the cookie a sign-in carries', async () => {
    const hugo = await signIn(api.url, 'Hugo Petit', PASSWORD);
    const r = await send('POST', '/api/v1/session', { cookie: hugo.cookie }, { login: 'Claire Martin', password: PASSWORD });
    expect(r.status).toBe(200);
    expect(await problem(await send('GET', '/api/v1/session', { cookie: hugo.cookie }))).toEqual({ status: 401, code: 'unauthenticated' });
  });

  it('clears a stale cookie (a session unknown, ended or expired) with its 401 on every route, without counting it against the address', async () => {
    // More stale cookies than the budget of 4: none of them is a guess.
    for (let i = 0; i < 3; i++) {
      for (const [method, path] of [
        ['GET', '/api/v1/session'],
        ['GET', '/api/v1/orders'],
        ['GET', '/api/v1/cards/2900001260/status'],
      ]) {
        const r = await send(method, path, cookie(newSecret()));
        expect([path, await problem(r)]).toEqual([path, { status: 401, code: 'unauthenticated' }]);
        expect([path, r.headers.get('set-cookie')]).toEqual([path, CLEARED]);
      }
    }
    const hugo = await signIn(api.url, 'Hugo Petit', PASSWORD);
    expect(await idleConsoleSessions(env.DATABASE_URL, 'Hugo Petit', 16)).toBeGreaterThanOrEqual(1);
    for (const path of ['/api/v1/session', '/api/v1/professionals?name=lef']) {
      const r = await send('GET', path, { cookie: hugo.cookie });
      expect([path, await problem(r)]).toEqual([path, { status: 401, code: 'session_expired' }]);
      expect([path, r.headers.get('set-cookie')]).toEqual([path, CLEARED]);
    }
    // Still within its budget: a sign-in from this address is served.
    expect((await signIn(api.url, 'Claire Martin', PASSWORD)).secret).toHaveLength(43);
  });

  it('answers every /api/v1 request with Cache-Control: no-store, errors and the fast path included', async () => {
    const claire = await signIn(api.url, 'Claire Martin', PASSWORD);
    const answers: Array<[string, Res]> = [
      ['GET /api/v1/session', await send('GET', '/api/v1/session', { cookie: claire.cookie })],
      ['GET /api/v1/session 401', await send('GET', '/api/v1/session')],
      ['GET /api/v1/orders', await send('GET', '/api/v1/orders', { authorization: `Bearer ${operatorToken}` })],
      ['GET /api/v1/search 400', await send('GET', '/api/v1/search?q=a', { authorization: `Bearer ${operatorToken}` })],
      ['GET /api/v1/nothing 404', await send('GET', '/api/v1/nothing', { authorization: `Bearer ${operatorToken}` })],
      ['POST /api/v1/session 400', await send('POST', '/api/v1/session', {}, { login: 'x' })],
      ['GET status (fast path)', await send('GET', '/api/v1/cards/2900001260/status', { authorization: `Bearer ${operatorToken}` })],
    ];
    expect(answers.map(([what, r]) => [what, r.headers.get('cache-control')])).toEqual(answers.map(([what]) => [what, 'no-store']));
    expect(answers.map(([what, r]) => [what, r.status])).toEqual([
      ['GET /api/v1/session', 200],
      ['GET /api/v1/session 401', 401],
      ['GET /api/v1/orders', 200],
      ['GET /api/v1/search 400', 400],
      ['GET /api/v1/nothing 404', 404],
      ['POST /api/v1/session 400', 400],
      ['GET status (fast path)', 200],
    ]);
  });

  it("signs out within the address's budget: past it, 429 for a cookie never seen valid, and a live session still signs out", async () => {
    const claire = await signIn(api.url, 'Claire Martin', PASSWORD);
    // Malformed cookies are guesses: they count, as on any route.
    for (let i = 0; i < 4; i++) expect((await send('DELETE', '/api/v1/session', { cookie: '__Host-cps_session=guess' })).status).toBe(204);
    expect(await problem(await send('DELETE', '/api/v1/session', cookie(newSecret())))).toEqual({ status: 429, code: 'too_many_requests' });
    const out = await send('DELETE', '/api/v1/session', { cookie: claire.cookie, 'x-csrf-token': claire.csrfToken });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe(CLEARED);
  });

  describe('a flood of sign-ins', () => {
    let busy: Service & { url: string };
    beforeAll(async () => {
      busy = await startApi({ ...env, AUTH_FAILURES_PER_MINUTE: '1000' });
    });
    afterAll(async () => busy?.stop());

    it('checks a few passwords at a time, queues a few dozen, and refuses the rest at once with 503 too_busy and Retry-After', async () => {
      const answers = await Promise.all(
        Array.from({ length: 150 }, (_, i) =>
          send('POST', '/api/v1/session', {}, { login: `nobody-${i}`, password: 'not a password' }, busy.url).then(async (r) => ({
            status: r.status,
            code: (await r.json()).code as string,
            retryAfter: r.headers.get('retry-after'),
          })),
        ),
      );
      const refused = answers.filter((a) => a.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((a) => a.code === 'too_busy' && a.retryAfter === '2')).toBe(true);
      expect(answers.filter((a) => a.status !== 503).every((a) => a.code === 'invalid_credentials')).toBe(true);
      expect(answers.filter((a) => a.code === 'invalid_credentials').length).toBeGreaterThanOrEqual(34);
      // The API is not left behind: a sign-in a moment later is served.
      expect((await signIn(busy.url, 'Hugo Petit', PASSWORD)).secret).toHaveLength(43);
    });
  });
});
