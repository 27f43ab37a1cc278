import { join } from 'node:path';
import { SearchAnswer } from '../../src/orders/dto/search.dto';
import { apiCaller, createToken } from '../support/http';
import { runCli, Service, startApi } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');

/** Issue 12, the console's search box: GET /api/v1/search over HTTP, its answers and its refusals. */
describe('GET /api/v1/search', () => {
  let db: TestDb;
  let api: Service & { url: string };
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => api.url, tokens);
  const search = async (query: string, who = 'helpdesk') => {
    const r = await call('GET', `/api/v1/search?${query}`, who);
    return { status: r.status, body: await r.json() };
  };

  beforeAll(async () => {
    db = await createTestDb('search');
    const env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('search') };
    api = await startApi(env);
    for (const role of ['helpdesk', 'operator', 'auditor', 'batch']) tokens[role] = (await createToken(env, role, `search-${role}`)).token;
    expect((await runCli(['rpps:import', join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt'), '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'), '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('finds a name typed without accents, in lower case, for the helpdesk, operators and auditors', async () => {
    for (const who of ['helpdesk', 'operator', 'auditor']) {
      const { status, body } = await search('q=lefevre%20ma', who);
      expect(status).toBe(200);
      const answer = SearchAnswer.schema.parse(body);
      expect(answer).toEqual(
        expect.objectContaining({ query: 'lefevre ma', kind: 'name', total: 3, totalIsLowerBound: false, page: 1, pageSize: 20 }),
      );
      // the same name twice: by national id
      expect(answer.items.map((i) => `${i.lastName} ${i.firstName} ${i.nationalId}`)).toEqual([
        'LEFÈVRE MARIE 810000000355',
        'LEFÈVRE MARIE 810000004373',
        'LEFÈVRE MARIE-CHRISTINE 0592800072',
      ]);
      expect(answer.items[0]).toEqual({
        nationalId: '810000000355',
        lastName: 'LEFÈVRE',
        firstName: 'MARIE',
        professions: ['80'],
        professionLabels: ['Pédicure-Podologue'],
        ceased: false,
      });
    }
    expect((await search('q=lefevre', 'batch')).status).toBe(403);
  });

  it('finds the holder of a card number, with the card', async () => {
    const { status, body } = await search('q=2900001260');
    expect(status).toBe(200);
    expect(SearchAnswer.schema.parse(body)).toEqual(
      expect.objectContaining({
        kind: 'cardNumber',
        total: 1,
        items: [expect.objectContaining({ nationalId: '810000000355', matchedCard: { cardNumber: '2900001260', status: 'active' } })],
      }),
    );
  });

  it('finds a professional by national identifier', async () => {
    const { body } = await search('q=%20810000000355%20');
    expect(body).toEqual(expect.objectContaining({ query: '810000000355', kind: 'nationalId', total: 1 }));
    expect(body.items.map((i: { lastName: string }) => i.lastName)).toEqual(['LEFÈVRE']);
  });

  it('refuses, naming q, a q missing, shorter than 2 characters once trimmed, digits of no identifier, or a name folding to nothing or to a first word of 1 letter', async () => {
    for (const [query, detail] of [
      ['', /^q: required: a name, a national identifier or a card number$/],
      ['q=a', /^q: expected at least 2 characters$/],
      ['q=%20%20a%20', /^q: expected at least 2 characters$/],
      ['q=--', /^q: expected a name, a national identifier or a card number/],
      [`q=${encodeURIComponent('ʼʼ')}`, /^q: expected a name, a national identifier or a card number \(letters or digits\)$/],
      [`q=${encodeURIComponent("'’")}`, /^q: expected a name, a national identifier or a card number/],
      ['q=d%20ar', /^q: the first word of a name needs at least 2 letters or digits, apostrophes and punctuation aside \("d" has 1\)$/],
      [`q=${encodeURIComponent("d'")}`, /^q: the first word of a name needs at least 2 letters or digits/],
      ['q=12345', /^q: 5 digits: expected a national identifier/],
      ['q=a&q=b', /^q: given more than once/],
      [`q=${'a'.repeat(101)}`, /^q: at most 100 characters$/],
      // Too long is all that is said: q is not read further (no "101 digits: ..." besides).
      [`q=${'1'.repeat(101)}`, /^q: at most 100 characters$/],
    ] as const) {
      const { status, body } = await search(query);
      expect([query, status, body.code]).toEqual([query, 400, 'validation_failed']);
      expect(body.detail).toMatch(detail);
    }
  });

  it('refuses an unknown parameter, a bad page size and a page past what is counted', async () => {
    expect((await search('q=lefevre&name=x')).body.detail).toMatch(/unknown field\(s\) "name"/);
    expect((await search('q=lefevre&pageSize=0')).body.detail).toMatch(/^pageSize: /);
    const deep = await search('q=le&page=60&pageSize=20');
    expect([deep.status, deep.body.code]).toEqual([400, 'validation_failed']);
    expect(deep.body.detail).toMatch(/^page: expected at most 51/);
  });

  it('is in the OpenAPI document with its query and its answer', async () => {
    const doc: any = await (await fetch(`${api.url}/api/docs-json`)).json();
    const op = doc.paths['/api/v1/search'].get;
    expect(op.tags).toEqual(['registry']);
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['page', 'pageSize', 'q']);
    expect(op.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/SearchAnswer_Output');
    const answer = doc.components.schemas.SearchAnswer_Output;
    expect(answer.properties.kind.enum).toEqual(['name', 'nationalId', 'cardNumber']);
    expect(answer.required).toEqual(expect.arrayContaining(['query', 'kind', 'items', 'total', 'totalIsLowerBound', 'page', 'pageSize']));
  });
});
