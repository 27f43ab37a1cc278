import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { TokensService } from '../../src/common/auth/tokens.service';
import { JobsService } from '../../src/common/jobs/jobs.service';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardsOpposedHandler, CardsPersonalizedHandler } from '../../src/mailing/card-events.handler';
import type { CodeVaultService } from '../../src/mailing/code-vault.service';
import { BatchDetail, BatchesPage, LetterByBarcode, PrintedAnswer, ReprintsPage, ReturnedAnswer } from '../../src/mailing/dto/mailing.dto';
import { MailingBatchesService } from '../../src/mailing/mailing-batches.service';
import { OrdersApprovedHandler } from '../../src/mailing/orders-approved.handler';
import type { CardCodes } from '../../src/mailing/pin-codes';
import { CardsService } from '../../src/orders/cards.service';
import { CardDetail, OrderDetail } from '../../src/orders/dto/views.dto';
import { OrdersService } from '../../src/orders/orders.service';
import { PersonalizationOrdersService } from '../../src/orders/personalization-orders.service';
import { findCodeLeaks } from '../support/code-leaks';
import { openContext, TestContext, testConfig } from '../support/context';
import { apiCaller } from '../support/http';
import { activeHolders, approvedOrders } from '../support/orders';
import { Service, startApi } from '../support/processes';
import { REDIS_URL, testQueuePrefix } from '../support/services';
import { testVault } from '../support/vault';

const day1 = join(__dirname, '..', 'fixtures', 'PS_LibreAcces_Personne_activite_202611250600.txt');

type Card = z.infer<typeof CardDetail.schema>;
type Order = z.infer<typeof OrderDetail.schema>;
type Letter = Card['letters'][number];

/**
 * The card, order and mailing views of the API (issues 11 and 12) through the built API: a
 * card's timeline and letters at each step (personalized, card letter waiting then batched,
 * printed: the card sent, letter of the codes printed, activation: active; an opposed card
 * opposed, with why), its order's timeline, the batches with their letters counted by state,
 * a reprint waiting for a second operator, and never a code in any answer. The cards are
 * personalized and the batches made by the services in this process over the API's database
 * (the letters drawn by the built worker thread: npm run build first).
 */
