import { randomBytes } from 'node:crypto';
import type { QueryResultRow } from 'pg';

/** A person of the demo who signs in to the console. */
export interface ConsoleAccount {
  name: string;
  role: 'operator' | 'helpdesk' | 'auditor';
  password: string;
}

const PEOPLE: ReadonlyArray<Omit<ConsoleAccount, 'password'>> = [
  { name: 'demo-operatrice', role: 'operator' },
  { name: 'demo-assistance', role: 'helpdesk' },
  { name: 'demo-auditrice', role: 'auditor' },
];

/** What the demo's CLI runner, its database and the running API give the console's step. */
export interface ConsoleDeps {
  usersCreate(args: string[]): Promise<{ principal: string; setPasswordUrl: string }>;
  apiUrl: string;
  /** The rows of a query on the demo database. */
  query<T extends QueryResultRow>(sql: string): Promise<T[]>;
}

/**
 * The console's demo accounts: each made by `users:create` (as an administrator at the host
 * would), its password set through the one-time link's token (as the person would, from the
 * link), then one sign-in to check it. The passwords are drawn for this demo and printed: the
 * demo database is the only place they open.
 */
export async function consoleAccounts(deps: ConsoleDeps): Promise<ConsoleAccount[]> {
  const accounts: ConsoleAccount[] = [];
  for (const p of PEOPLE) {
    const made = await deps.usersCreate(['users:create', '--role', p.role, '--name', p.name, '--email', `${p.name}@agence.example`]);
    const token = new URL(made.setPasswordUrl).hash.replace(/^#jeton=/, '');
    const password = `demo-${randomBytes(6).toString('base64url')}-console`;
    const set = await fetch(`${deps.apiUrl}/api/v1/session/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password }),
    });
    if (set.status !== 204) throw new Error(`setting ${p.name}'s password: HTTP ${set.status} ${await set.text()}`);
    const signIn = await fetch(`${deps.apiUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: p.name, password }),
    });
    if (signIn.status !== 200 || !signIn.headers.get('set-cookie')?.includes('cps_session=')) {
      throw new Error(`signing in as ${p.name}: HTTP ${signIn.status} ${await signIn.text()}`);
    }
    accounts.push({ ...p, password });
  }
  return accounts;
}

/** An order made for the console's queue. */
export interface WaitingOrder {
  id: string;
  status: string;
  nationalId: string;
}

/**
 * An order that waits in the console's order queue for a second operator: a manual CPS order,
 * asked over the API with `operatorToken`, for a professional in practice who has no order
 * yet (the last by name: not the one the demo's manual-order step took, the first by id).
 */
export async function orderAwaitingApproval(deps: ConsoleDeps, operatorToken: string): Promise<WaitingOrder> {
  const [pair] = await deps.query<{ national_id: string; profession_code: string }>(
    `SELECT rp.national_id, rpr.profession_code FROM rpps_professional rp JOIN rpps_profession rpr USING (national_id)
      WHERE rp.ceased_at IS NULL AND NOT EXISTS (SELECT 1 FROM card_order o WHERE o.national_id = rp.national_id)
      ORDER BY rp.last_name DESC, rp.national_id LIMIT 1`,
  );
  if (!pair) throw new Error('no professional in practice without an order is left for the console');
  const body = { nationalId: pair.national_id, professionCode: pair.profession_code, cardType: 'CPS', reason: 'manual' };
  const made = await fetch(`${deps.apiUrl}/api/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (made.status !== 201) throw new Error(`POST /api/v1/orders answered ${made.status}: ${await made.text()}`);
  const order = (await made.json()) as { id: string; status: string };
  return { id: order.id, status: order.status, nationalId: pair.national_id };
}
