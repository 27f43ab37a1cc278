import { createConsoleUser, signIn } from '../support/console-users';
import { createToken } from '../support/http';
import { runCli, Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/**
 * Every route of the OpenAPI document × every role × (no token, a bad token, a revoked
 * token), checked against the table below (admin may do everything), and the same table
 * for console sessions (a cookie and its CSRF token) of each role a person may hold. A route
 * added to the API without a line here fails the test, and so does a line whose route is gone.
 */
const ROLES = ['operator', 'helpdesk', 'batch', 'auditor', 'admin'] as const;
type Role = (typeof ROLES)[number];
/** The roles of console accounts (batch is for machines). */
const CONSOLE_ROLES = ['operator', 'helpdesk', 'auditor', 'admin'] as const;

const PUBLIC = 'public' as const;
/** A route of the console's session only: its cookie, never a bearer token (401 for any token). */
const SESSION = 'session' as const;
const ANY_ROLE: readonly Role[] = ROLES;

const ALLOWED: Record<string, typeof PUBLIC | typeof SESSION | readonly Role[]> = {
  'GET /health': PUBLIC,
  'GET /health/live': PUBLIC,
  'GET /health/ready': PUBLIC,
  'POST /api/v1/session': PUBLIC,
  'GET /api/v1/session': SESSION,
  'DELETE /api/v1/session': PUBLIC,
  'POST /api/v1/session/password': PUBLIC,
  'GET /opposition/crl': PUBLIC,
  'GET /opposition/delta-crl': PUBLIC,
  'GET /opposition/issuer.crt': PUBLIC,
  'GET /api/v1/jobs': ['operator', 'batch'],
  'GET /api/v1/jobs/{id}': ['operator', 'batch'],
  'GET /api/v1/audit': ['auditor'],
  'GET /api/v1/audit/checkpoints': ['auditor'],
  'GET /api/v1/audit/verification': ['auditor'],
  'GET /api/v1/registry/migrations': ['operator', 'auditor'],
  'POST /api/v1/registry/migrations/{id}/confirm': ['operator'],
  'POST /api/v1/registry/migrations/{id}/reject': ['operator'],
  'GET /api/v1/professionals': ['operator', 'helpdesk'],
  'GET /api/v1/professionals/{nationalId}': ['operator', 'helpdesk', 'auditor'],
  'GET /api/v1/search': ['operator', 'helpdesk', 'auditor'],
  'GET /api/v1/imports': ['operator', 'batch', 'auditor'],
  'GET /api/v1/imports/{id}': ['operator', 'batch', 'auditor'],
  'GET /api/v1/imports/{id}/rejects': ['operator', 'batch', 'auditor'],
  'POST /api/v1/imports': ['batch'],
  'POST /api/v1/imports/{id}/confirm': ['operator'],
  'POST /api/v1/orders': ['operator', 'batch'],
  'GET /api/v1/orders': ['operator', 'auditor'],
  'GET /api/v1/orders/{id}': ['operator', 'auditor'],
  'POST /api/v1/orders/{id}/approve': ['operator'],
  'POST /api/v1/orders/{id}/reject': ['operator'],
  'POST /api/v1/orders/{id}/cancel': ['operator'],
  'POST /api/v1/orders/{id}/retry': ['operator'],
  'GET /api/v1/cards': ['operator', 'helpdesk', 'auditor'],
  'GET /api/v1/cards/{cardNumber}': ['operator', 'helpdesk', 'auditor'],
  'POST /api/v1/cards/{cardNumber}/activation': ['batch'],
  'POST /api/v1/cards/{cardNumber}/oppositions': ['helpdesk', 'operator'],
  'GET /api/v1/cards/{cardNumber}/oppositions': ['helpdesk', 'operator', 'auditor'],
  'GET /api/v1/cards/{cardNumber}/status': ANY_ROLE,
  'GET /api/v1/crls': ['operator', 'helpdesk', 'auditor'],
  'GET /api/v1/encoders': ['operator'],
  'POST /api/v1/encoders/{id}/reset': ['operator'],
  'GET /api/v1/mailing/batches': ['operator', 'auditor'],
  'GET /api/v1/mailing/batches/{id}': ['operator', 'auditor'],
  'GET /api/v1/mailing/reprints': ['operator', 'auditor'],
  'GET /api/v1/mailing/letters': ['operator', 'auditor'],
  'POST /api/v1/mailing/batches/{id}/printed': ['operator'],
  'POST /api/v1/mailing/letters/{id}/returned': ['operator'],
  'POST /api/v1/mailing/letters/{id}/reprint': ['operator'],
  'POST /api/v1/mailing/reprints/{id}/approve': ['operator'],
  'POST /api/v1/mailing/reprints/{id}/reject': ['operator'],
};

/** Path parameters of the right shape that name nothing: an allowed caller gets 404 (or 400/409), never 401/403. */
const PARAMS: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000000',
  nationalId: '810000000355',
  cardNumber: '1000000009',
};
const MIGRATION_ID = '999999';

