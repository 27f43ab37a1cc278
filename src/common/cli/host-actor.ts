import { hostname, userInfo } from 'node:os';

/**
 * The audit actor of a CLI command: someone at the host, named by the operating system
 * (account and host), never by a flag the caller chooses. Run through sudo as a shared
 * service account, the person sudo names is added (`host:cps@h (sudo: alice)`): sudo sets
 * SUDO_USER; the account itself stays the operating system's word.
 */
export function hostActor(env: NodeJS.ProcessEnv = process.env): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  const sudoUser = env.SUDO_USER?.trim();
  const via = sudoUser && sudoUser !== user && /^[\w.-]{1,64}$/.test(sudoUser) ? ` (sudo: ${sudoUser})` : '';
  return `host:${user}@${hostname()}${via}`;
}
