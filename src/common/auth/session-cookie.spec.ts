import {
  csrfTokenMatches,
  csrfTokenOf,
  isSafeMethod,
  isSecretShaped,
  newSecret,
  secretHash,
  sessionClearCookie,
  sessionCookieName,
  sessionCookiesOf,
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

  it('is set HttpOnly, SameSite=Strict, on the whole site; Secure when asked, then under the __Host- prefix; cleared the same way', () => {
    expect(sessionSetCookie('S', false)).toBe('cps_session=S; HttpOnly; SameSite=Strict; Path=/');
    expect(sessionSetCookie('S', true)).toBe('__Host-cps_session=S; HttpOnly; SameSite=Strict; Path=/; Secure');
    expect(sessionClearCookie(false)).toBe('cps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    expect(sessionClearCookie(true)).toBe('__Host-cps_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure');
    expect([sessionCookieName(false), sessionCookieName(true)]).toEqual(['cps_session', '__Host-cps_session']);
  });

  it('is read from a Cookie header among other cookies, every value of its name, none when empty or missing', () => {
    expect(sessionCookiesOf('theme=dark; cps_session=abc; other=1')).toEqual(['abc']);
    expect(sessionCookiesOf('cps_session="abc"')).toEqual(['abc']);
    expect(sessionCookiesOf(['a=1', 'cps_session=xyz'])).toEqual(['xyz']);
    expect(sessionCookiesOf('cps_session=abc; cps_session=def')).toEqual(['abc', 'def']);
    expect(sessionCookiesOf('cps_session_old=abc')).toEqual([]);
    expect(sessionCookiesOf('cps_session=')).toEqual([]);
    expect(sessionCookiesOf(undefined)).toEqual([]);
    expect(sessionCookiesOf('cps_session=abc', '__Host-cps_session')).toEqual([]);
    expect(sessionCookiesOf('cps_session=abc; __Host-cps_session=def', '__Host-cps_session')).toEqual(['def']);
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
