import { hostname, userInfo } from 'node:os';

/**
 * The audit actor of a CLI command: someone at the host, named by the operating system
 * (account and host), never by a flag the caller chooses.
 */
export function hostActor(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return `host:${user}@${hostname()}`;
}
