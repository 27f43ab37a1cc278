import { DataSource } from 'typeorm';
import { AuditService } from '../../src/common/audit/audit.service';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '../../src/common/auth/session-cookie';
import { hostActor } from '../../src/common/cli/host-actor';
import { Clock } from '../../src/common/clock/clock';
import { loadConfig } from '../../src/common/config/config';
import { rowsReturned } from '../../src/common/database/returning';
import { BASE_DATABASE_URL } from './services';

/**
 * A person's console account with its password set, on the database of `env` (its
 * DATABASE_URL; its CLOCK_NOW, as the processes started with it read the time): made as
 * `users:create` makes it (ConsoleAccountsService.create, by someone at this host), then the
 * password set through the link's token, as the console's set-password page does. In this
 * process, not a CLI process (see createToken). Throws when either is refused (a name seen
 * before with an account, a weak password...).
 */
export async function createConsoleUser(
  env: Record<string, string>,
  user: { name: string; roles: string[]; password: string; email?: string },
): Promise<{ principal: string }> {
  const ds = await new DataSource({
    type: 'postgres',
    url: env.DATABASE_URL ?? BASE_DATABASE_URL,
    entities: [],
    applicationName: 'test-create-console-user',
  }).initialize();
  try {
    const cfg = loadConfig({ CONSOLE_URL: env.CONSOLE_URL ?? '', USER_LINK_HOURS: env.USER_LINK_HOURS ?? '' });
    const clock = env.CLOCK_NOW ? Clock.startingAt(env.CLOCK_NOW) : Clock.system();
    // Loaded here, not at the top: the browser tier imports this file for idleConsoleSessions, and
    // Playwright's transform cannot compile the service's constructor parameter decorators (@Inject).
    const { ConsoleAccountsService } = await import('../../src/common/auth/console-accounts.service');
    const accounts = new ConsoleAccountsService(ds, new AuditService(ds), cfg, clock);
    const made = await accounts.create({ roles: user.roles, name: user.name, email: user.email }, hostActor());
    await accounts.setPassword(linkToken(made.setPasswordUrl), user.password);
    return { principal: made.principal };
  } finally {
    await ds.destroy();
  }
}

/** The token of a set-password link (`.../mot-de-passe#jeton=<token>`), as the console reads it from the fragment. */
export function linkToken(setPasswordUrl: string): string {
  const token = new URL(setPasswordUrl).hash.replace(/^#jeton=/, '');
  if (!token) throw new Error(`no token in the link ${setPasswordUrl}`);
  return token;
}

/**
 * Signs in to a running API (POST /api/v1/session): `cookie` is what a Cookie header sends
 * (`cps_session=<secret>`, `__Host-cps_session=<secret>` where the cookie is Secure), `secret`
 * the cookie's value (for a browser context's cookies), and `csrfToken` the X-CSRF-Token of the
 * session. Throws on anything but 200.
 */
export async function signIn(
  baseUrl: string,
  login: string,
  password: string,
): Promise<{ cookie: string; secret: string; csrfToken: string; session: Record<string, unknown> }> {
  const r = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  const body = (await r.json()) as { csrfToken: string };
  if (r.status !== 200) throw new Error(`sign-in of ${login} refused: ${r.status} ${JSON.stringify(body)}`);
  const m = new RegExp(`(?:^|,\\s*)(${SESSION_COOKIE}|${SECURE_SESSION_COOKIE})=([^;]+)`).exec(r.headers.get('set-cookie') ?? '');
  if (!m) throw new Error(`sign-in of ${login}: no ${SESSION_COOKIE} cookie in the answer`);
  return { cookie: `${m[1]}=${m[2]}`, secret: m[2], csrfToken: body.csrfToken, session: body };
}

/**
 * Makes the console sessions of `name` look idle for `minutes` more (their last use moved back
 * in the database at `databaseUrl`), as if that time had passed: for tests of the idle timeout
 * against an API that runs on real time (the browser tier) or whose clock is fixed. The API's
 * own clock is not touched. Answers how many sessions were moved.
 */
export async function idleConsoleSessions(databaseUrl: string, name: string, minutes: number): Promise<number> {
  const ds = await new DataSource({ type: 'postgres', url: databaseUrl, entities: [] }).initialize();
  try {
    const moved = await rowsReturned(
      ds,
      `UPDATE console_session s SET last_seen_at = s.last_seen_at - make_interval(mins => $2::int)
         FROM principal p WHERE p.id = s.principal_id AND lower(p.name) = lower($1) RETURNING s.id`,
      [name, minutes],
    );
    return moved.length;
  } finally {
    await ds.destroy();
  }
}
