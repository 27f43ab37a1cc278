import { join } from 'node:path';
import { createToken } from '../support/http';
import { runCli, Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const LEFEVRE = '810000000355'; // pédicure-podologue (80)

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/**
 * A title a person reads: a sentence (a capital, then words), never a class name
 * (`OrdersError`, `TransitionError`), a CamelCase word, nor a status constant (`BAD_REQUEST`).
 */
function expectReadableTitle(p: Problem, where: string): void {
  const t = p.title;
  const why = `${where}: title "${t}"`;
  expect({ why, ok: /^[A-Z][a-z]*('[a-z]+)?( [\w'-]+)+[.:]?/.test(t) }).toEqual({ why, ok: true });
  expect({ why, classLike: /\b\w*[a-z][A-Z]\w*\b|Error\b|Exception\b/.test(t) }).toEqual({ why, classLike: false });
  expect({ why, snake: /\b[A-Z]+_[A-Z_]+\b|_/.test(t) }).toEqual({ why, snake: false });
}

/**
 * One bad request per error family (zod validation of query and body, an undeclared
 * query, malformed JSON, a body that is not JSON, one over the limit, no or a bad token,
 * a role refused, an unknown route, each module's errors, a transition refused, the
 * opposition throttler): each answer is problem+json, its title a readable sentence, the
 * same for every problem of a code, and its detail names what was wrong.
 */
