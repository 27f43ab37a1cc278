import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The console session's cookie and CSRF token (pure). The cookie carries a random secret, of
 * which the database keeps only the SHA-256; the CSRF token is derived from the secret (an
 * HMAC keyed by it), so nothing more is stored, and a page of another site, which cannot read
 * the cookie or an answer, cannot know it.
 */

export const SESSION_COOKIE = 'cps_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Secrets (and set-password tokens) are 32 random bytes, base64url: anything else is refused without a database look-up. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function isSecretShaped(s: string): boolean {
  return SECRET_SHAPE.test(s);
}

/** SHA-256 (hex): what is stored of a cookie's secret or of a set-password token. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The CSRF token of a session: HMAC-SHA256, keyed by the cookie's secret, of a fixed label; base64url. */
export function csrfTokenOf(secret: string): string {
  return createHmac('sha256', secret).update('cps-console-csrf/1').digest('base64url');
}

/** Whether `given` is the CSRF token of `secret` (compared in constant time). */
export function csrfTokenMatches(secret: string, given: string): boolean {
  const expected = Buffer.from(csrfTokenOf(secret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The session cookie's value in a Cookie header, or null (the first one, when sent twice). */
export function sessionCookieOf(header: string | string[] | undefined): string | null {
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    return value || null;
  }
  return null;
}

/** The Set-Cookie header that gives the browser its session (no expiry: the server ends it). */
export function sessionSetCookie(secret: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie header that removes it. */
export function sessionClearCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** Methods that change nothing, which need no CSRF token. */
export function isSafeMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