function concretePath(path: string): string {
  if (path.startsWith('/api/v1/registry/migrations/{id}')) return path.replace('{id}', MIGRATION_ID);
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = PARAMS[name];
    if (!v) throw new Error(`no sample value for the path parameter {${name}} of ${path}: add one to PARAMS`);
    return v;
  });
}

describe('authorization of every route (OpenAPI document × roles × bad tokens)', () => {
  let db: TestDb;
  let api: Service & { url: string };
  const tokens: Record<string, string> = {};
  const sessions: Record<string, { cookie: string; csrfToken: string }> = {};
  let operations: Array<{ method: string; path: string; key: string }> = [];

  beforeAll(async () => {
    db = await createTestDb('authz');
    // Failed authentications are the point here: lift the per-address budget so they stay 401s.
    const env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('authz'), AUTH_FAILURES_PER_MINUTE: '100000' };
    api = await startApi(env);
    for (const role of ROLES) {
      tokens[role] = (await createToken(env, role, `authz-${role}`)).token;
    }
    const revoked = await createToken(env, 'admin', 'authz-revoked');
    expect((await runCli(['tokens:revoke', revoked.id, '--json'], env)).code).toBe(0);
    tokens.revoked = revoked.token;
    tokens.bad = `cps_${'x'.repeat(43)}`;
    for (const role of CONSOLE_ROLES) {
      await createConsoleUser(env, { name: `authz-person-${role}`, roles: [role], password: 'authz password 1' });
      sessions[role] = await signIn(api.url, `authz-person-${role}`, 'authz password 1');
    }
    const doc = (await (await fetch(`${api.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path, key: `${m.toUpperCase()} ${path}` })),
    );
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  const call = (op: { method: string; path: string }, token?: string, session?: { cookie: string; csrfToken: string }) =>
    fetch(`${api.url}${concretePath(op.path)}`, {
      method: op.method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}),
        ...(op.method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body: op.method === 'POST' ? '{}' : undefined,
    });

  it('has a line in the table for every route of the document, and no line for a route that is gone', () => {
    const documented = operations.map((o) => o.key).sort();
    expect(documented).toEqual(Object.keys(ALLOWED).sort());
  });

  it('refuses every non-public route without a token, with a bad token and with a revoked one (401)', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      if (ALLOWED[op.key] === PUBLIC) continue;
      for (const [label, token] of [
        ['no token', undefined],
        ['bad token', tokens.bad],
        ['revoked token', tokens.revoked],
      ] as const) {
        const r = await call(op, token);
        if (r.status !== 401) wrong.push(`${op.key} with ${label}: ${r.status}`);
        else expect(((await r.json()) as { code: string }).code).toBe('unauthenticated');
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets each role through exactly the routes the table gives it (403 elsewhere), and serves public routes to anyone', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      const allowed = ALLOWED[op.key];
      for (const role of ROLES) {
        const r = await call(op, tokens[role]);
        if (allowed === SESSION) {
          if (r.status !== 401) wrong.push(`${op.key} with the token of ${role}: ${r.status}, expected 401 (a console session's route)`);
          continue;
        }
        const mayPass = allowed === PUBLIC || role === 'admin' || allowed.includes(role);
        if (mayPass && (r.status === 401 || r.status === 403)) wrong.push(`${op.key} as ${role}: ${r.status}, expected to pass`);
        if (!mayPass && r.status !== 403) wrong.push(`${op.key} as ${role}: ${r.status}, expected 403`);
      }
      if (allowed === PUBLIC) {
        const r = await call(op);
        if (r.status === 401 || r.status === 403) wrong.push(`${op.key} without a token: ${r.status}, expected public`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("lets each role's console session (cookie and CSRF token) through exactly the routes the table gives that role", async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      // Signing out would end the session the next routes use: console-sessions.e2e-spec.ts covers it.
      if (op.key === 'DELETE /api/v1/session') continue;
      const allowed = ALLOWED[op.key];
      for (const role of CONSOLE_ROLES) {
        const r = await call(op, undefined, sessions[role]);
        const mayPass = allowed === PUBLIC || allowed === SESSION || role === 'admin' || allowed.includes(role);
        if (mayPass && (r.status === 401 || r.status === 403)) wrong.push(`${op.key} as ${role}'s session: ${r.status}, expected to pass`);
        if (!mayPass && r.status !== 403) wrong.push(`${op.key} as ${role}'s session: ${r.status}, expected 403`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
