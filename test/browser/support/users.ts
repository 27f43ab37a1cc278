import { expect, type Page } from '@playwright/test';
import { runCli } from '../../support/processes';
import { seeded } from './seed';

/** A person of the console: how they sign in. */
export interface ConsoleUser {
  /** what they sign in with: the principal `users:create` made */
  login: string;
  password: string;
  roles: string[];
}

/** The session's answer to a sign-in (POST /api/v1/session). */
export interface SessionAnswer {
  csrfToken: string;
  roles: string[];
  [more: string]: unknown;
}

/**
 * A new person of the tier's API with `roles`, as an administrator makes one: `users:create`
 * (CLI) answers their principal and the link to set a password (`...#jeton=<token>`), and the
 * password is set with `POST /api/v1/session/password {token, password}` (204), as the
 * console's page behind that link does. Throws, with the answers, when either step fails.
 *
 * Deliberately through the CLI and the running API, not test/support/console-users.ts's
 * createConsoleUser (which calls ConsoleAccountsService in the test's process): the browser
 * tier proves the administrator's whole path against the tier's own processes (the CLI with the
 * tier's environment and link, the API's set-password route), and session.spec's first test
 * ("an operator made with users:create sets a password and signs in") asserts exactly that.
 */
export async function createUser(name: string, roles: string[], password: string): Promise<ConsoleUser> {
  const { tier } = seeded();
  const args = ['users:create', ...roles.flatMap((r) => ['--role', r]), '--name', name, '--json'];
  const created = await runCli(args, tier.env);
  if (created.code !== 0 || !created.json?.setPasswordUrl) {
    throw new Error(`cps ${args.join(' ')}: exit ${created.code}\n${created.stdout}${created.stderr}`);
  }
  const token = /#jeton=([^&]+)$/.exec(created.json.setPasswordUrl as string)?.[1];
  if (!token) throw new Error(`users:create gave no #jeton= in its link: ${created.json.setPasswordUrl}`);
  const set = await fetch(`${tier.apiUrl}/api/v1/session/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: decodeURIComponent(token), password }),
  });
  if (set.status !== 204) throw new Error(`POST /api/v1/session/password: ${set.status} ${await set.text()}`);
  return { login: created.json.principal, password, roles };
}

/**
 * Signs `user` in over the API in the page's browser context (its cookie `cps_session` is then
 * the page's), without the sign-in screen: for the tests of other screens. Answers the session.
 */
export async function signIn(page: Page, user: ConsoleUser): Promise<SessionAnswer> {
  const r = await page.request.post('/api/v1/session', { data: { login: user.login, password: user.password } });
  expect(r.ok(), `sign-in of ${user.login}: ${r.status()} ${await r.text()}`).toBe(true);
  return (await r.json()) as SessionAnswer;
}
