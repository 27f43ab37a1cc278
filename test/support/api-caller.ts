/*
 * Kept apart from http.ts (which makes tokens with the decorated services): the browser tier's
 * Playwright transform does not emit decorator metadata, so it can load this file and not that one.
 */

/** A fetch response whose json() is untyped, as tests read it. */
export type Res = Omit<Response, 'json'> & { json(): Promise<any> };

/** What `call` sends a request as: a name in `tokens`, a raw token, or null (no Authorization header). */
export type Who = string | null;

/**
 * An authenticated JSON caller of a running API: `call(method, path, who, body?, headers?)`
 * sends `who`'s bearer token (`tokens[who]`, else `who` itself as the token; none for null),
 * the body as JSON (a string as it is: JSON made by the test, or malformed on purpose), and
 * answers the response. `url` is read at each call, so the caller can be
 * made before the API starts.
 */
export function apiCaller(url: () => string, tokens: Record<string, string>) {
  return (method: string, path: string, who: Who, body?: unknown, headers: Record<string, string> = {}): Promise<Res> =>
    fetch(`${url()}${path}`, {
      method,
      headers: {
        ...(who === null ? {} : { authorization: `Bearer ${tokens[who] ?? who}` }),
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
}