describe('the card, order and mailing views', () => {
  let ctx: TestContext;
  let dir: string;
  let api: Service & { url: string };
  let batches: MailingBatchesService;
  let vault: CodeVaultService;
  let cards: CardsService;
  const outbox = new OutboxService();
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => api.url, tokens);
  /** Every answer's text, searched for the codes at the end. */
  const answers: string[] = [];
  /** The three cards made here (A active, B opposed, C its card letter returned), and their orders. */
  const cardOf: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
  const orderOf: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
  let codes: Map<string, CardCodes>;

  /** GET `path` as `who`: 200 expected; the JSON, its text kept for the search for codes. */
  const get = async (path: string, who = 'alice') => {
    const r = await call('GET', path, who);
    const text = await r.text();
    answers.push(text);
    expect({ path, status: r.status, text: r.status === 200 ? '' : text }).toEqual({ path, status: 200, text: '' });
    return JSON.parse(text);
  };
  const post = async (path: string, who: string, body?: unknown) => {
    const r = await call('POST', path, who, body);
    const text = await r.text();
    answers.push(text);
    expect({ path, status: r.status < 300, text: r.status < 300 ? '' : text }).toEqual({ path, status: true, text: '' });
    return JSON.parse(text);
  };
  /** A card's view, held to its documented schema (strict: no field it does not declare). */
  const card = async (n: string, who = 'helpdesk'): Promise<Card> => CardDetail.schema.parse(await get(`/api/v1/cards/${n}`, who));
  const order = async (id: string): Promise<Order> => OrderDetail.schema.parse(await get(`/api/v1/orders/${id}`, 'auditor'));
  const steps = (t: Array<{ step: string }>) => t.map((s) => s.step);
  const plusDays = (day: string, n: number) => {
    const d = new Date(`${day}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };

  beforeAll(async () => {
    ctx = await openContext('mailing-api');
    dir = mkdtempSync(join(tmpdir(), 'mailing-api-'));
    const cfg = testConfig({ DATA_DIR: dir });
    const orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, cfg, ctx.clock, outbox);
    cards = new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock);
    const perso = new PersonalizationOrdersService(ctx.ds, cards, ctx.audit, ctx.clock, cfg);
    vault = testVault(ctx.ds, { dataDir: dir }, ctx.audit);
    batches = new MailingBatchesService(
      ctx.ds,
      ctx.audit,
      ctx.rpps,
      cards,
      vault,
      new JobsService(ctx.ds),
      new CardsPersonalizedHandler(ctx.ds, cards, outbox),
      new CardsOpposedHandler(ctx.ds, cards, vault, outbox),
      ctx.clock,
      cfg,
    );
    await ctx.imports.run({ files: [day1], actor: 't' });
    const tokensService = new TokensService(ctx.ds, ctx.audit);
    for (const [who, role] of [
      ['alice', 'operator'],
      ['bob', 'operator'],
      ['helpdesk', 'helpdesk'],
      ['auditor', 'auditor'],
      ['authn', 'batch'],
    ]) {
      tokens[who] = (await tokensService.create({ role, principal: who }, 'test')).token;
    }
    // Three orders approved by policy, their codes issued, their cards personalized as a station records them.
    const ids = await approvedOrders(ctx, orders, await activeHolders(ctx, 3), 3);
    await new OrdersApprovedHandler(ctx.ds, vault, outbox).consume(ids);
    for (const [i, key] of (['A', 'B', 'C'] as const).entries()) {
      const claim = (await perso.claimNext('api/reader', `SIMMAILAPI00${i}`))!;
      const made = await perso.recordPersonalized(claim, `SIMMAILAPI00${i}`);
      cardOf[key] = made.cardNumber;
      orderOf[key] = claim.orderId;
    }
    ({ codes } = await vault.codesForLetters(ids));
    // The spool of the batches made here, shared (the API deletes the PDF of letters of the codes once printed).
    api = await startApi({ DATABASE_URL: ctx.db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('mailing-api'), DATA_DIR: dir });
  });
  afterAll(async () => {
    await api?.stop();
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows a card's timeline and letters at each step, personalized to active, and an opposed card opposed with why", async () => {
    // Personalized: ordered and approved (by policy, at once), personalized; no letter yet.
    let a = await card(cardOf.A);
    expect(a).toMatchObject({ cardNumber: cardOf.A, state: 'personalized', orderId: orderOf.A, letters: [] });
    expect(a.timeline).toEqual([
      { step: 'ordered', at: expect.any(String), by: 'policy', reason: null },
      { step: 'approved', at: a.timeline[0].at, by: 'policy', reason: null },
      { step: 'personalized', at: a.createdAt, by: null, reason: null },
    ]);
    // Mailing learns of the cards: the card letter waits for a batch.
    await new CardsPersonalizedHandler(ctx.ds, cards, outbox).consume(Object.values(cardOf));
    a = await card(cardOf.A);
    expect(a.letters).toEqual([
      expect.objectContaining({ kind: 'card-letter', state: 'waiting', batchId: null, batchNumber: null, sequence: null, printedAt: null }),
    ]);

    // Batched (its letter of the codes now waits for its own batch), then printed: the card is sent, its step
    // dated by its audit entry, by the operator who recorded the printing.
    const cardBatch = await batches.run({ kind: 'card-letter', actor: 'test' });
    expect(cardBatch).toMatchObject({ letters: 3 });
    a = await card(cardOf.A);
    expect(a.letters).toEqual([
      expect.objectContaining({ kind: 'card-letter', state: 'batched', batchId: cardBatch.batchId, batchNumber: cardBatch.number }),
      expect.objectContaining({ kind: 'pin-letter', state: 'waiting', batchId: null, sequence: null }),
    ]);
    expect(a.letters[0].sequence).toEqual(expect.any(Number));
    expect(PrintedAnswer.schema.parse(await post(`/api/v1/mailing/batches/${cardBatch.batchId}/printed`, 'alice'))).toMatchObject({
      kind: 'card-letter',
      letters: 3,
      cardsSent: 3,
      pullOut: [],
      pdf: 'kept',
    });
    a = await card(cardOf.A);
    expect(a.state).toBe('sent');
    expect(steps(a.timeline)).toEqual(['ordered', 'approved', 'personalized', 'sent']);
    expect(a.timeline[3].by).toBe('principal:alice');
    expect(a.letters[0]).toMatchObject({ kind: 'card-letter', state: 'printed', printedAt: expect.any(String) });

    // The letter of the codes, made for two days on: not recorded printed before its day (409 batch_not_due, naming it).
    const inTwoDays = plusDays(ctx.clock.today(), 2);
    const pinBatch = await batches.run({ kind: 'pin-letter', asOf: inTwoDays, actor: 'test' });
    expect(pinBatch).toMatchObject({ letters: 3 });
    const early = await call('POST', `/api/v1/mailing/batches/${pinBatch.batchId}/printed`, 'bob');
    const problem = await early.json();
    expect([early.status, problem.code]).toEqual([409, 'batch_not_due']);
    expect(problem.detail).toContain(`is the batch of ${inTwoDays}`);
    // Two days pass (the batches' days moved back, as the clock would move on): printed, its PDF deleted.
    await ctx.ds.query(`UPDATE mailing_batch SET as_of = as_of - 2`);
    expect(PrintedAnswer.schema.parse(await post(`/api/v1/mailing/batches/${pinBatch.batchId}/printed`, 'bob'))).toMatchObject({
      kind: 'pin-letter',
      letters: 3,
      cardsSent: 0,
      pdf: 'removed',
    });
    expect(existsSync(pinBatch.path!)).toBe(false);
    expect(existsSync(cardBatch.path!)).toBe(true);
    a = await card(cardOf.A);
    expect(a.letters.map((l: Letter) => [l.kind, l.state, l.batchNumber, l.reprintOf])).toEqual([
      ['card-letter', 'printed', cardBatch.number, null],
      ['pin-letter', 'printed', pinBatch.number, null],
    ]);

    // Activation (the authentication service): active, the last step.
    await post(`/api/v1/cards/${cardOf.A}/activation`, 'authn');
    a = await card(cardOf.A, 'auditor');
    expect(a.state).toBe('active');
    expect(steps(a.timeline)).toEqual(['ordered', 'approved', 'personalized', 'sent', 'active']);
    expect(a.timeline[4].by).toBe('principal:authn');
    const times = a.timeline.map((s) => Date.parse(s.at));
    expect(times).toEqual([...times].sort((x, y) => x - y));

    // B, opposed by the helpdesk after its card letter was printed: opposed, with the reason.
    await post(`/api/v1/cards/${cardOf.B}/oppositions`, 'helpdesk', { reason: 'loss', channel: 'phone', verification: 'date of birth' });
    const b = await card(cardOf.B);
    expect(b.state).toBe('opposed');
    expect(b.timeline.at(-1)).toEqual({ step: 'opposed', at: b.opposedAt, by: null, reason: 'loss' });
    expect(steps(b.timeline)).toEqual(['ordered', 'approved', 'personalized', 'sent', 'opposed']);

    // A card that names nothing: 404 with its code; a malformed number: 400.
    const unknown = await call('GET', '/api/v1/cards/9999999999', 'helpdesk');
    expect([unknown.status, (await unknown.json()).code]).toEqual([404, 'card_not_found']);
    expect((await call('GET', '/api/v1/cards/12345', 'helpdesk')).status).toBe(400);
  });

  it("shows an order's timeline from created to closed, with why it closed, and its card's letters", async () => {
    const o = await order(orderOf.A);
    expect(o).toMatchObject({ id: orderOf.A, status: 'closed', cardNumber: cardOf.A, spoiledCards: [] });
    expect(o.timeline.map((s) => [s.step, s.by, s.reason])).toEqual([
      ['created', 'policy', null],
      ['approved', 'policy', null],
      ['personalized', 'personalization', null],
      ['card-letter-sent', 'system:orders', 'card letter printed'],
      ['pin-letter-sent', 'system:orders', 'letter of the codes printed'],
      ['closed', 'system:orders', 'card activated'],
    ]);
    expect(o.letters.map((l) => l.kind)).toEqual(['card-letter', 'pin-letter']);
    const times = o.timeline.map((s) => Date.parse(s.at));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    // B's order closed when its card was opposed.
    expect((await order(orderOf.B)).timeline.at(-1)).toMatchObject({ step: 'closed', reason: 'card opposed' });
    const unknown = await call('GET', '/api/v1/orders/00000000-0000-4000-8000-000000000000', 'auditor');
    expect([unknown.status, (await unknown.json()).code]).toEqual([404, 'order_not_found']);
  });

  it('lists the batches latest first (filtered by kind and state) and shows one with its letters counted by state and paged', async () => {
    const list = BatchesPage.schema.parse(await get('/api/v1/mailing/batches', 'auditor'));
    expect(list).toMatchObject({ page: 1, pageSize: 50, total: 2, totalIsLowerBound: false });
    expect(list.items.map((b) => [b.kind, b.state, b.letters])).toEqual([
      ['pin-letter', 'printed', 3],
      ['card-letter', 'printed', 3],
    ]);
    expect(list.items[0].number).toBeGreaterThan(list.items[1].number);
    const cardBatch = list.items[1];
    expect(BatchesPage.schema.parse(await get('/api/v1/mailing/batches?kind=card-letter&state=printed')).items).toEqual([cardBatch]);
    expect((await get('/api/v1/mailing/batches?state=ready')).items).toEqual([]);

    // C's card letter comes back: the mail room scans its barcode and finds it, then records it returned
    // (a barcode that is not the letter's records nothing); returned, counted so, its order closed.
    const c = await card(cardOf.C, 'alice');
    const returned = c.letters.find((l) => l.kind === 'card-letter')!;
    const barcode = `B${returned.batchNumber}-${returned.sequence}`;
    const scanned = LetterByBarcode.schema.parse(await get(`/api/v1/mailing/letters?barcode=${barcode}`, 'auditor'));
    expect(scanned).toEqual({ ...returned, barcode, cardLast4: cardOf.C.slice(-4) });
    const unknown = await call('GET', `/api/v1/mailing/letters?barcode=B${returned.batchNumber}-99`, 'alice');
    expect([unknown.status, (await unknown.json()).code]).toEqual([404, 'letter_not_found']);
    const malformed = await call('GET', '/api/v1/mailing/letters?barcode=12-3', 'alice');
    expect([malformed.status, (await malformed.json()).detail]).toEqual([400, expect.stringContaining('expected a letter barcode')]);
    const other = `B${returned.batchNumber}-${returned.sequence === 1 ? 2 : 1}`;
    const mismatch = await call('POST', `/api/v1/mailing/letters/${returned.id}/returned`, 'alice', { barcode: other });
    expect([mismatch.status, (await mismatch.json()).code]).toEqual([409, 'letter_barcode_mismatch']);
    expect((await card(cardOf.C, 'alice')).letters[0].state).toBe('printed');
    const tooLong = await call('POST', `/api/v1/mailing/letters/${returned.id}/returned`, 'alice', { comment: 'x'.repeat(1001) });
    expect(tooLong.status).toBe(400);
    const answer = ReturnedAnswer.schema.parse(
      await post(`/api/v1/mailing/letters/${returned.id}/returned`, 'alice', { barcode, comment: 'NPAI stamped on the envelope' }),
    );
    expect(answer).toMatchObject({ letterId: returned.id, cardNumber: cardOf.C, oppositionRequested: true, reason: null });
    const detail = BatchDetail.schema.parse(await get(`/api/v1/mailing/batches/${cardBatch.id}`, 'auditor'));
    expect(detail).toMatchObject({ id: cardBatch.id, number: cardBatch.number, kind: 'card-letter', printedBy: 'principal:alice' });
    expect(detail.counts).toEqual({ batched: 0, printed: 2, returned: 1 });
    expect(detail.letterPage).toMatchObject({ page: 1, pageSize: 50, total: 3 });
    expect(detail.letterPage.items.map((l) => l.sequence)).toEqual([1, 2, 3]);
    expect(detail.letterPage.items.find((l) => l.id === returned.id)).toMatchObject({ state: 'returned', returnedAt: expect.any(String) });
    const second = BatchDetail.schema.parse(await get(`/api/v1/mailing/batches/${cardBatch.id}?page=2&pageSize=2`));
    expect(second.letterPage).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(second.letterPage.items.map((l) => l.sequence)).toEqual([3]);
    expect((await card(cardOf.C)).letters[0]).toMatchObject({ id: returned.id, state: 'returned' });
    expect((await order(orderOf.C)).timeline.at(-1)).toMatchObject({ step: 'closed', reason: 'card-letter returned: the card is opposed' });

    // B's card letter comes back after B was declared lost: recorded (no body, no content type: the route as the contract has it),
    // with no second opposition and no replacement (B's was ordered at its declaration), saying why.
    const bLetter = (await card(cardOf.B, 'alice')).letters.find((l) => l.kind === 'card-letter')!;
    const bare = await fetch(`${api.url}/api/v1/mailing/letters/${bLetter.id}/returned`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    const late = ReturnedAnswer.schema.parse(JSON.parse(await bare.text()));
    expect([bare.status, late]).toEqual([
      200,
      {
        letterId: bLetter.id,
        cardNumber: cardOf.B,
        oppositionRequested: false,
        replacementOrderId: null,
        reason: expect.stringMatching(new RegExp(`^card ${cardOf.B} is already opposed \\(loss, `)),
        lettersHeld: 0,
      },
    ]);

    // Unknown, malformed, filters it does not know.
    const none = await call('GET', '/api/v1/mailing/batches/00000000-0000-4000-8000-000000000000', 'alice');
    expect([none.status, (await none.json()).code]).toEqual([404, 'batch_not_found']);
    expect((await call('GET', '/api/v1/mailing/batches/42', 'alice')).status).toBe(400);
    const badKind = await call('GET', '/api/v1/mailing/batches?kind=leaflet', 'alice');
    expect([badKind.status, (await badKind.json()).detail]).toEqual([400, expect.stringContaining('card-letter, pin-letter')]);
  });

  it('lists the reprints waiting for a second operator, and no longer once decided', async () => {
    const pin = (await card(cardOf.A)).letters.find((l) => l.kind === 'pin-letter')!;
    const { requestId } = await post(`/api/v1/mailing/letters/${pin.id}/reprint`, 'alice', { reason: 'the holder lost the letter' });
    const pending = ReprintsPage.schema.parse(await get('/api/v1/mailing/reprints?state=pending', 'auditor'));
    expect(pending.items).toEqual([
      expect.objectContaining({
        id: requestId,
        state: 'pending',
        letterId: pin.id,
        cardNumber: cardOf.A,
        orderId: orderOf.A,
        reason: 'the holder lost the letter',
        requestedBy: 'principal:alice',
        decidedBy: null,
        reprintLetterId: null,
        batchNumber: pin.batchNumber,
        sequence: pin.sequence,
      }),
    ]);
    expect(await get('/api/v1/mailing/reprints')).toEqual(pending);
    const decided = await post(`/api/v1/mailing/reprints/${requestId}/approve`, 'bob');
    expect((await get('/api/v1/mailing/reprints?state=pending')).items).toEqual([]);
    const approved = ReprintsPage.schema.parse(await get('/api/v1/mailing/reprints?state=approved'));
    expect(approved.items).toEqual([
      expect.objectContaining({ id: requestId, state: 'approved', decidedBy: 'principal:bob', reprintLetterId: decided.letterId }),
    ]);
    expect(ReprintsPage.schema.parse(await get('/api/v1/mailing/reprints?state=all')).total).toBe(1);
    // The reprint is the card's third letter, waiting for the next batch.
    expect((await card(cardOf.A)).letters.at(-1)).toMatchObject({
      id: decided.letterId,
      kind: 'pin-letter',
      state: 'waiting',
      reprintOf: pin.id,
    });
    const bad = await call('GET', '/api/v1/mailing/reprints?state=requested', 'alice');
    expect([bad.status, (await bad.json()).detail]).toEqual([400, expect.stringContaining('pending, approved, rejected, all')]);
  });

  it('documents the views for the console: response schemas, nullable texts as such (never arrays)', async () => {
    // (not kept with the answers searched for codes: its patterns and bounds are runs of digits that name no card)
    const doc: any = await (await fetch(`${api.url}/api/docs-json`)).json();
    const ref = (path: string) => doc.paths[path].get.responses['200'].content['application/json'].schema.$ref as string;
    expect(ref('/api/v1/cards/{cardNumber}')).toBe('#/components/schemas/CardDetail_Output');
    expect(ref('/api/v1/orders/{id}')).toBe('#/components/schemas/OrderDetail_Output');
    expect(ref('/api/v1/mailing/batches')).toBe('#/components/schemas/BatchesPage_Output');
    expect(ref('/api/v1/mailing/batches/{id}')).toBe('#/components/schemas/BatchDetail_Output');
    expect(ref('/api/v1/mailing/reprints')).toBe('#/components/schemas/ReprintsPage_Output');
    expect(ref('/api/v1/mailing/letters')).toBe('#/components/schemas/LetterByBarcode_Output');
    const postRef = (path: string) => doc.paths[path].post.responses['200'].content['application/json'].schema.$ref as string;
    expect(postRef('/api/v1/mailing/batches/{id}/printed')).toBe('#/components/schemas/PrintedAnswer_Output');
    expect(postRef('/api/v1/mailing/letters/{id}/returned')).toBe('#/components/schemas/ReturnedAnswer_Output');
    // Its body is optional (the route works without one), and documented.
    const returnedBody = doc.paths['/api/v1/mailing/letters/{id}/returned'].post.requestBody;
    expect(returnedBody.required).toBe(false);
    expect(Object.keys(doc.components.schemas.ReturnedBody.properties).sort()).toEqual(['barcode', 'comment']);
    const cardSchema = doc.components.schemas.CardDetail_Output;
    expect(cardSchema.properties.generation).toMatchObject({ type: 'string', nullable: true });
    expect(cardSchema.properties.timeline.items.properties.by).toMatchObject({ type: 'string', nullable: true });
    // OpenAPI 3.0 has one type per schema: a list of types is how the nullable-text bug shows (see views.dto.ts).
    const typeLists: string[] = [];
    const walk = (o: unknown, path: string) => {
      if (!o || typeof o !== 'object') return;
      if (Array.isArray((o as { type?: unknown }).type)) typeLists.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
    };
    walk(doc.components.schemas, 'components.schemas');
    expect(typeLists).toEqual([]);
  });

  it('never answers a code: the codes of every card made here are in no answer', () => {
    expect(codes.size).toBe(3);
    expect(answers.length).toBeGreaterThan(20);
    const all = answers.join('\n');
    for (const c of codes.values()) expect(findCodeLeaks(all, c)).toEqual([]);
  });
});
