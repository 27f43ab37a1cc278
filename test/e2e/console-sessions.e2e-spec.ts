import { join } from 'node:path';
import { createConsoleUser, idleConsoleSessions, linkToken, signIn } from '../support/console-users';
import { createToken, Res } from '../support/http';
import { eventually, runCli, Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const PASSWORD = 'Une phrase de passe solide';
const MANUAL_ORDER = { nationalId: '810000000355', professionCode: '80', cardType: 'CPS', reason: 'manual' };

/**
 * Issue 12: people sign in to the console with personal accounts. Through the built CLI
 * (users:*) and API (/api/v1/session, a session cookie on the other routes).
 */
describe('console accounts and sessions, through the built CLI and API', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let adminToken: string;
  let operatorToken: string;

  /** A request with a session cookie (and a CSRF token when given), or a bearer token. */
  const send = (
    method: string,
    path: string,
    auth: { cookie?: string; csrf?: string; bearer?: string } = {},
    body?: unknown,
    url = api.url,
  ): Promise<Res> =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
        ...(auth.csrf ? { 'x-csrf-token': auth.csrf } : {}),
        ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const problem = async (r: Res) => ({ status: r.status, code: (await r.json()).code as string });
  const signInAs = (login: string, password: string) => send('POST', '/api/v1/session', {}, { login, password });

  beforeAll(async () => {
    db = await createTestDb('console-sessions');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('console-sessions') };
    // Access logs on: the test reads them for secrets.
    api = await startApi({ ...env, LOG_LEVEL: 'info' });
    adminToken = (await createToken(env, 'admin', 'Claire Martin')).token;
    operatorToken = (await createToken(env, 'operator', 'Bruno Petit')).token;
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  let link: string;
  let claire: { cookie: string; csrfToken: string };

  it('users:create prints a one-time set-password link of the console (roles repeated or comma-separated), refuses a second account', async () => {
    const r = await runCli(
      [
        'users:create',
        '--role',
        'operator,auditor',
        '--role',
        'helpdesk',
        '--name',
        'claire martin',
        '--email',
        'claire@example.fr',
        '--json',
      ],
      env,
    );
    expect(r.code).toBe(0);
    // The principal of the admin token: a name seen before is the same person.
    expect(r.json).toEqual({ principal: 'Claire Martin', setPasswordUrl: expect.any(String), linkExpiresAt: expect.any(String) });
    expect(r.json.setPasswordUrl).toMatch(/^http:\/\/localhost:3000\/console\/mot-de-passe#jeton=[A-Za-z0-9_-]{43}$/);
    link = linkToken(r.json.setPasswordUrl);

    const twice = await runCli(['users:create', '--role', 'auditor', '--name', 'Claire Martin', '--json'], env);
    expect(twice.code).toBe(2);
    expect(twice.json.error).toEqual({ code: 'user_exists', message: expect.stringContaining('users:reset-password') });
    const batch = await runCli(['users:create', '--role', 'batch', '--name', 'Someone Else', '--json'], env);
    expect(batch.code).toBe(2);
    expect(batch.json.error.code).toBe('validation_failed');

    const listed = await runCli(['users:list', '--json'], env);
    expect(listed.json.users).toEqual([
      {
        principal: 'Claire Martin',
        email: 'claire@example.fr',
        roles: ['operator', 'auditor', 'helpdesk'],
        createdAt: expect.any(String),
        lastLoginAt: null,
        lockedUntil: null,
        disabledAt: null,
      },
    ]);
  });

  it("sets the password through the link's token, once; a weak one is refused naming the rule", async () => {
    const weak = await send('POST', '/api/v1/session/password', {}, { token: link, password: 'court' });
    expect(weak.status).toBe(422);
    expect(await weak.json()).toEqual(expect.objectContaining({ code: 'weak_password', detail: expect.stringContaining('at least 12') }));
    expect(await problem(await send('POST', '/api/v1/session/password', {}, { token: link, password: 'CLAIRE MARTIN' }))).toEqual({
      status: 422,
      code: 'weak_password',
    });
    const set = await send('POST', '/api/v1/session/password', {}, { token: link, password: PASSWORD });
    expect(set.status).toBe(204);
    expect(await problem(await send('POST', '/api/v1/session/password', {}, { token: link, password: PASSWORD }))).toEqual({
      status: 400,
      code: 'invalid_password_link',
    });
    expect(await problem(await send('POST', '/api/v1/session/password', {}, { token: link, password: PASSWORD, extra: 1 }))).toEqual({
      status: 400,
      code: 'validation_failed',
    });
  });

  it('signs in by email with an HttpOnly, SameSite=Strict cookie, and GET /api/v1/session answers the same session', async () => {
    const r = await signInAs('Claire@Example.fr', PASSWORD);
    expect(r.status).toBe(200);
    const setCookie = r.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^cps_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/); // no Secure outside production
    const body = await r.json();
    expect(body).toEqual({
      principal: { id: expect.any(String), name: 'Claire Martin', email: 'claire@example.fr' },
      roles: ['operator', 'auditor', 'helpdesk'],
      csrfToken: expect.any(String),
      idleTimeoutSeconds: 900,
      expiresAt: expect.any(String),
    });
    claire = await signIn(api.url, 'CLAIRE MARTIN', PASSWORD);
    const current = await send('GET', '/api/v1/session', { cookie: claire.cookie });
    expect(current.status).toBe(200);
    expect(await current.json()).toEqual(
      expect.objectContaining({ csrfToken: claire.csrfToken, roles: ['operator', 'auditor', 'helpdesk'] }),
    );
    expect(await problem(await send('GET', '/api/v1/session'))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(await problem(await signInAs('Nobody Known', PASSWORD))).toEqual({ status: 401, code: 'invalid_credentials' });
    expect(
      await problem(await send('POST', '/api/v1/session', {}, { login: 'Claire Martin', password: PASSWORD, remember: true })),
    ).toEqual({
      status: 400,
      code: 'validation_failed',
    });
  });

  it('refuses a cookie-authenticated change without X-CSRF-Token (403 csrf_token_missing), with a wrong one (csrf_token_invalid), takes the right one', async () => {
    // POST /api/v1/orders is served before Nest (the fast path); the cancellation by Nest.
    const noToken = await send('POST', '/api/v1/orders', { cookie: claire.cookie }, MANUAL_ORDER);
    expect(await problem(noToken)).toEqual({ status: 403, code: 'csrf_token_missing' });
    const wrong = await send('POST', '/api/v1/orders', { cookie: claire.cookie, csrf: 'x'.repeat(43) }, MANUAL_ORDER);
    expect(await problem(wrong)).toEqual({ status: 403, code: 'csrf_token_invalid' });
    const made = await send('POST', '/api/v1/orders', { cookie: claire.cookie, csrf: claire.csrfToken }, MANUAL_ORDER);
    expect(made.status).toBe(201);
    const order = await made.json();
    expect(order).toEqual(expect.objectContaining({ status: 'requested', requestedBy: 'principal:Claire Martin' }));

    // Four eyes compare principals: Claire's own admin token cannot approve what her session asked for.
    const own = await send('POST', `/api/v1/orders/${order.id}/approve`, { bearer: adminToken });
    expect(await problem(own)).toEqual({ status: 403, code: 'approver_is_requester' });
    expect(await problem(await send('POST', `/api/v1/orders/${order.id}/cancel`, { cookie: claire.cookie }, { reason: 'test' }))).toEqual({
      status: 403,
      code: 'csrf_token_missing',
    });
    const cancelled = await send(
      'POST',
      `/api/v1/orders/${order.id}/cancel`,
      { cookie: claire.cookie, csrf: claire.csrfToken },
      { reason: 'test' },
    );
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).status).toBe('cancelled');
  });

  it('authenticates a request with a bearer token and a cookie by the token only (no CSRF token needed)', async () => {
    const helpdesk = await createConsoleUser(env, { name: 'Hugo Petit', roles: ['helpdesk'], password: PASSWORD });
    expect(helpdesk.principal).toBe('Hugo Petit');
    const hugo = await signIn(api.url, 'hugo petit', PASSWORD);
    // The helpdesk session alone may not order; with an operator's token beside it, the token decides, without CSRF.
    const both = await send('POST', '/api/v1/orders', { cookie: hugo.cookie, bearer: operatorToken }, MANUAL_ORDER);
    expect(both.status).toBe(201);
    expect((await both.json()).requestedBy).toBe('principal:Bruno Petit');
    expect((await send('GET', '/api/v1/orders', { cookie: hugo.cookie, bearer: operatorToken })).status).toBe(200);
    expect(await problem(await send('GET', '/api/v1/orders', { cookie: hugo.cookie, bearer: 'cps_not-a-token' }))).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
  });

  it("refuses a helpdesk session the orders (403), and serves it the helpdesk's routes", async () => {
    const hugo = await signIn(api.url, 'Hugo Petit', PASSWORD);
    expect(await problem(await send('GET', '/api/v1/orders', { cookie: hugo.cookie }))).toEqual({ status: 403, code: 'forbidden' });
    expect(await problem(await send('POST', '/api/v1/orders', { cookie: hugo.cookie, csrf: hugo.csrfToken }, MANUAL_ORDER))).toEqual({
      status: 403,
      code: 'forbidden',
    });
    expect((await send('GET', '/api/v1/professionals?name=a', { cookie: hugo.cookie })).status).toBe(200);
    expect((await send('GET', '/api/v1/cards/1000000009/status', { cookie: hugo.cookie })).status).toBe(200);
  });

  it('ends a session idle for SESSION_IDLE_MINUTES: an API whose clock reads 16 minutes on answers session_expired', async () => {
    const later = await startApi({ ...env, CLOCK_NOW: new Date(Date.now() + 16 * 60_000).toISOString() });
    try {
      const hugo = await signIn(api.url, 'Hugo Petit', PASSWORD);
      expect(await problem(await send('GET', '/api/v1/session', { cookie: hugo.cookie }, undefined, later.url))).toEqual({
        status: 401,
        code: 'session_expired',
      });
      expect(await problem(await send('GET', '/api/v1/professionals?name=a', { cookie: hugo.cookie }, undefined, later.url))).toEqual({
        status: 401,
        code: 'session_expired',
      });
      // Now (on the first API's clock) it has been idle for seconds only.
      expect((await send('GET', '/api/v1/session', { cookie: hugo.cookie })).status).toBe(200);
      // Signed in on the later clock, the session is fresh there.
      const fresh = await signIn(later.url, 'Hugo Petit', PASSWORD);
      expect((await send('GET', '/api/v1/session', { cookie: fresh.cookie }, undefined, later.url)).status).toBe(200);
      // The browser tests' way: the sessions' last use moved back 16 minutes, on the real-time API.
      expect(await idleConsoleSessions(env.DATABASE_URL, 'Hugo Petit', 16)).toBeGreaterThanOrEqual(2);
      expect(await problem(await send('GET', '/api/v1/session', { cookie: hugo.cookie }))).toEqual({
        status: 401,
        code: 'session_expired',
      });
    } finally {
      await later.stop();
    }
  });

  it('locks the account after 5 failed sign-ins (423, the right password too) until a new password is set through users:reset-password', async () => {
    await createConsoleUser(env, { name: 'Inès Garnier', roles: ['auditor'], password: PASSWORD });
    for (let i = 1; i <= 4; i++)
      expect(await problem(await signInAs('Inès Garnier', 'pas le bon mot de passe'))).toEqual({
        status: 401,
        code: 'invalid_credentials',
      });
    const locked = await signInAs('Inès Garnier', 'pas le bon mot de passe');
    expect(locked.status).toBe(423);
    expect(await locked.json()).toEqual(
      expect.objectContaining({ code: 'account_locked', detail: expect.stringContaining('unlocks in 15 minutes') }),
    );
    expect(await problem(await signInAs('Inès Garnier', PASSWORD))).toEqual({ status: 423, code: 'account_locked' });
    const listed = await runCli(['users:list', '--json'], env);
    expect(listed.json.users.find((u: { principal: string }) => u.principal === 'Inès Garnier').lockedUntil).not.toBeNull();

    const reset = await runCli(['users:reset-password', 'inès garnier', '--json'], env);
    expect(reset.code).toBe(0);
    expect(reset.json.principal).toBe('Inès Garnier');
    expect(
      (
        await send(
          'POST',
          '/api/v1/session/password',
          {},
          { token: linkToken(reset.json.setPasswordUrl), password: 'Un autre mot de passe' },
        )
      ).status,
    ).toBe(204);
    expect(await problem(await signInAs('Inès Garnier', PASSWORD))).toEqual({ status: 401, code: 'invalid_credentials' });
    expect((await signInAs('Inès Garnier', 'Un autre mot de passe')).status).toBe(200);
    const unknown = await runCli(['users:reset-password', 'Nobody Known', '--json'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.json.error.code).toBe('user_not_found');
  });

  it('signs out (with the CSRF token): the cookie is cleared and the session is gone', async () => {
    const s = await signIn(api.url, 'Claire Martin', PASSWORD);
    expect(await problem(await send('DELETE', '/api/v1/session', { cookie: s.cookie }))).toEqual({
      status: 403,
      code: 'csrf_token_missing',
    });
    const out = await send('DELETE', '/api/v1/session', { cookie: s.cookie, csrf: s.csrfToken });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe('cps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    expect(await problem(await send('GET', '/api/v1/session', { cookie: s.cookie }))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(await problem(await send('GET', '/api/v1/orders', { cookie: s.cookie }))).toEqual({ status: 401, code: 'unauthenticated' });
    // Nothing to end: still 204, the cookie cleared.
    expect((await send('DELETE', '/api/v1/session', { cookie: s.cookie })).status).toBe(204);
  });

  it("users:disable ends the sessions and revokes the person's tokens at once (a batch token of theirs stays); the account signs in no more", async () => {
    const s = await signIn(api.url, 'Claire Martin', PASSWORD);
    const machine = (await createToken(env, 'batch', 'Claire Martin')).token;
    const r = await runCli(['users:disable', 'Claire Martin', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ disabled: 'Claire Martin', disabledAt: expect.any(String), tokensRevoked: 1 });
    expect(await problem(await send('GET', '/api/v1/session', { cookie: s.cookie }))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(await problem(await signInAs('Claire Martin', PASSWORD))).toEqual({ status: 401, code: 'invalid_credentials' });
    // Her admin token is refused within the API's cache of tokens (5 seconds); the machine's batch token works on.
    await eventually(
      async () => (await send('GET', '/api/v1/orders', { bearer: adminToken })).status === 401,
      10_000,
      'the admin token refused',
    );
    expect((await send('GET', '/api/v1/jobs', { bearer: machine })).status).toBe(200);
    adminToken = (await createToken(env, 'admin', 'Denise Admin')).token;
  });

  it('writes no password, cookie secret, CSRF token or link token to the log or the audit trail, and audits each step', async () => {
    const s = await signIn(api.url, 'Inès Garnier', 'Un autre mot de passe');
    await send('GET', '/api/v1/session', { cookie: s.cookie });
    const log = api.output();
    expect(log).toContain('/api/v1/session');
    const entries = (await (await send('GET', '/api/v1/audit?entity=console_account&pageSize=1000', { bearer: adminToken })).json())
      .entries;
    const actions = new Set(entries.map((e: { action: string }) => e.action));
    for (const a of [
      'user.created',
      'user.link_issued',
      'user.password_set',
      'user.signed_in',
      'user.sign_in_refused',
      'user.locked',
      'user.signed_out',
      'user.disabled',
    ]) {
      expect(actions).toContain(a);
    }
    const trail = JSON.stringify(entries);
    for (const secret of [PASSWORD, 'Un autre mot de passe', 'pas le bon mot de passe', s.secret, s.csrfToken, claire.csrfToken, link]) {
      expect(log).not.toContain(secret);
      expect(trail).not.toContain(secret);
    }
  });
});
