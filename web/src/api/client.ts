import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** The CSRF token of the session (given by POST/GET /api/v1/session), sent on every change. */
let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

/** The API, typed from its OpenAPI document (schema.d.ts); the session cookie goes with every call. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);
