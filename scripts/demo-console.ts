import { randomBytes } from 'node:crypto';

/** A person of the demo who signs in to the console. */
export interface ConsoleAccount {
  name: string;
  role: 'operator' | 'helpdesk' | 'auditor';
  roleLabel: string;
  password: string;
}

const PEOPLE: ReadonlyArray<Omit<ConsoleAccount, 'password'>> = [
  { name: 'demo-operatrice', role: 'operator', roleLabel: 'operator' },
  { name: 'demo-assistance', role: 'helpdesk', roleLabel: 'helpdesk' },
  { name: 'demo-auditrice', role: 'auditor', roleLabel: 'auditor' },
];

/** What the demo's CLI runner and the running API give this step. */
export interface ConsoleDeps {
  usersCreate(args: string[]): Promise<{ principal: string; setPasswordUrl: string }>;
  apiUrl: string;
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
