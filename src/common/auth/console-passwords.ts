import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Console passwords: argon2id (the library's defaults: 19 MiB, 2 passes, 1 lane, as OWASP
 * recommends), hashed in libuv's thread pool, off the event loop. A password is normalized
 * (NFKC) before it is hashed or checked, so the same characters typed on two keyboards match.
 */

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** The rule a new password breaks, naming it, or null. `account`: the principal's name and email, which it may not be. */
export function passwordProblem(password: string, account: { name: string; email: string | null }): string | null {
  const length = [...password.normalize('NFKC')].length;
  if (length < PASSWORD_MIN_LENGTH) return `password: at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length})`;
  if (length > PASSWORD_MAX_LENGTH) return `password: at most ${PASSWORD_MAX_LENGTH} characters (this one has ${length})`;
  const same = (a: string, b: string) => a.normalize('NFKC').trim().toLowerCase() === b.normalize('NFKC').trim().toLowerCase();
  if (same(password, account.name)) return "password: must not be the account's name";
  if (account.email && same(password, account.email)) return "password: must not be the account's email";
  return null;
}

/** The argon2id hash (PHC string) of a password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFKC'));
}

/** Whether `password` matches `hashed`; a malformed hash matches nothing. */
export async function passwordMatches(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password.normalize('NFKC'));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;

/**
 * Checks a password against a hash of nothing anyone knows: a sign-in with an unknown login, or
 * for an account without a password or disabled, takes the time of a real check, and fails.
 */
export async function spendPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(32).toString('base64url'));
  await passwordMatches(await dummy, password);
  return false;
}
