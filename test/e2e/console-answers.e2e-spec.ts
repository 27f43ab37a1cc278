import { EncoderFleetService } from '../../src/card-personalization/encoder-fleet.service';
import { TokensService } from '../../src/common/auth/tokens.service';
import { findCodeLeaks } from '../support/code-leaks';
import { ConsoleScenario, consoleScenario } from '../support/console-scenario';
import { linkToken } from '../support/console-users';
import { openContext, TestContext, testConfig } from '../support/context';
import { DocumentedAnswers, OpenApiDocument } from '../support/documented-answers';
import { apiCaller, type Who } from '../support/http';
import { runCli, Service, startApi } from '../support/processes';
import { REDIS_URL, testDataDir, testQueuePrefix } from '../support/services';

/**
 * The routes the console uses (issue 12), each answer of a set of representative requests
 * through the built API held to the response schema its operation declares in the OpenAPI
 * document (GET /api/docs-json), from which the console's typed client is generated: a route
 * whose answer its schema does not allow (a field it does not declare, a type, a missing
 * field, a value out of its enum) fails here. Also what the console reads that is new: a
 * professional's registry events, an import's rejected lines, the orders' card type and age
 * filters, the CRLs published. The list is every route web/src calls, and a few it reads
 * that are new.
 */
const CONSOLE_OPERATIONS = [
  'GET /api/v1/jobs 200',
  'GET /api/v1/jobs/{id} 200',
  'GET /api/v1/audit 200',
  'GET /api/v1/audit/checkpoints 200',
  'GET /api/v1/audit/verification 200',
  'GET /api/v1/imports 200',
  'GET /api/v1/imports/{id} 200',
  'GET /api/v1/imports/{id}/rejects 200',
  'POST /api/v1/imports 201',
  'POST /api/v1/imports/{id}/confirm 202',
  'GET /api/v1/registry/migrations 200',
  'POST /api/v1/registry/migrations/{id}/confirm 201',
  'POST /api/v1/registry/migrations/{id}/reject 201',
  'POST /api/v1/orders 201',
  'POST /api/v1/orders 200',
  'GET /api/v1/orders 200',
  'GET /api/v1/orders/{id} 200',
  'POST /api/v1/orders/{id}/approve 200',
  'POST /api/v1/orders/{id}/reject 200',
  'POST /api/v1/orders/{id}/cancel 200',
  'POST /api/v1/orders/{id}/retry 200',
  'GET /api/v1/cards 200',
  'GET /api/v1/cards/{cardNumber} 200',
  'POST /api/v1/cards/{cardNumber}/activation 200',
  'POST /api/v1/cards/{cardNumber}/oppositions 201',
  'POST /api/v1/cards/{cardNumber}/oppositions 200',
  'GET /api/v1/cards/{cardNumber}/oppositions 200',
  'GET /api/v1/cards/{cardNumber}/status 200',
  'GET /api/v1/professionals/{nationalId} 200',
  'GET /api/v1/mailing/batches 200',
  'GET /api/v1/mailing/batches/{id} 200',
  'GET /api/v1/mailing/reprints 200',
  'GET /api/v1/mailing/letters 200',
  'POST /api/v1/mailing/batches/{id}/printed 200',
  'POST /api/v1/mailing/letters/{id}/returned 200',
  'POST /api/v1/mailing/letters/{id}/reprint 201',
  'POST /api/v1/mailing/reprints/{id}/approve 200',
  'POST /api/v1/mailing/reprints/{id}/reject 200',
  'GET /api/v1/encoders 200',
  'POST /api/v1/encoders/{id}/reset 200',
  'GET /api/v1/crls 200',
  'GET /api/v1/search 200',
  'POST /api/v1/session/password 204',
  'POST /api/v1/session 200',
  'GET /api/v1/session 200',
  'DELETE /api/v1/session 204',
];

