import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The console session's cookie and CSRF token (pure). The cookie carries a random secret, of
 * which the database keeps only the SHA-256; the CSRF token is derived from the secret (an
 * HMAC keyed by it), so nothing more is stored, and a page of another site, which cannot read
 * the cookie or an answer, cannot know it.
 */

/** The cookie's name over plain HTTP (development). */
export const SESSION_COOKIE = 'cps_session';
/**
 * Its name when the cookie is Secure: the `__Host-` prefix makes browsers take it only from this
 * host over HTTPS, with Path=/ and no Domain, so no other host of the domain (nor a page over
 * plain HTTP) can set or replace it.
 */
export const SECURE_SESSION_COOKIE = '__Host-cps_session';
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

/** The session cookie's name: `__Host-cps_session` when it is Secure, `cps_session` otherwise. */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** Every non-empty value of the cookie `name` in a Cookie header, in order (a browser may send two of one name). */
export function sessionCookiesOf(header: string | string[] | undefined, name: string = SESSION_COOKIE): string[] {
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  const values: string[] = [];
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (value) values.push(value);
  }
  return values;
}

/** The Set-Cookie header that gives the browser its session (no expiry: the server ends it). */
export function sessionSetCookie(secret: string, secure: boolean): string {
  return `${sessionCookieName(secure)}=${secret}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie header that removes it. */
export function sessionClearCookie(secure: boolean): string {
  return `${sessionCookieName(secure)}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** Methods that change nothing, which need no CSRF token. */
export function isSafeMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
