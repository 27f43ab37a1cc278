import { AuthFailures } from '../../src/common/auth/auth-failures';
import { ConsoleAccountsService } from '../../src/common/auth/console-accounts.service';
import { ConsoleSessionsService } from '../../src/common/auth/console-sessions.service';
import { PasswordChecks } from '../../src/common/auth/password-checks';
import { csrfTokenOf, secretHash } from '../../src/common/auth/session-cookie';
import { TokensService } from '../../src/common/auth/tokens.service';
import { Clock } from '../../src/common/clock/clock';
import { AppConfig } from '../../src/common/config/config';
import { openContext, TestContext, testConfig } from '../support/context';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A clock reading T0 + `ms` now (and running on from there). */
const at = (ms: number) => Clock.startingAt(new Date(T0 + ms));
const tokenOf = (url: string) => url.split('#jeton=')[1];
const PASSWORD = 'correct horse battery';

describe('console accounts and sessions', () => {
  let ctx: TestContext;
  let cfg: AppConfig;
  const accounts = (clock = at(0), c: AppConfig = cfg) => new ConsoleAccountsService(ctx.ds, ctx.audit, c, clock);
  const sessions = (clock = at(0), c: AppConfig = cfg, failures = new AuthFailures(c)) =>
    new ConsoleSessionsService(ctx.ds, ctx.audit, failures, c, clock, new PasswordChecks());

  /** A person's account with its password set (through its link, as the console does). */
  async function person(name: string, roles: string[] = ['operator'], email?: string, clock = at(0)) {
    const made = await accounts(clock).create({ roles, name, email }, 'test');
    await accounts(clock).setPassword(tokenOf(made.setPasswordUrl), PASSWORD);
    return made;
  }
  const account = async (name: string) =>
    (
      await ctx.ds.query(`SELECT a.* FROM console_account a JOIN principal p ON p.id = a.principal_id WHERE lower(p.name) = lower($1)`, [
        name,
      ])
    )[0];
  const sessionsOf = async (name: string) =>
    (
      await ctx.ds.query(
        `SELECT count(*)::int AS n FROM console_session s JOIN principal p ON p.id = s.principal_id WHERE lower(p.name) = lower($1)`,
        [name],
      )
    )[0].n;

  beforeAll(async () => {
    ctx = await openContext('console-sessions');
    cfg = testConfig();
  });
  afterAll(async () => ctx.close());

  describe(ConsoleAccountsService.name, () => {
    it('makes an account with its roles and a one-time link to the console, keeping only the hash of its token', async () => {
      const made = await accounts().create(
        { roles: ['operator', 'auditor', 'operator'], name: 'Claire Martin', email: 'claire@example.fr' },
        'test',
      );
      expect(made.principal).toBe('Claire Martin');
      expect(made.setPasswordUrl).toMatch(/^http:\/\/localhost:3000\/console\/mot-de-passe#jeton=[A-Za-z0-9_-]{43}$/);
      expect(made.linkExpiresAt.getTime()).toBeGreaterThanOrEqual(T0 + 72 * HOUR);
      expect(made.linkExpiresAt.getTime()).toBeLessThan(T0 + 72 * HOUR + MINUTE);
      const row = await account('claire martin');
      expect(row).toEqual(
        expect.objectContaining({
          roles: ['operator', 'auditor'],
          email: 'claire@example.fr',
          password_hash: null,
          password_link_hash: secretHash(tokenOf(made.setPasswordUrl)),
          failed_attempts: 0,
        }),
      );
      expect(JSON.stringify(await ctx.ds.query(`SELECT * FROM console_account`))).not.toContain(tokenOf(made.setPasswordUrl));
    });

    it('gives the account to the principal of a name seen before, whatever its case, and to persons only', async () => {
      const tokens = new TokensService(ctx.ds, ctx.audit);
      await tokens.create({ role: 'operator', principal: 'Bruno Petit' }, 'test');
      await tokens.create({ role: 'batch', principal: 'nightly-feed' }, 'test');
      expect((await accounts().create({ roles: ['helpdesk'], name: 'bruno petit' }, 'test')).principal).toBe('Bruno Petit');
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM principal WHERE lower(name) = 'bruno petit'`);
      expect(n).toBe(1);
      await expect(accounts().create({ roles: ['auditor'], name: 'nightly-feed' }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('is a system account'),
      });
    });

    it('refuses batch, unknown roles, a bad name or email, naming each problem, and makes nothing', async () => {
      const before = await ctx.ds.query(`SELECT count(*)::int AS n FROM principal`);
      await expect(accounts().create({ roles: ['batch', 'root'], name: ' ', email: 'nope' }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/batch is for machines.*unknown role "root".*name:.*email:/),
      });
      await expect(accounts().create({ roles: [], name: 'Denis Roy' }, 'test')).rejects.toMatchObject({ code: 'validation_failed' });
      expect(await ctx.ds.query(`SELECT count(*)::int AS n FROM principal`)).toEqual(before);
    });

    it('refuses a second account for one person (user_exists), and an email that is already a login', async () => {
      await expect(accounts().create({ roles: ['auditor'], name: 'CLAIRE MARTIN' }, 'test')).rejects.toMatchObject({
        code: 'user_exists',
        message: expect.stringContaining('users:reset-password'),
      });
      await expect(accounts().create({ roles: ['auditor'], name: 'Emma Leroy', email: 'Claire@Example.fr' }, 'test')).rejects.toMatchObject(
        {
          code: 'validation_failed',
          message: expect.stringContaining('already the login of "Claire Martin"'),
        },
      );
      await expect(accounts().create({ roles: ['auditor'], name: 'Emma Leroy', email: 'bruno petit' }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
      });
      await expect(accounts().create({ roles: ['auditor'], name: 'claire@example.fr' }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('is the email of the console account of "Claire Martin"'),
      });
    });

    it('sets a password through the link once, naming the rule a weak one breaks (the link still usable then)', async () => {
      const made = await accounts().create({ roles: ['operator'], name: 'Farid Benali', email: 'farid@example.fr' }, 'test');
      const token = tokenOf(made.setPasswordUrl);
      await expect(accounts().setPassword(token, 'short')).rejects.toMatchObject({
        code: 'weak_password',
        status: 422,
        message: expect.stringContaining('at least 12 characters'),
      });
      await expect(accounts().setPassword(token, 'FARID@example.fr')).rejects.toMatchObject({ code: 'weak_password' });
      await expect(accounts().setPassword(token, 'farid benali')).rejects.toMatchObject({ code: 'weak_password' });
      await accounts().setPassword(token, PASSWORD);
      const row = await account('Farid Benali');
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_link_hash).toBeNull();
      await expect(accounts().setPassword(token, 'another good password')).rejects.toMatchObject({
        code: 'invalid_password_link',
        status: 400,
      });
      await expect(accounts().setPassword('x'.repeat(43), PASSWORD)).rejects.toMatchObject({ code: 'invalid_password_link' });
      await expect(accounts().setPassword('not even a token', PASSWORD)).rejects.toMatchObject({ code: 'invalid_password_link' });
    });

    it('refuses a link past USER_LINK_HOURS', async () => {
      const made = await accounts().create({ roles: ['operator'], name: 'Gilles Morel' }, 'test');
      await expect(accounts(at(72 * HOUR + MINUTE)).setPassword(tokenOf(made.setPasswordUrl), PASSWORD)).rejects.toMatchObject({
        code: 'invalid_password_link',
      });
      await accounts(at(71 * HOUR)).setPassword(tokenOf(made.setPasswordUrl), PASSWORD);
    });

    it('resets a password with a new link: the old link, the password and the sessions stop working', async () => {
      const first = await accounts().create({ roles: ['operator'], name: 'Hélène Blanc' }, 'test');
      const staleLink = tokenOf(first.setPasswordUrl);
      const second = await accounts().resetPassword('hélène blanc', 'test');
      await expect(accounts().setPassword(staleLink, PASSWORD)).rejects.toMatchObject({ code: 'invalid_password_link' });
      await accounts().setPassword(tokenOf(second.setPasswordUrl), PASSWORD);
      const { secret } = await sessions().signIn('Hélène Blanc', PASSWORD, 'test-client');
      const third = await accounts().resetPassword('Hélène Blanc', 'test');
      expect(await sessions().check(secret)).toBe('unknown');
      await expect(sessions().signIn('Hélène Blanc', PASSWORD, 'test-client')).rejects.toMatchObject({ code: 'invalid_credentials' });
      await accounts().setPassword(tokenOf(third.setPasswordUrl), 'a brand new password');
      expect((await sessions().signIn('Hélène Blanc', 'a brand new password', 'test-client')).session.principal.name).toBe('Hélène Blanc');
      await expect(accounts().resetPassword('Nobody Here', 'test')).rejects.toMatchObject({ code: 'user_not_found' });
    });

    it("disables an account: its sessions end and its person's tokens are revoked at once, it signs in and sets a password no more", async () => {
      const made = await accounts().create({ roles: ['helpdesk'], name: 'Inès Garnier' }, 'test');
      const tokens = new TokensService(ctx.ds, ctx.audit);
      const own = await Promise.all(
        ['helpdesk', 'auditor', 'admin'].map((role) => tokens.create({ role, principal: 'Inès Garnier' }, 'test')),
      );
      const machine = await tokens.create({ role: 'batch', principal: 'Inès Garnier' }, 'test');
      await accounts().setPassword(tokenOf(made.setPasswordUrl), PASSWORD);
      const { secret } = await sessions().signIn('Inès Garnier', PASSWORD, 'test-client');
      const again = await accounts().resetPassword('Inès Garnier', 'test');
      await accounts().setPassword(tokenOf(again.setPasswordUrl), PASSWORD);
      const s2 = await sessions().signIn('Inès Garnier', PASSWORD, 'test-client');
      const d = await accounts().disable('inès garnier', 'host:root@desk');
      expect(d).toEqual({ disabled: 'Inès Garnier', disabledAt: expect.any(Date), tokensRevoked: 3 });
      for (const t of own) expect(await new TokensService(ctx.ds, ctx.audit).verify(t.token)).toBeNull();
      expect(await new TokensService(ctx.ds, ctx.audit).verify(machine.token)).toEqual(expect.objectContaining({ role: 'batch' }));
      const [disabled] = await ctx.ds.query(`SELECT details FROM audit_log WHERE action = 'user.disabled' ORDER BY id DESC LIMIT 1`);
      expect(disabled.details).toEqual({ sessionsEnded: 1, tokensRevoked: 3 });
      const revoked = await ctx.ds.query(`SELECT entity_id FROM audit_log WHERE action = 'token.revoked' AND actor = 'host:root@desk'`);
      expect(revoked.map((r: { entity_id: string }) => r.entity_id).sort()).toEqual(own.map((t) => t.id).sort());
      expect(await sessions().check(secret)).toBe('unknown');
      expect(await sessions().check(s2.secret)).toBe('unknown');
      expect(await sessionsOf('Inès Garnier')).toBe(0);
      await expect(sessions().signIn('Inès Garnier', PASSWORD, 'test-client')).rejects.toMatchObject({
        code: 'invalid_credentials',
        status: 401,
      });
      expect(await accounts().disable('Inès Garnier', 'test')).toEqual({ ...d, tokensRevoked: 0 });
      await expect(accounts().resetPassword('Inès Garnier', 'test')).rejects.toMatchObject({ code: 'user_disabled' });
      const listed = (await accounts().list()).find((u) => u.principal === 'Inès Garnier');
      expect(listed).toEqual(expect.objectContaining({ roles: ['helpdesk'], disabledAt: d.disabledAt, lockedUntil: null }));
      expect(listed?.lastLoginAt).not.toBeNull();
    });
  });

  describe(ConsoleSessionsService.name, () => {
    it('signs in by name or by email, whatever the case: the session, its CSRF token, and only a hash of its secret stored', async () => {
      const made = await person('Julien Faure', ['operator', 'auditor'], 'julien@example.fr');
      for (const login of ['Julien Faure', 'JULIEN FAURE', ' julien@EXAMPLE.fr ']) {
        const { secret, session } = await sessions().signIn(login, PASSWORD, 'test-client');
        expect(session).toEqual({
          principal: { id: expect.any(String), name: made.principal, email: 'julien@example.fr' },
          roles: ['operator', 'auditor'],
          csrfToken: csrfTokenOf(secret),
          idleTimeoutSeconds: 900,
          expiresAt: expect.any(Date),
        });
        expect(Math.abs(session.expiresAt.getTime() - (T0 + 12 * HOUR))).toBeLessThan(MINUTE);
        const [row] = await ctx.ds.query(`SELECT * FROM console_session WHERE secret_hash = $1`, [secretHash(secret)]);
        expect(row).toBeDefined();
        expect(JSON.stringify(row)).not.toContain(secret);
        expect(await sessions().check(secret)).toEqual(expect.objectContaining({ name: 'Julien Faure', roles: ['operator', 'auditor'] }));
      }
      expect((await account('Julien Faure')).last_login_at).not.toBeNull();
    });

    it('answers a wrong password, an unknown login and an account without a password alike: 401 invalid_credentials', async () => {
      await accounts().create({ roles: ['operator'], name: 'Karim Haddad' }, 'test');
      for (const [login, password] of [
        ['Julien Faure', 'not the password'],
        ['Nobody At All', PASSWORD],
        ['Karim Haddad', PASSWORD],
      ]) {
        await expect(sessions().signIn(login, password, 'test-client')).rejects.toMatchObject({
          code: 'invalid_credentials',
          status: 401,
          message: 'wrong login or password',
        });
      }
    });

    it('locks an account after LOGIN_MAX_FAILURES consecutive failures for LOGIN_LOCKOUT_MINUTES, the right password included', async () => {
      await person('Laura Chevalier');
      const now = sessions(at(0));
      // Four failures, then a success: the count starts again.
      for (let i = 0; i < 4; i++)
        await expect(now.signIn('Laura Chevalier', 'wrong password!', 'c1')).rejects.toMatchObject({ code: 'invalid_credentials' });
      await now.signIn('Laura Chevalier', PASSWORD, 'c1');
      expect((await account('Laura Chevalier')).failed_attempts).toBe(0);
      for (let i = 0; i < 4; i++)
        await expect(now.signIn('Laura Chevalier', 'wrong password!', 'c1')).rejects.toMatchObject({ code: 'invalid_credentials' });
      await expect(now.signIn('Laura Chevalier', 'wrong password!', 'c1')).rejects.toMatchObject({
        code: 'account_locked',
        status: 423,
        message: expect.stringContaining('unlocks in 15 minutes'),
      });
      await expect(sessions(at(14 * MINUTE + 30_000)).signIn('Laura Chevalier', PASSWORD, 'c1')).rejects.toMatchObject({
        code: 'account_locked',
        message: expect.stringContaining('unlocks in 1 minute'),
      });
      expect((await accounts(at(14 * MINUTE)).list()).find((u) => u.principal === 'Laura Chevalier')?.lockedUntil).not.toBeNull();
      expect((await sessions(at(16 * MINUTE)).signIn('Laura Chevalier', PASSWORD, 'c1')).session.principal.name).toBe('Laura Chevalier');
      expect((await account('Laura Chevalier')).locked_until).toBeNull();
    });

    it('unlocks a locked account at once when a new password is set', async () => {
      await person('Marc Girard');
      for (let i = 0; i < 5; i++)
        await sessions()
          .signIn('Marc Girard', 'wrong password!', 'c2')
          .catch(() => undefined);
      await expect(sessions().signIn('Marc Girard', PASSWORD, 'c2')).rejects.toMatchObject({ code: 'account_locked' });
      const link = await accounts().resetPassword('Marc Girard', 'test');
      await accounts().setPassword(tokenOf(link.setPasswordUrl), 'a new good password');
      expect((await sessions().signIn('Marc Girard', 'a new good password', 'c2')).session.principal.name).toBe('Marc Girard');
      const [entry] = await ctx.ds.query(`SELECT details FROM audit_log WHERE action = 'user.password_set' ORDER BY id DESC LIMIT 1`);
      expect(entry.details).toEqual({ unlocked: true, sessionsEnded: 0 });
    });

    it('ends a session left idle past SESSION_IDLE_MINUTES, and keeps one used within it', async () => {
      await person('Nadia Lambert', ['helpdesk']);
      const { secret } = await sessions(at(0)).signIn('Nadia Lambert', PASSWORD, 'c3');
      expect(await sessions(at(10 * MINUTE)).check(secret)).toEqual(expect.objectContaining({ name: 'Nadia Lambert' }));
      // Last used at +10 min: at +24 min it has been idle 14 minutes.
      expect(await sessions(at(24 * MINUTE)).check(secret)).toEqual(expect.objectContaining({ name: 'Nadia Lambert' }));
      expect(await sessions(at(39 * MINUTE + 30_000)).check(secret)).toBe('expired');
      // It stays expired (not "unknown") until it is forgotten.
      expect(await sessions(at(40 * MINUTE)).check(secret)).toBe('expired');
    });

    it('writes last_seen_at at most every 15 seconds', async () => {
      const { secret } = await sessions(at(0)).signIn('Nadia Lambert', PASSWORD, 'c3');
      const seen = async () =>
        (await ctx.ds.query(`SELECT last_seen_at FROM console_session WHERE secret_hash = $1`, [secretHash(secret)]))[0].last_seen_at;
      const first: Date = await seen();
      await sessions(at(5_000)).check(secret);
      expect(await seen()).toEqual(first);
      await sessions(at(20_000)).check(secret);
      expect((await seen()).getTime()).toBeGreaterThanOrEqual(first.getTime() + 15_000);
    });

    it('ends a session SESSION_MAX_HOURS after its sign-in, however recently used', async () => {
      const wide = testConfig({ SESSION_IDLE_MINUTES: '1440' });
      const { secret, session } = await sessions(at(0), wide).signIn('Nadia Lambert', PASSWORD, 'c3');
      expect(await sessions(at(11 * HOUR + 55 * MINUTE), wide).check(secret)).toEqual(expect.objectContaining({ id: expect.any(String) }));
      expect(await sessions(Clock.startingAt(new Date(session.expiresAt.getTime() + 1000)), wide).check(secret)).toBe('expired');
    });

    it('signs out: the session is gone', async () => {
      const { secret } = await sessions().signIn('Nadia Lambert', PASSWORD, 'c3');
      await sessions().signOut(secret);
      expect(await sessions().check(secret)).toBe('unknown');
      await sessions().signOut(secret); // again: nothing to end
    });

    it('counts failed sign-ins in the address budget of failed authentications: past it, 429 before any password check', async () => {
      const tight = testConfig({ AUTH_FAILURES_PER_MINUTE: '3' });
      const failures = new AuthFailures(tight);
      const s = sessions(at(0), tight, failures);
      for (let i = 0; i < 3; i++)
        await expect(s.signIn('Nobody At All', PASSWORD, '203.0.113.9')).rejects.toMatchObject({ code: 'invalid_credentials' });
      expect(failures.isOver('203.0.113.9')).toBe(true);
      await expect(s.signIn('Nadia Lambert', PASSWORD, '203.0.113.9')).rejects.toMatchObject({ code: 'too_many_requests', status: 429 });
      expect((await s.signIn('Nadia Lambert', PASSWORD, '198.51.100.1')).session.principal.name).toBe('Nadia Lambert');
    });

    it('audits accounts, links, passwords set, sign-ins, refusals, locks, sign-outs and disablings, without a password or a secret', async () => {
      const made = await accounts().create({ roles: ['auditor'], name: 'Olivier Roux' }, 'host:root@desk');
      const link = tokenOf(made.setPasswordUrl);
      await accounts().setPassword(link, PASSWORD);
      const { secret } = await sessions().signIn('Olivier Roux', PASSWORD, '192.0.2.7');
      for (let i = 0; i < 5; i++)
        await sessions()
          .signIn('Olivier Roux', 'Tr0ub4dor&3 wrong', '192.0.2.7')
          .catch(() => undefined);
      await sessions().signOut(secret);
      await accounts().disable('Olivier Roux', 'host:root@desk');
      const [{ principal_id }] = await ctx.ds.query(
        `SELECT principal_id FROM console_account a JOIN principal p ON p.id = a.principal_id WHERE p.name = 'Olivier Roux'`,
      );
      const entries = (await ctx.audit.list({ entity: 'console_account', id: principal_id, pageSize: 100 })).items;
      expect(entries.map((e) => [e.action, e.actor])).toEqual([
        ['user.created', 'host:root@desk'],
        ['user.link_issued', 'host:root@desk'],
        ['user.password_set', 'principal:Olivier Roux'],
        ['user.signed_in', 'principal:Olivier Roux'],
        ['user.sign_in_refused', 'client:192.0.2.7'],
        ['user.sign_in_refused', 'client:192.0.2.7'],
        ['user.sign_in_refused', 'client:192.0.2.7'],
        ['user.sign_in_refused', 'client:192.0.2.7'],
        // The fifth refusal is the lock's own entry.
        ['user.locked', 'system:console'],
        ['user.signed_out', 'principal:Olivier Roux'],
        ['user.disabled', 'host:root@desk'],
      ]);
      const all = JSON.stringify(await ctx.ds.query(`SELECT * FROM audit_log`));
      for (const leak of [PASSWORD, 'Tr0ub4dor', secret, csrfTokenOf(secret), link, secretHash(secret)]) expect(all).not.toContain(leak);
    });
  });
});
