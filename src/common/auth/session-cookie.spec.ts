import {
  csrfTokenMatches,
  csrfTokenOf,
  isSafeMethod,
  isSecretShaped,
  newSecret,
  secretHash,
  sessionClearCookie,
  sessionCookieOf,
  sessionSetCookie,
} from './session-cookie';

describe('the session cookie', () => {
  it('carries a fresh 32-byte secret each time, of which only a SHA-256 is stored', () => {
    const a = newSecret();
    const b = newSecret();
    expect(a).not.toBe(b);
    expect(isSecretShaped(a)).toBe(true);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(secretHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(secretHash(a)).not.toContain(a);
    expect(isSecretShaped(`${a}x`)).toBe(false);
    expect(isSecretShaped("' OR 1=1 --")).toBe(false);
  });

  it('is set HttpOnly, SameSite=Strict, on the whole site, Secure when asked, and cleared the same way', () => {
    expect(sessionSetCookie('S', false)).toBe('cps_session=S; HttpOnly; SameSite=Strict; Path=/');
    expect(sessionSetCookie('S', true)).toBe('cps_session=S; HttpOnly; SameSite=Strict; Path=/; Secure');
    expect(sessionClearCookie(true)).toBe('cps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure');
  });

  it('is read from a Cookie header among other cookies, and is absent when empty or missing', () => {
    expect(sessionCookieOf('theme=dark; cps_session=abc; other=1')).toBe('abc');
    expect(sessionCookieOf('cps_session="abc"')).toBe('abc');
    expect(sessionCookieOf(['a=1', 'cps_session=xyz'])).toBe('xyz');
    expect(sessionCookieOf('cps_session_old=abc')).toBeNull();
    expect(sessionCookieOf('cps_session=')).toBeNull();
    expect(sessionCookieOf(undefined)).toBeNull();
  });
});

describe('the CSRF token', () => {
  it('is derived from the secret: the same for one session, another for another, and not the secret nor its stored hash', () => {
    const s = newSecret();
    expect(csrfTokenOf(s)).toBe(csrfTokenOf(s));
    expect(csrfTokenOf(s)).not.toBe(csrfTokenOf(newSecret()));
    expect(csrfTokenOf(s)).not.toBe(s);
    expect(csrfTokenOf(s)).not.toBe(secretHash(s));
    expect(csrfTokenMatches(s, csrfTokenOf(s))).toBe(true);
    expect(csrfTokenMatches(s, csrfTokenOf(newSecret()))).toBe(false);
    expect(csrfTokenMatches(s, '')).toBe(false);
    expect(csrfTokenMatches(s, `${csrfTokenOf(s)}x`)).toBe(false);
  });

  it('is needed by every method but GET, HEAD and OPTIONS', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].every(isSafeMethod)).toBe(true);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', undefined].some(isSafeMethod)).toBe(false);
  });
});