describe('problem titles and details (node dist/src/main.js)', () => {
  let db: TestDb;
  let api: Service & { url: string };
  const tokens: Record<string, string> = {};

  const call = (method: string, path: string, who: string | null, body?: string, type = 'application/json') =>
    fetch(`${api.url}${path}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${tokens[who] ?? who}` } : {}),
        ...(body !== undefined ? { 'content-type': type } : {}),
      },
      body,
    });
  const problem = async (r: Response, status: number, code: string, where: string): Promise<Problem> => {
    const p = (await r.json()) as Problem;
    expect({ where, status: r.status, code: p.code }).toEqual({ where, status, code });
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(p.type).toBe(`urn:cps:problem:${code}`);
    expectReadableTitle(p, where);
    return p;
  };

  beforeAll(async () => {
    db = await createTestDb('problem-titles');
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('problem-titles'),
      HTTP_BODY_LIMIT: '2kb',
      OPPOSITIONS_PER_MINUTE: '1',
    };
    for (const [who, role] of [
      ['op', 'operator'],
      ['hd', 'helpdesk'],
    ]) {
      tokens[who] = (await createToken(env, role, who)).token;
    }
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    api = await startApi(env);
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('names the one bad query field, and every bad field when there are several, under one title', async () => {
    const one = await problem(await call('GET', '/api/v1/orders?page=abc', 'op'), 400, 'validation_failed', 'page=abc');
    expect(one.detail).toMatch(/^page: /);
    const many = await problem(
      await call('GET', '/api/v1/orders?page=abc&pageSize=0&status=lost&colour=blue', 'op'),
      400,
      'validation_failed',
      'several bad query fields',
    );
    for (const field of ['page:', 'pageSize:', 'status:', '"colour"']) expect(many.detail).toContain(field);
    const body = await problem(
      await call('POST', '/api/v1/orders', 'op', JSON.stringify({ nationalId: '1', professionCode: 3 })),
      400,
      'validation_failed',
      'bad body fields',
    );
    expect(body.detail).toMatch(/nationalId: .*professionCode: expected string.*cardType: required.*reason: required/);
    expect(body.detail).not.toMatch(/Invalid input/);
    const undeclared = await problem(
      await call('GET', '/api/v1/orders/00000000-0000-4000-8000-000000000000?verbose=1', 'op'),
      400,
      'validation_failed',
      'undeclared query',
    );
    expect(undeclared.detail).toContain('"verbose"');
    // Every validation problem has the same title: it names the kind of problem, the detail says which.
    expect(new Set([one.title, many.title, body.title, undeclared.title]).size).toBe(1);
  });

  it('gives the body errors before routing readable titles: malformed JSON, not JSON, too large', async () => {
    const malformed = await problem(await call('POST', '/api/v1/orders', 'op', '{"nationalId": '), 400, 'validation_failed', 'bad JSON');
    expect(malformed.detail).toMatch(/^body: malformed JSON/);
    const text = await problem(
      await call('POST', '/api/v1/orders', 'op', 'nationalId=1', 'text/plain'),
      415,
      'unsupported_media_type',
      'text',
    );
    expect(text.detail).toMatch(/Content-Type: application\/json.*"text\/plain"/);
    const large = await problem(
      await call('POST', '/api/v1/orders', 'op', JSON.stringify({ comment: 'x'.repeat(5000) })),
      413,
      'payload_too_large',
      'large body',
    );
    expect(large.detail).toContain('2kb');
  });

  it('gives authentication, roles and routing their own titles', async () => {
    const none = await problem(await call('GET', '/api/v1/orders', null), 401, 'unauthenticated', 'no token');
    expect(none.detail).toMatch(/Authorization: Bearer/);
    await problem(await call('GET', '/api/v1/orders', `cps_${'x'.repeat(43)}`), 401, 'unauthenticated', 'bad token');
    await problem(await call('POST', '/api/v1/orders', 'hd', '{}'), 403, 'forbidden', 'helpdesk ordering');
    const route = await problem(await call('GET', '/api/v1/no-such-route', 'op'), 404, 'not_found', 'unknown route');
    expect(route.detail).toBe('no route GET /api/v1/no-such-route');
    await problem(await call('DELETE', '/api/v1/orders', 'op'), 404, 'not_found', 'unknown method');
  });

  it("gives each module's errors a title of their own, never the class name", async () => {
    const titles = new Map<string, string>();
    const order = await problem(
      await call('GET', '/api/v1/orders/00000000-0000-4000-8000-000000000000', 'op'),
      404,
      'order_not_found',
      'OrdersError',
    );
    titles.set(order.code, order.title);
    const pro = await problem(await call('GET', '/api/v1/professionals/810000000999', 'op'), 404, 'professional_not_found', 'RppsError');
    expect(pro.detail).toContain('810000000999');
    titles.set(pro.code, pro.title);
    const unknown = await problem(
      await call(
        'POST',
        '/api/v1/orders',
        'op',
        JSON.stringify({ nationalId: '810000000999', professionCode: '10', cardType: 'CPS', reason: 'manual' }),
      ),
      422,
      'professional_unknown',
      'order for an unknown professional',
    );
    expect(unknown.detail).toMatch(/810000000999.*profession 10/);
    titles.set(unknown.code, unknown.title);
    // TransitionError: cancelling a cancelled order.
    const created = await call(
      'POST',
      '/api/v1/orders',
      'op',
      JSON.stringify({ nationalId: LEFEVRE, professionCode: '80', cardType: 'CPS', reason: 'manual' }),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const cancel = () => call('POST', `/api/v1/orders/${id}/cancel`, 'op', JSON.stringify({ reason: 'typed the wrong profession' }));
    expect((await cancel()).status).toBe(200);
    const again = await problem(await cancel(), 409, 'transition_not_allowed', 'TransitionError');
    expect(again.detail).toMatch(/cancel/);
    titles.set(again.code, again.title);
    expect(new Set(titles.values()).size).toBe(titles.size);
  });

  it('gives the opposition throttle (429) a readable title', async () => {
    const declare = () => call('POST', '/api/v1/cards/2999999999/oppositions', 'hd', JSON.stringify({ reason: 'loss' }));
    // The limit counts declarations before their validation: the first is refused for its fields, the second for the rate.
    const first = await problem(await declare(), 400, 'validation_failed', 'declaration without channel');
    expect(first.detail).toMatch(/channel: .*verification: /);
    const second = await problem(await declare(), 429, 'too_many_requests', 'throttled declaration');
    expect(second.detail).toMatch(/more than 1 declarations/);
  });
});