describe("the console's routes answer what the OpenAPI document declares", () => {
  let ctx: TestContext;
  let s: ConsoleScenario;
  let api: Service & { url: string };
  let env: Record<string, string>;
  let documented: DocumentedAnswers;
  const tokens: Record<string, string> = {};
  const raw = apiCaller(() => api.url, tokens);
  /** Every answer's text, searched for the codes at the end. */
  const answers: string[] = [];
  /** An answer of `expected` status, held to what its operation documents (a JSON schema; none for a 204): its body and headers. */
  const exchange = async (
    method: string,
    path: string,
    who: Who,
    body?: unknown,
    expected = method === 'POST' ? 201 : 200,
    headers: Record<string, string> = {},
  ) => {
    const r = await raw(method, path, who, body, headers);
    const text = await r.text();
    answers.push(text);
    expect({ method, path, status: r.status, text: r.status === expected ? '' : text }).toEqual({
      method,
      path,
      status: expected,
      text: '',
    });
    const json = text === '' ? undefined : JSON.parse(text);
    expect(documented.problems(method, path, r.status, json)).toEqual([]);
    return { json, headers: r.headers };
  };
  /** A JSON answer of `expected` status, held to its operation's schema; its body. */
  const call = async (...args: Parameters<typeof exchange>) => (await exchange(...args)).json;
  const get = (path: string, who: string) => call('GET', path, who);
  const post = (path: string, who: string, body?: unknown, expected = 200) => call('POST', path, who, body, expected);

  beforeAll(async () => {
    ctx = await openContext('console-answers');
    s = await consoleScenario(ctx);
    // The API's DATA_DIR is the scenario's (its vault keys, its spool).
    env = { DATABASE_URL: ctx.db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('console-answers'), DATA_DIR: testDataDir(ctx.db.name) };
    api = await startApi(env);
    const tokensService = new TokensService(ctx.ds, ctx.audit);
    for (const [who, role] of [
      ['alice', 'operator'],
      ['bob', 'operator'],
      ['helpdesk', 'helpdesk'],
      ['auditor', 'auditor'],
      ['feed', 'batch'],
    ]) {
      tokens[who] = (await tokensService.create({ role, principal: who }, 'test')).token;
    }
    documented = new DocumentedAnswers((await (await fetch(`${api.url}/api/docs-json`)).json()) as OpenApiDocument);
  });
  afterAll(async () => {
    await api?.stop();
    await ctx?.close();
  });

  it('registry: migration candidates decided, a professional with the registry events that touched them', async () => {
    const pending = await get('/api/v1/registry/migrations', 'auditor');
    expect(pending.items.map((m: { adeliNationalId: string }) => m.adeliNationalId).sort()).toEqual([
      s.migrated.zola.adeli,
      s.migrated.laurent.adeli,
    ]);
    const byAdeli = (adeli: string) => pending.items.find((m: { adeliNationalId: string }) => m.adeliNationalId === adeli).id;
    expect(await post(`/api/v1/registry/migrations/${byAdeli(s.migrated.zola.adeli)}/confirm`, 'alice', undefined, 201)).toMatchObject({
      status: 'confirmed',
      decidedBy: 'principal:alice',
    });
    expect(await post(`/api/v1/registry/migrations/${byAdeli(s.migrated.laurent.adeli)}/reject`, 'bob', undefined, 201)).toMatchObject({
      status: 'rejected',
    });

    // The ADELI identifier: its identity change (day 2), then the migration of its RPPS identifier naming it; newest first.
    const zola = await get(`/api/v1/professionals/${s.migrated.zola.adeli}`, 'helpdesk');
    expect(zola).toMatchObject({ status: 'ceased', migratedTo: s.migrated.zola.rpps, cards: [] });
    expect(zola.events.map((e: { kind: string; summary: string; asOf: string }) => [e.kind, e.summary, e.asOf])).toEqual([
      ['IDENTIFIER_MIGRATED', `identifier migrated from ${s.migrated.zola.adeli} (candidate confirmed by an operator)`, '2026-11-27'],
      ['IDENTITY_CHANGED', 'name of practice ZOLA → ZOLA-BERTRAND', '2026-11-26'],
    ]);
    expect((await get(`/api/v1/professionals/${s.migrated.zola.rpps}`, 'auditor')).events.map((e: { kind: string }) => e.kind)).toEqual([
      'IDENTIFIER_MIGRATED',
    ]);
    const laurent = await get(`/api/v1/professionals/${s.migrated.laurent.adeli}`, 'alice');
    expect(laurent.events[0]).toMatchObject({
      kind: 'CEASED',
      summary: expect.stringMatching(/^left the registry \(identifier migration rejected\)/),
    });
    const newcomer = await get(`/api/v1/professionals/${s.migrated.laurent.rpps}`, 'helpdesk');
    expect(newcomer.events.map((e: { kind: string }) => e.kind)).toEqual(['NEW_PROFESSIONAL']);
    // Someone the registry never changed: no event (the first import is a baseline, which emits none).
    expect((await get(`/api/v1/professionals/${s.holders.A}`, 'helpdesk')).events).toEqual([]);
  });

  it('imports: submitted (queued), held with its rejected lines and what it would do, confirmed by an operator; jobs', async () => {
    const queued = await post('/api/v1/imports', 'feed', { files: [s.heldFile] }, 201);
    expect(queued).toEqual({ jobRunId: expect.any(String), state: 'queued' });
    expect(await get(`/api/v1/jobs/${queued.jobRunId}`, 'feed')).toMatchObject({
      id: queued.jobRunId,
      kind: 'rpps-import',
      state: 'queued',
    });
    await s.runImportJob(queued.jobRunId);
    const run = await get(`/api/v1/jobs/${queued.jobRunId}`, 'alice');
    expect(run).toMatchObject({ state: 'held', params: { files: [s.heldFile] } });
    const heldId = run.result.importId;

    const list = await get('/api/v1/imports', 'auditor');
    expect(list.items.map((i: { status: string }) => i.status)).toEqual(['held', 'applied', 'applied', 'baseline']);
    const held = await get(`/api/v1/imports/${heldId}`, 'alice');
    expect(held).toMatchObject({ status: 'held', rowsRejected: 1, preview: { sample: expect.any(Array) } });
    const rejects = await get(`/api/v1/imports/${heldId}/rejects`, 'alice');
    expect(rejects).toMatchObject({ page: 1, pageSize: 100, total: 1, totalIsLowerBound: false });
    expect(rejects.items).toEqual([{ file: s.heldFile, line: expect.any(Number), reason: expect.any(String) }]);
    const unknown = await raw('GET', '/api/v1/imports/00000000-0000-4000-8000-000000000000/rejects', 'alice');
    expect([unknown.status, (await unknown.json()).code]).toEqual([404, 'import_not_found']);

    expect(await post(`/api/v1/imports/${heldId}/confirm`, 'alice', undefined, 202)).toMatchObject({
      importId: heldId,
      confirmedBy: 'principal:alice',
      confirmedAt: expect.any(String),
      state: 'queued',
    });
    await s.failOneOutboxMessage();
    const jobs = await get('/api/v1/jobs', 'alice');
    expect(jobs.runs.length).toBeGreaterThan(1);
    expect(jobs.failedMessages).toEqual([expect.objectContaining({ state: 'failed', error: 'refused by its consumer (test)' })]);
  });

  it('orders: made (201, then 200 for the same Idempotency-Key), approved, rejected, cancelled, retried; listed by card type and age', async () => {
    const [h1, h2, h3] = s.freeHolders(3);
    const order = (h: { national_id: string; profession_code: string }) => ({
      nationalId: h.national_id,
      professionCode: h.profession_code,
      cardType: 'CPS',
      reason: 'manual',
    });
    const made = await call('POST', '/api/v1/orders', 'alice', order(h1));
    const key = { 'idempotency-key': 'console-1' };
    const once = await call('POST', '/api/v1/orders', 'alice', order(h2), 201, key);
    expect((await call('POST', '/api/v1/orders', 'alice', order(h2), 200, key)).id).toBe(once.id);
    const third = await call('POST', '/api/v1/orders', 'alice', order(h3));

    const approved = await post(`/api/v1/orders/${made.id}/approve`, 'bob');
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'principal:bob', content: { nationalId: h1.national_id } });
    expect((await post(`/api/v1/orders/${once.id}/reject`, 'bob', { reason: 'asked twice' })).status).toBe('rejected');
    expect((await post(`/api/v1/orders/${third.id}/cancel`, 'alice', { reason: 'holder called back' })).status).toBe('cancelled');
    const failed = await get(`/api/v1/orders/${s.orders.D}`, 'auditor');
    expect(failed).toMatchObject({ status: 'failed', spoiledCards: [expect.any(Object), expect.any(Object), expect.any(Object)] });
    expect((await post(`/api/v1/orders/${s.orders.D}/retry`, 'alice', { reason: 'new blank cards' })).status).toBe('approved');

    // The work queue's filters: card type, age (one order requested three days ago).
    await ctx.ds.query(`UPDATE card_order SET requested_at = requested_at - interval '3 days' WHERE id = $1`, [third.id]);
    expect((await get('/api/v1/orders?olderThanDays=2', 'alice')).items.map((o: { id: string }) => o.id)).toEqual([third.id]);
    expect((await get('/api/v1/orders?olderThanDays=4', 'alice')).total).toBe(0);
    const all = await get('/api/v1/orders?pageSize=200', 'auditor');
    const cps = await get('/api/v1/orders?cardType=CPS&pageSize=200', 'auditor');
    expect(cps.items.map((o: { id: string }) => o.id)).toEqual(
      all.items.filter((o: { cardType: string }) => o.cardType === 'CPS').map((o: { id: string }) => o.id),
    );
    expect(cps.total).toBeGreaterThanOrEqual(3);
    expect((await get('/api/v1/orders?cardType=CPS&status=cancelled', 'alice')).items.map((o: { id: string }) => o.id)).toEqual([third.id]);
    const bad = await raw('GET', '/api/v1/orders?cardType=CPX&olderThanDays=0', 'alice');
    expect([bad.status, (await bad.json()).detail]).toEqual([
      400,
      expect.stringMatching(/cardType: expected one of CPS, CPF, CPE, CPA.*olderThanDays/),
    ]);
  });

  it('cards, mailing, activation, oppositions and status; the published CRLs', async () => {
    expect(await get('/api/v1/crls', 'helpdesk')).toEqual({
      latest: null,
      history: [],
      links: { crl: '/opposition/crl', deltaCrl: '/opposition/delta-crl', issuerCertificate: '/opposition/issuer.crt' },
    });
    expect((await get(`/api/v1/cards?nationalId=${s.holders.A}`, 'helpdesk')).items).toEqual([
      expect.objectContaining({ cardNumber: s.cards.A, state: 'personalized' }),
    ]);
    const cardBatch = await s.cardLetterBatch();
    expect((await get('/api/v1/mailing/batches', 'auditor')).items).toHaveLength(1);
    const batch = await get(`/api/v1/mailing/batches/${cardBatch}`, 'alice');
    const letterOfB = batch.letterPage.items.find((l: { cardNumber: string }) => l.cardNumber === s.cards.B);
    await get(`/api/v1/mailing/letters?barcode=B${batch.number}-${letterOfB.sequence}`, 'alice');
    expect(await post(`/api/v1/mailing/batches/${cardBatch}/printed`, 'alice')).toMatchObject({ cardsSent: 3 });
    expect(await post(`/api/v1/cards/${s.cards.A}/activation`, 'feed')).toMatchObject({ state: 'active', replaced: null });

    const declaration = { reason: 'loss', channel: 'phone', verification: 'date of birth and address' };
    const opposed = await post(`/api/v1/cards/${s.cards.B}/oppositions`, 'helpdesk', declaration, 201);
    expect(opposed).toMatchObject({ created: true, reason: 'loss', replacementOrderId: expect.any(String) });
    expect(await post(`/api/v1/cards/${s.cards.B}/oppositions`, 'alice', declaration, 200)).toMatchObject({
      id: opposed.id,
      created: false,
    });
    expect(await get(`/api/v1/cards/${s.cards.B}/oppositions`, 'auditor')).toMatchObject({ id: opposed.id, source: 'helpdesk' });
    expect(await post(`/api/v1/mailing/letters/${letterOfB.id}/returned`, 'alice')).toMatchObject({ oppositionRequested: false });
    expect((await get(`/api/v1/cards/${s.cards.A}/status`, 'feed')).status).toBe('valid');
    expect(await get(`/api/v1/cards/${s.cards.B}/status`, 'feed')).toMatchObject({ status: 'opposed', reason: 'loss' });
    expect(await get('/api/v1/cards/9999999999/status', 'feed')).toEqual({ cardNumber: '9999999999', status: 'unknown' });
    expect((await get(`/api/v1/cards/${s.cards.A}`, 'helpdesk')).timeline.at(-1).step).toBe('active');

    const pinBatch = await s.pinLetterBatch();
    await post(`/api/v1/mailing/batches/${pinBatch}/printed`, 'bob');
    const pinOf = async (card: string) =>
      (await get(`/api/v1/cards/${card}`, 'alice')).letters.find(
        (l: { kind: string; reprintOf: string | null }) => l.kind === 'pin-letter',
      );
    const asked = await post(`/api/v1/mailing/letters/${(await pinOf(s.cards.A)).id}/reprint`, 'alice', { reason: 'lost it' }, 201);
    expect((await get('/api/v1/mailing/reprints', 'auditor')).items).toHaveLength(1);
    expect(await post(`/api/v1/mailing/reprints/${asked.requestId}/approve`, 'bob')).toMatchObject({ state: 'approved' });
    const other = await post(`/api/v1/mailing/letters/${(await pinOf(s.cards.C)).id}/reprint`, 'alice', { reason: 'lost it' }, 201);
    expect(await post(`/api/v1/mailing/reprints/${other.requestId}/reject`, 'bob')).toEqual({
      requestId: other.requestId,
      state: 'rejected',
      letterId: null,
    });

    expect((await runCli(['crl:publish', '--json'], env)).code).toBe(0);
    const crls = await get('/api/v1/crls', 'alice');
    expect(crls.latest).toMatchObject({ entries: 1, deltaCrlNumber: crls.latest.crlNumber + 1, deltaEntries: 0 });
    expect(crls.history.map((p: { kind: string }) => p.kind)).toEqual(['delta', 'full']);
  });

  it('encoders, the audit trail and its checkpoints', async () => {
    const fleet = new EncoderFleetService(ctx.ds, ctx.audit, testConfig());
    const station = await fleet.register({ host: 'console', reader: 'Reader 0/1', driver: 'pcsc', processId: 'console:1' });
    for (let i = 0; i < 3; i++) await fleet.recordCard(station, { ok: false, error: 'CREATE FILE DF.CPX: 6581 memory failure' });
    expect((await get('/api/v1/encoders', 'alice')).items).toEqual([expect.objectContaining({ id: station, state: 'error' })]);
    expect(await post(`/api/v1/encoders/${encodeURIComponent(station)}/reset`, 'alice')).toMatchObject({
      state: 'idle',
      resetBy: 'principal:alice',
    });

    expect((await runCli(['audit:checkpoint', '--json'], env)).code).toBe(0);
    const trail = await get('/api/v1/audit?pageSize=1000', 'auditor');
    expect(trail.checkpoint).not.toBeNull();
    expect(trail.entries.length).toBeGreaterThan(20);
    await get('/api/v1/audit?entity=card_order&pageSize=5', 'auditor');
    expect((await get('/api/v1/audit/checkpoints', 'auditor')).keys).toHaveLength(1);
    // The check audit:verify makes, by the API with the development key's public half: the chain holds to the checkpoint.
    const check = await get('/api/v1/audit/verification', 'auditor');
    expect(check).toMatchObject({ ok: true, firstBadEntry: null, problems: [], checkpoints: { file: 'checkpoints.jsonl' } });
    expect(check.checkpoints.checked).toBeGreaterThan(0);
  });

  it('search by a name, a national identifier, a card number; a session: password set through its link, signed in, read, signed out', async () => {
    const holder = await get(`/api/v1/professionals/${s.holders.A}`, 'helpdesk');
    const byName = await get(`/api/v1/search?q=${encodeURIComponent(`${holder.lastName} ${holder.firstName}`)}&pageSize=100`, 'helpdesk');
    expect(byName).toMatchObject({ kind: 'name', page: 1, pageSize: 100 });
    expect(byName.items.map((i: { nationalId: string }) => i.nationalId)).toContain(s.holders.A);
    expect(await get(`/api/v1/search?q=${s.holders.A}`, 'alice')).toMatchObject({
      query: s.holders.A,
      kind: 'nationalId',
      total: 1,
      items: [{ nationalId: s.holders.A, ceased: false }],
    });
    expect(await get(`/api/v1/search?q=${s.cards.A}`, 'auditor')).toMatchObject({
      kind: 'cardNumber',
      items: [{ nationalId: s.holders.A, matchedCard: { cardNumber: s.cards.A, status: 'active' } }],
    });

    const made = await runCli(['users:create', '--role', 'helpdesk', '--name', 'Agent Documenté', '--json'], env);
    expect(made.code).toBe(0);
    const password = 'une session comme la console la voit';
    expect(
      await call('POST', '/api/v1/session/password', null, { token: linkToken(made.json.setPasswordUrl), password }, 204),
    ).toBeUndefined();
    const signedIn = await exchange('POST', '/api/v1/session', null, { login: 'agent documenté', password }, 200);
    expect(signedIn.json).toMatchObject({ principal: { name: 'Agent Documenté' }, roles: ['helpdesk'] });
    const cookie = signedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^(__Host-)?cps_session=\S+$/);
    expect(await call('GET', '/api/v1/session', null, undefined, 200, { cookie })).toMatchObject({ csrfToken: signedIn.json.csrfToken });
    await call('DELETE', '/api/v1/session', null, undefined, 204, { cookie, 'x-csrf-token': signedIn.json.csrfToken });
    expect((await raw('GET', '/api/v1/session', null, undefined, { cookie })).status).toBe(401);
  });

  it('checked an answer of every route the console uses, each as its operation documents it', () => {
    const checked = [...documented.checked].flatMap(([op, statuses]) => [...statuses].map((st) => `${op} ${st}`));
    expect(CONSOLE_OPERATIONS.filter((op) => !checked.includes(op))).toEqual([]);
    // OpenAPI 3.0 has one type per schema: a list of types is how nestjs-zod's nullable bug shows (see answers.ts).
    const typeLists: string[] = [];
    const walk = (o: unknown, path: string) => {
      if (!o || typeof o !== 'object') return;
      if (Array.isArray((o as { type?: unknown }).type)) typeLists.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
    };
    walk(documented.doc, 'doc');
    expect(typeLists).toEqual([]);
  });

  it('refuses an answer its schema does not allow: a field not declared, a wrong type, a missing field, a value out of its enum', async () => {
    const order = await get(`/api/v1/orders/${s.orders.A}`, 'auditor');
    const problems = (body: unknown) => documented.problems('GET', `/api/v1/orders/${s.orders.A}`, 200, body);
    expect(problems(order)).toEqual([]);
    expect(problems({ ...order, pin: '1234' })).toEqual([expect.stringContaining('Unrecognized key: "pin"')]);
    expect(problems({ ...order, requestedAt: Date.parse(order.requestedAt) })).toEqual([expect.stringContaining('requestedAt')]);
    const { status: _status, ...withoutStatus } = order;
    expect(problems(withoutStatus)).toEqual([expect.stringContaining('status')]);
    expect(problems({ ...order, status: 'lost' })).toEqual([expect.stringContaining('status')]);
    expect(problems({ ...order, letters: [{ ...order.letters[0], content: 'the letter' }] })).toEqual([
      expect.stringContaining('letters.0'),
    ]);
    // A schema that says something the route does not answer fails too: here, a field it never has.
    const doc = structuredClone(documented.doc) as OpenApiDocument & { components: { schemas: Record<string, any> } };
    doc.components.schemas.OrderDetail_Output.required.push('approvedTwice');
    doc.components.schemas.OrderDetail_Output.properties.approvedTwice = { type: 'boolean' };
    expect(new DocumentedAnswers(doc).problems('GET', `/api/v1/orders/${s.orders.A}`, 200, order)).toEqual([
      expect.stringContaining('approvedTwice'),
    ]);
    // An answer without content (204) has no body, and the document declares it so (checked on a
    // copy of the document: what the shared one records as checked must come from real answers).
    const own = new DocumentedAnswers(structuredClone(documented.doc));
    expect(own.problems('DELETE', '/api/v1/session', 204, undefined)).toEqual([]);
    expect(own.problems('DELETE', '/api/v1/session', 204, {})).toEqual([expect.stringContaining('the answer has a body')]);
    doc.paths['/api/v1/session'].delete.responses!['204'].content = { 'application/json': { schema: { type: 'object' } } };
    expect(new DocumentedAnswers(doc).problems('DELETE', '/api/v1/session', 204, undefined)).toEqual([
      'DELETE /api/v1/session 204: the document declares a content for an answer that has none',
    ]);
    delete doc.paths['/api/v1/session'].delete.responses!['204'];
    expect(new DocumentedAnswers(doc).problems('DELETE', '/api/v1/session', 204, undefined)).toEqual([
      'DELETE /api/v1/session 204: the document declares no such answer',
    ]);
    // And a route that declares no schema for its answer is no proof of anything.
    delete doc.paths['/api/v1/orders/{id}'].get.responses!['200'].content;
    expect(new DocumentedAnswers(doc).problems('GET', `/api/v1/orders/${s.orders.A}`, 200, order)).toEqual([
      'GET /api/v1/orders/{id} 200: the document declares no JSON schema for this answer',
    ]);
  });

  it('never answers a code: the codes of every card made here are in no answer', () => {
    expect(s.codes.size).toBe(4);
    expect(answers.length).toBeGreaterThan(50);
    const all = answers.join('\n');
    for (const c of s.codes.values()) expect(findCodeLeaks(all, c)).toEqual([]);
  });
});
