import { authorize } from '../../src/common/auth/auth.guard';
import { AuthFailures } from '../../src/common/auth/auth-failures';
import { ConsoleAccountsService } from '../../src/common/auth/console-accounts.service';
import { ConsoleSessionsService } from '../../src/common/auth/console-sessions.service';
import { PasswordChecks } from '../../src/common/auth/password-checks';
import { newSecret } from '../../src/common/auth/session-cookie';
import { TokensService } from '../../src/common/auth/tokens.service';
import { Clock } from '../../src/common/clock/clock';
import { AppConfig } from '../../src/common/config/config';
import { openContext, TestContext, testConfig } from '../support/context';

const PASSWORD = 'correct horse battery';
const WRONG = 'not the password at all';
const tokenOf = (url: string) => url.split('#jeton=')[1];

/** What a sign-in came to: 200, or the status, code and detail of its refusal. */
type Answer = { status: number; code?: string; detail?: string };

/**
 * Sign-ins under attack (the security review of the console's sign-in): bursts of parallel
 * guesses, logins that name no account, the budget of an address, the audit trail a flood
 * leaves, and the sessions' roles and stale cookies on the other routes.
 */
describe('console sign-in under attack', () => {
  let ctx: TestContext;
  let cfg: AppConfig;
  const accounts = () => new ConsoleAccountsService(ctx.ds, ctx.audit, cfg, Clock.system());
  const sessionsWith = (o: { checks?: PasswordChecks; failures?: AuthFailures; c?: AppConfig } = {}) =>
    new ConsoleSessionsService(
      ctx.ds,
      ctx.audit,
      o.failures ?? new AuthFailures(o.c ?? cfg),
      o.c ?? cfg,
      Clock.system(),
      o.checks ?? new PasswordChecks({ inFlight: 64, queue: 64 }),
    );
  const answer = (p: Promise<unknown>): Promise<Answer> =>
    p.then(
      () => ({ status: 200 }),
      (e: { status: number; code: string; message: string }) => ({ status: e.status, code: e.code, detail: e.message }),
    );
  /** An account with its password set, and optionally no password (link not used) or disabled. */
  async function person(name: string, o: { roles?: string[]; password?: boolean; disabled?: boolean } = {}) {
    const made = await accounts().create({ roles: o.roles ?? ['operator'], name }, 'test');
    if (o.password !== false) await accounts().setPassword(tokenOf(made.setPasswordUrl), PASSWORD);
    if (o.disabled) await accounts().disable(name, 'test');
    const [{ principal_id }] = await ctx.ds.query(`SELECT id AS principal_id FROM principal WHERE name = $1`, [name]);
    return principal_id as string;
  }
  const auditOf = async (principalId: string) =>
    (
      await ctx.ds.query(`SELECT action, details FROM audit_log WHERE entity = 'console_account' AND entity_id = $1 ORDER BY id`, [
        principalId,
      ])
    ).filter((e: { action: string }) => e.action.startsWith('user.sign') || e.action === 'user.locked') as Array<{
      action: string;
      details: Record<string, unknown>;
    }>;

  beforeAll(async () => {
    ctx = await openContext('console-sign-in');
    cfg = testConfig({ AUTH_FAILURES_PER_MINUTE: '1000' });
  });
  afterAll(async () => ctx.close());

  describe('a burst of parallel guesses', () => {
    it('checks at most LOGIN_MAX_FAILURES passwords per lock, and never tells the right one once locked', async () => {
      const id = await person('Agathe Brun');
      const checks = new PasswordChecks({ inFlight: 64, queue: 64 });
      const sessions = sessionsWith({ checks });
      const guesses = Array.from({ length: 20 }, (_, i) => answer(sessions.signIn('Agathe Brun', `${WRONG} ${i}`, `198.51.100.${i}`)));
      const right = answer(sessions.signIn('Agathe Brun', PASSWORD, '198.51.100.99'));
      const wrong = await Promise.all(guesses);
      const rightAnswer = await right;

      expect(checks.ran.verified).toBeLessThanOrEqual(cfg.LOGIN_MAX_FAILURES);
      expect(checks.ran.verified + checks.ran.spent).toBe(21); // every attempt spent one check
      expect(wrong.filter((a) => a.status === 401).length).toBeLessThanOrEqual(cfg.LOGIN_MAX_FAILURES - 1);
      expect(wrong.every((a) => a.code === 'invalid_credentials' || a.code === 'account_locked')).toBe(true);
      // The right password got through within the attempts allowed, or was refused as the guesses past them were.
      expect([200, 423]).toContain(rightAnswer.status);
      if (rightAnswer.status === 423) expect(rightAnswer).toEqual(wrong.find((a) => a.status === 423));

      if (rightAnswer.status === 200) return; // not locked: nothing more to see (rare: the right one is started last)
      // Once locked, the right password and a wrong one answer alike, without a check of either.
      const before = { ...checks.ran };
      const [a, b] = [
        await answer(sessions.signIn('Agathe Brun', PASSWORD, 'c')),
        await answer(sessions.signIn('Agathe Brun', WRONG, 'c')),
      ];
      expect(a).toEqual(b);
      expect(a).toEqual(expect.objectContaining({ status: 423, code: 'account_locked' }));
      expect(checks.ran).toEqual({ verified: before.verified, spent: before.spent + 2 });
      // The trail: the refusals before the lock, then one entry for the lock itself; none while locked.
      const trail = await auditOf(id);
      expect(trail.filter((e) => e.action === 'user.locked')).toEqual([
        { action: 'user.locked', details: expect.objectContaining({ failedAttempts: cfg.LOGIN_MAX_FAILURES, reason: 'wrong password' }) },
      ]);
      expect(trail.filter((e) => e.action === 'user.sign_in_refused').length).toBe(cfg.LOGIN_MAX_FAILURES - 1);
    });

    it('lets the right password through within the attempts allowed, and starts the count again', async () => {
      await person('Basile Roche');
      const checks = new PasswordChecks({ inFlight: 64, queue: 64 });
      const sessions = sessionsWith({ checks });
      const answers = await Promise.all([
        ...Array.from({ length: 3 }, () => answer(sessions.signIn('Basile Roche', WRONG, 'c'))),
        answer(sessions.signIn('Basile Roche', PASSWORD, 'c')),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401]);
      expect(checks.ran.verified).toBe(4);
      const [{ failed_attempts, locked_until }] = await ctx.ds.query(
        `SELECT a.failed_attempts, a.locked_until FROM console_account a JOIN principal p ON p.id = a.principal_id WHERE p.name = 'Basile Roche'`,
      );
      expect(locked_until).toBeNull();
      expect(failed_attempts).toBeLessThan(cfg.LOGIN_MAX_FAILURES);
    });
  });

  describe('a locked account', () => {
    it('writes no audit entry for a refusal while locked, however many', async () => {
      const id = await person('Céline Vidal');
      const sessions = sessionsWith();
      for (let i = 0; i < cfg.LOGIN_MAX_FAILURES; i++) await answer(sessions.signIn('Céline Vidal', WRONG, 'c'));
      const trail = await auditOf(id);
      expect(trail.map((e) => e.action)).toEqual([...Array(cfg.LOGIN_MAX_FAILURES - 1).fill('user.sign_in_refused'), 'user.locked']);
      expect(trail[trail.length - 1].details).toEqual(
        expect.objectContaining({ failedAttempts: cfg.LOGIN_MAX_FAILURES, client: 'c', lockedUntil: expect.any(String) }),
      );
      const before = (await ctx.ds.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n;
      const refused = await Promise.all(Array.from({ length: 10 }, () => answer(sessions.signIn('Céline Vidal', PASSWORD, 'c'))));
      expect(new Set(refused.map((a) => a.code))).toEqual(new Set(['account_locked']));
      expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n).toBe(before);
    });
  });

  describe('a login that names no account', () => {
    /** The answers to LOGIN_MAX_FAILURES + 2 sign-ins in a row (the last one with the account's password). */
    const run = async (sessions: ConsoleSessionsService, login: string) => {
      const out: Answer[] = [];
      for (let i = 0; i < cfg.LOGIN_MAX_FAILURES + 1; i++) out.push(await answer(sessions.signIn(login, WRONG, 'c')));
      out.push(await answer(sessions.signIn(login, PASSWORD, 'c')));
      return out.map((a) => ({ status: a.status, code: a.code, detail: a.detail }));
    };

    it('answers as an account does at every step, locked after LOGIN_MAX_FAILURES; so do an account without a password and a disabled one', async () => {
      await person('Denis Faure');
      await person('Eva Noël', { password: false });
      await person('Fabien Roy', { disabled: true });
      const checks = new PasswordChecks({ inFlight: 64, queue: 64 });
      const sessions = sessionsWith({ checks });
      const known = await run(sessions, 'Denis Faure');
      expect(known.map((a) => a.status)).toEqual([401, 401, 401, 401, 423, 423, 423]);
      for (const login of ['Nobody Known', 'Eva Noël', 'Fabien Roy']) expect([login, await run(sessions, login)]).toEqual([login, known]);
      // One check per attempt, real only for the account with a password before its lock.
      expect(checks.ran).toEqual({ verified: cfg.LOGIN_MAX_FAILURES, spent: 4 * 7 - cfg.LOGIN_MAX_FAILURES });
      // Another login: its own count.
      expect((await answer(sessions.signIn('Someone Else', WRONG, 'c'))).status).toBe(401);
    });
  });

  describe('the limits of a process and of an address', () => {
    it('checks at most `inFlight` passwords at once, queues `queue` more, and refuses the rest with 503 too_busy and Retry-After', async () => {
      const checks = new PasswordChecks({ inFlight: 1, queue: 2 });
      const sessions = sessionsWith({ checks });
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          sessions.signIn(`Nobody ${i}`, WRONG, `192.0.2.${i}`).then(
            () => null,
            (e: { status: number; code: string; headers?: Record<string, string> }) => e,
          ),
        ),
      );
      expect(answers.filter((e) => e?.code === 'invalid_credentials')).toHaveLength(3);
      const busy = answers.filter((e) => e?.code === 'too_busy');
      expect(busy).toHaveLength(3);
      expect(busy[0]).toEqual(expect.objectContaining({ status: 503, headers: { 'Retry-After': '2' } }));
      expect(checks.ran.spent).toBe(3);
    });

    it("counts sign-ins under way in the address's budget: a burst meets it before its checks end", async () => {
      const tight = testConfig({ AUTH_FAILURES_PER_MINUTE: '3' });
      const failures = new AuthFailures(tight);
      const sessions = sessionsWith({ failures, c: tight });
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => answer(sessions.signIn(`Nobody ${i}`, WRONG, '203.0.113.50'))));
      expect(answers.map((a) => a.code).sort()).toEqual([
        'invalid_credentials',
        'invalid_credentials',
        'invalid_credentials',
        'too_many_requests',
        'too_many_requests',
        'too_many_requests',
      ]);
    });
  });

  describe('sessions on the other routes', () => {
    const check = (sessions: ConsoleSessionsService, failures: AuthFailures, client = '203.0.113.60') => ({
      tokens: new TokensService(ctx.ds, ctx.audit),
      sessions,
      failures,
      client,
    });
    const withCookie = (secret: string, method = 'GET') => ({ method, headers: { cookie: `cps_session=${secret}` } });

    it('acts as the first role allowed in a fixed order (operator, helpdesk, auditor, then admin), not the order the account lists them in', async () => {
      await person('Gaëlle Marchand', { roles: ['auditor', 'helpdesk', 'operator'] });
      await person('Hervé Lucas', { roles: ['admin', 'auditor'] });
      const failures = new AuthFailures(cfg);
      const sessions = sessionsWith({ failures });
      const gaelle = (await sessions.signIn('Gaëlle Marchand', PASSWORD, 'c')).secret;
      const herve = (await sessions.signIn('Hervé Lucas', PASSWORD, 'c')).secret;
      const roleOn = async (secret: string, roles: Parameters<typeof authorize>[2]) =>
        (await authorize(check(sessions, failures), withCookie(secret), roles)).role;
      expect(await roleOn(gaelle, ['auditor', 'operator'])).toBe('operator');
      expect(await roleOn(gaelle, ['auditor', 'helpdesk'])).toBe('helpdesk');
      expect(await roleOn(gaelle, ['auditor'])).toBe('auditor');
      expect(await roleOn(herve, ['auditor', 'operator'])).toBe('auditor');
      expect(await roleOn(herve, ['operator'])).toBe('admin');
    });

    it('refuses a stale cookie with 401 clearing it, without counting it against the address; a malformed one counts', async () => {
      const tight = testConfig({ AUTH_FAILURES_PER_MINUTE: '2' });
      const failures = new AuthFailures(tight);
      const sessions = sessionsWith({ failures, c: tight });
      for (let i = 0; i < 5; i++) {
        await expect(authorize(check(sessions, failures), withCookie(newSecret()), ['operator'])).rejects.toMatchObject({
          status: 401,
          code: 'unauthenticated',
          headers: { 'Set-Cookie': 'cps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0' },
        });
      }
      expect(failures.isOver('203.0.113.60')).toBe(false);
      for (let i = 0; i < 2; i++)
        await expect(authorize(check(sessions, failures), withCookie('not-a-secret'), ['operator'])).rejects.toMatchObject({ status: 401 });
      expect(failures.isOver('203.0.113.60')).toBe(true);
    });

    it('refuses a request carrying two session cookies, clearing the cookie', async () => {
      const failures = new AuthFailures(cfg);
      const sessions = sessionsWith({ failures });
      const live = (await sessions.signIn('Gaëlle Marchand', PASSWORD, 'c')).secret;
      const twice = { method: 'GET', headers: { cookie: `cps_session=${live}; cps_session=${newSecret()}` } };
      await expect(authorize(check(sessions, failures), twice, ['operator'])).rejects.toMatchObject({
        status: 401,
        code: 'unauthenticated',
        message: expect.stringContaining('two session cookies'),
        headers: { 'Set-Cookie': expect.stringMatching(/^cps_session=; .*Max-Age=0/) },
      });
      expect((await authorize(check(sessions, failures), withCookie(live), ['operator'])).name).toBe('Gaëlle Marchand');
    });

    it('reads the cookie as __Host-cps_session when it is Secure, and that name only', async () => {
      const secure = testConfig({ AUTH_FAILURES_PER_MINUTE: '1000', SESSION_COOKIE_SECURE: 'true' });
      const failures = new AuthFailures(secure);
      const sessions = sessionsWith({ failures, c: secure });
      const live = (await sessions.signIn('Gaëlle Marchand', PASSWORD, 'c')).secret;
      expect(sessions.cookie.set(live)).toBe(`__Host-cps_session=${live}; HttpOnly; SameSite=Strict; Path=/; Secure`);
      const as = (cookie: string) => authorize(check(sessions, failures), { method: 'GET', headers: { cookie } }, ['operator']);
      expect((await as(`__Host-cps_session=${live}`)).name).toBe('Gaëlle Marchand');
      await expect(as(`cps_session=${live}`)).rejects.toMatchObject({
        status: 401,
        message: expect.stringContaining('missing bearer token'),
      });
    });
  });
});
