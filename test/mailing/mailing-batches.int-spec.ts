import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokensService } from '../../src/common/auth/tokens.service';
import { Clock } from '../../src/common/clock/clock';
import { JobsService } from '../../src/common/jobs/jobs.service';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardsOpposedHandler, CardsPersonalizedHandler } from '../../src/mailing/card-events.handler';
import { CodeVaultService } from '../../src/mailing/code-vault.service';
import { MailingBatchesService } from '../../src/mailing/mailing-batches.service';
import { MailingLettersService } from '../../src/mailing/mailing-letters.service';
import { OrdersApprovedHandler } from '../../src/mailing/orders-approved.handler';
import { CardsService } from '../../src/orders/cards.service';
import { OrderActor, OrdersService } from '../../src/orders/orders.service';
import { openContext, TestContext, testConfig } from '../support/context';
import { activeHolders, approvedOrders, type Holder } from '../support/orders';
import { testVault } from '../support/vault';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');

/**
 * Mailing batches (issue 11) over a real database, the letters drawn by the built worker
 * (npm run build first): card letters for the cards personalized, PIN letters only
 * PIN_LETTER_DELAY_DAYS after, each with its own codes and never the full card number,
 * printing that sends the cards, returned mail, reprints decided by a second principal.
 */
describe(MailingBatchesService.name, () => {
  let ctx: TestContext;
  let dir: string;
  let vault: CodeVaultService;
  let cards: CardsService;
  let batches: MailingBatchesService;
  let letters: MailingLettersService;
  /** The same, two days on: the day of the PIN letters' batch, when it may be recorded printed. */
  let lettersInTwoDays: MailingLettersService;
  let holders: Holder[];
  let alice: OrderActor;
  let orders: OrdersService;
  let outbox: OutboxService;
  let bob: OrderActor;
  /** order id → card number, for the cards made here. */
  const cardOf = new Map<string, string>();

  const text = (pdf: string) => execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  const plusDays = (day: string, n: number) => {
    const d = new Date(`${day}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };

  beforeAll(async () => {
    ctx = await openContext('mailing-batches');
    dir = mkdtempSync(join(tmpdir(), 'mailing-'));
    const cfg = testConfig({ DATA_DIR: dir, HELPDESK_PHONE: '01 45 67 89 10' });
    outbox = new OutboxService();
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, cfg, ctx.clock, outbox);
    cards = new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock);
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
    letters = new MailingLettersService(ctx.ds, ctx.audit, cards, orders, ctx.clock, cfg);
    const inTwoDays = Clock.startingAt(new Date(ctx.clock.now().getTime() + 2 * 24 * 3600 * 1000));
    lettersInTwoDays = new MailingLettersService(ctx.ds, ctx.audit, cards, orders, inTwoDays, cfg);
    await ctx.imports.run({ files: [day1], actor: 't' });
    holders = await activeHolders(ctx, 12);
    const tokens = new TokensService(ctx.ds, ctx.audit);
    for (const [name, set] of [
      ['alice', (a: OrderActor) => (alice = a)],
      ['bob', (a: OrderActor) => (bob = a)],
    ] as const) {
      const p = await tokens.verify((await tokens.create({ role: 'operator', principal: name }, 'test')).token);
      set({ actor: `principal:${name}`, principalId: p!.principalId, kind: p!.kind });
    }
    // Six orders approved, their codes issued, their cards personalized (as the station records them).
    const ids = await approvedOrders(ctx, orders, holders, 6);
    await new OrdersApprovedHandler(ctx.ds, vault, outbox).consume(ids);
    for (const [i, id] of ids.entries()) {
      const number = `99100000${String(i).padStart(2, '0')}`;
      await ctx.ds.query(
        `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, last_name, first_name,
                           valid_from, valid_until, state, order_id, source)
         SELECT $1, o.card_type, 'CPS4', o.national_id, o.national_id, o.profession_code, 'NOM', 'Prénom', DATE '2026-11-30',
                DATE '2032-11-29', 'personalized', o.id, 'order'
           FROM card_order o WHERE o.id = $2`,
        [number, id],
      );
      await ctx.ds.query(`UPDATE card_order SET status = 'personalized' WHERE id = $1`, [id]);
      cardOf.set(id, number);
    }
    // As personalization does: the event in the outbox; no worker delivers it, the batch catches up.
    await ctx.ds.transaction((em) => cards.personalized(em, [...cardOf.values()]));
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes one card-letter batch of the personalized cards: a PDF of one page each, owner-only, its manifest without a code', async () => {
    const today = ctx.clock.today();
    const r = await batches.run({ kind: 'card-letter', actor: 'test' });
    expect(r).toMatchObject({ kind: 'card-letter', asOf: today, letters: 6, pages: 6, held: 0, resumed: false });
    expect(statSync(r.path!).mode & 0o777).toBe(0o600);
    const pdf = text(r.path!);
    for (const n of cardOf.values()) expect(pdf).toContain(n);
    expect(pdf).toContain('01 45 67 89 10');
    const manifest = readFileSync(r.manifestPath!, 'utf8');
    expect(manifest.trim().split(/\r?\n/)).toHaveLength(7);
    // A second run the same day finds nothing due.
    expect(await batches.run({ kind: 'card-letter', actor: 'test' })).toMatchObject({ batchId: null, letters: 0 });
    // The job runs say what was done.
    const runs = await ctx.ds.query(`SELECT state, result FROM job_run WHERE kind = 'mailing-batch' ORDER BY created_at`);
    expect(runs.map((x: { state: string }) => x.state)).toEqual(['succeeded', 'succeeded']);
  });

  it('makes PIN letters only PIN_LETTER_DELAY_DAYS after the card letters, each with its own codes and the last 4 digits only', async () => {
    const today = ctx.clock.today();
    expect(await batches.run({ kind: 'pin-letter', actor: 'test' })).toMatchObject({ batchId: null, letters: 0 });
    expect(await batches.run({ kind: 'pin-letter', asOf: plusDays(today, 1), actor: 'test' })).toMatchObject({ batchId: null });
    const r = await batches.run({ kind: 'pin-letter', asOf: plusDays(today, 2), actor: 'test' });
    expect(r).toMatchObject({ letters: 6, pages: 6 });
    const pages = text(r.path!).split('\f');
    const { codes } = await vault.codesForLetters([...cardOf.keys()]);
    for (const [orderId, number] of cardOf) {
      const page = pages.find((p) => p.includes(`se terminant par ${number.slice(-4)}`));
      expect(page).toBeDefined();
      const c = codes.get(orderId)!;
      expect(page).toContain(c.pin);
      expect(page).toContain(c.puk);
      expect(page).not.toContain(number);
    }
    const manifest = readFileSync(r.manifestPath!, 'utf8');
    for (const c of codes.values()) {
      expect(manifest).not.toContain(c.puk);
    }
  });

  it('refuses a kind it does not know and a day in the past or too far ahead, naming the option', async () => {
    await expect(batches.run({ kind: 'leaflet' as never, actor: 'test' })).rejects.toMatchObject({ code: 'mailing_invalid' });
    await expect(batches.run({ kind: 'pin-letter', asOf: '2020-01-01', actor: 'test' })).rejects.toThrow(/--as-of 2020-01-01/);
    await expect(batches.run({ kind: 'pin-letter', asOf: plusDays(ctx.clock.today(), 30), actor: 'test' })).rejects.toThrow(
      /at most 7 days/,
    );
  });

  it('records printing (the card letters send their cards), returned mail (opposition asked, replacement ordered), and a reprint decided by another operator', async () => {
    const [cardBatch, pinBatch]: Array<{ id: string; pdf_path: string }> = await ctx.ds.query(
      `SELECT id, pdf_path FROM mailing_batch ORDER BY number`,
    );
    expect(await letters.printed(cardBatch.id, alice)).toMatchObject({ letters: 6, cardsSent: 6, pdf: 'kept', pullOut: [] });
    expect(existsSync(cardBatch.pdf_path)).toBe(true);
    await expect(letters.printed(cardBatch.id, alice)).rejects.toMatchObject({ code: 'batch_not_ready', status: 409 });
    expect((await cards.byNumbers([...cardOf.values()])).map((c) => c.state)).toEqual([...cardOf.values()].map(() => 'sent'));
    const statuses = async () =>
      (await ctx.ds.query(`SELECT DISTINCT status FROM card_order WHERE id = ANY($1::uuid[])`, [[...cardOf.keys()]])).map(
        (r: { status: string }) => r.status,
      );
    expect(await statuses()).toEqual(['card-letter-sent']);
    // The PIN letters' batch is of two days on: recorded printed on that day, not before; then its PDF is deleted.
    await expect(letters.printed(pinBatch.id, alice)).rejects.toMatchObject({ code: 'batch_not_due', status: 409 });
    expect(existsSync(pinBatch.pdf_path)).toBe(true);
    expect(await lettersInTwoDays.printed(pinBatch.id, alice)).toMatchObject({ letters: 6, cardsSent: 0, pdf: 'removed', pullOut: [] });
    expect(await statuses()).toEqual(['pin-letter-sent']);
    expect(existsSync(pinBatch.pdf_path)).toBe(false);
    expect((await ctx.ds.query(`SELECT pdf_path FROM mailing_batch WHERE id = $1`, [pinBatch.id]))[0].pdf_path).toBeNull();

    const [returned]: Array<{ id: string; card_number: string }> = await ctx.ds.query(
      `SELECT id, card_number FROM mailing_letter WHERE kind = 'card-letter' ORDER BY sequence LIMIT 1`,
    );
    const r = await letters.returned(returned.id, alice);
    expect(r).toMatchObject({ cardNumber: returned.card_number, oppositionRequested: true, replacementOrderId: expect.any(String) });
    const [replacement] = await ctx.ds.query(`SELECT reason, replaces_card, status FROM card_order WHERE id = $1`, [r.replacementOrderId]);
    expect(replacement).toEqual({ reason: 'replacement', replaces_card: returned.card_number, status: 'approved' });
    const [request] = await ctx.ds.query(`SELECT reason, source FROM opposition_request WHERE card_number = $1`, [returned.card_number]);
    expect(request).toEqual({ reason: 'non-receipt', source: 'mailing' });
    await expect(letters.returned(returned.id, alice)).rejects.toMatchObject({ code: 'letter_not_printed' });

    const [pin]: Array<{ id: string }> = await ctx.ds.query(
      `SELECT id FROM mailing_letter WHERE kind = 'pin-letter' AND card_number <> $1 ORDER BY sequence LIMIT 1`,
      [returned.card_number],
    );
    const { requestId } = await letters.requestReprint(pin.id, alice, 'the holder lost the letter');
    await expect(letters.decideReprint(requestId, alice, true)).rejects.toMatchObject({ code: 'reprint_not_allowed', status: 403 });
    const decided = await letters.decideReprint(requestId, bob, true);
    expect(decided).toMatchObject({ state: 'approved', letterId: expect.any(String) });
    const [reprint] = await ctx.ds.query(`SELECT state, reprint_of FROM mailing_letter WHERE id = $1`, [decided.letterId]);
    expect(reprint).toEqual({ state: 'waiting', reprint_of: pin.id });
  });

  it('destroys the codes once the reprint window has passed (not before; a reprint waiting keeps nothing); a reprint is then refused, saying why', async () => {
    // The letters of the codes were recorded printed on their day, two days on (a clock two days ahead): the window closes 32 days on.
    const now = new Date();
    const day = 24 * 3600 * 1000;
    expect(await batches.destroyPastWindow(new Date(now.getTime() + 31 * day))).toBe(0);
    const waiting: Array<{ order_id: string }> = await ctx.ds.query(
      `SELECT order_id FROM mailing_letter WHERE kind = 'pin-letter' AND state = 'waiting'`,
    );
    expect(waiting).toHaveLength(1);
    // The window is measured from the first printing: the reprint approved and not yet printed does not keep its codes.
    expect(await batches.destroyPastWindow(new Date(now.getTime() + 33 * day))).toBe(cardOf.size);
    const kept = await ctx.ds.query(`SELECT order_id FROM order_codes WHERE destroyed_at IS NULL AND order_id = ANY($1::uuid[])`, [
      [...cardOf.keys()],
    ]);
    expect(kept).toEqual([]);
    const entries = await ctx.ds.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'codes.destroy' AND details->>'reason' = 'reprint window passed'`,
    );
    expect(entries[0].n).toBe(cardOf.size);
    const [printed]: Array<{ id: string }> = await ctx.ds.query(
      `SELECT l.id FROM mailing_letter l JOIN order_codes k ON k.order_id = l.order_id
        WHERE l.kind = 'pin-letter' AND l.state = 'printed' AND k.destroyed_at IS NOT NULL LIMIT 1`,
    );
    await expect(letters.requestReprint(printed.id, alice, 'lost again')).rejects.toThrow(
      /the codes were destroyed on \d{4}-\d{2}-\d{2} \(reprint window passed\): a new letter of the codes is impossible; the holder asks for a new card/,
    );
  });

  it('finishes a batch interrupted after its letters were numbered: the same letters, once each, none missing', async () => {
    // Two more cards personalized.
    const more = await approvedOrders(ctx, orders, holders, 2);
    await new OrdersApprovedHandler(ctx.ds, vault, outbox).consume(more);
    const numbers: string[] = [];
    for (const [i, id] of more.entries()) {
      const number = `99200000${String(i).padStart(2, '0')}`;
      await ctx.ds.query(
        `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, valid_from, valid_until,
                           state, order_id, source)
         SELECT $1, o.card_type, 'CPS4', o.national_id, o.national_id, o.profession_code, DATE '2026-11-30', DATE '2032-11-29',
                'personalized', o.id, 'order'
           FROM card_order o WHERE o.id = $2`,
        [number, id],
      );
      numbers.push(number);
    }
    await ctx.ds.transaction((em) => cards.personalized(em, numbers));
    await new CardsPersonalizedHandler(ctx.ds, cards, outbox).consume(numbers);
    // Interrupted: numbered, never rendered; and a file left where the PDF goes.
    const { batchId } = await batches.assemble('card-letter', ctx.clock.today(), 'test', null);
    const [{ number }] = await ctx.ds.query(`SELECT number::text FROM mailing_batch WHERE id = $1`, [batchId]);
    writeFileSync(join(dir, 'mailing', `batch-${number}-card-letter.pdf`), 'half a PDF');
    const r = await batches.run({ kind: 'card-letter', actor: 'test' });
    expect(r).toMatchObject({ batchId, resumed: true, letters: 2, pages: 2 });
    const pdf = text(r.path!);
    for (const n of numbers) expect(pdf).toContain(n);
    const perCard = await ctx.ds.query(
      `SELECT card_number, count(*)::int AS n FROM mailing_letter WHERE kind = 'card-letter' AND reprint_of IS NULL GROUP BY card_number`,
    );
    expect(perCard).toHaveLength(cardOf.size + 2);
    expect(perCard.map((x: { n: number }) => x.n)).toEqual(perCard.map(() => 1));
    expect(await batches.run({ kind: 'card-letter', actor: 'test' })).toMatchObject({ batchId: null, letters: 0 });
  });
  it('holds a letter of the codes whose codes were destroyed between its numbering and its drawing, and draws the others', async () => {
    const asOf = plusDays(ctx.clock.today(), 2);
    const { batchId } = await batches.assemble('pin-letter', asOf, 'test', null);
    expect(batchId).not.toBeNull();
    const rows: Array<{ id: string; order_id: string }> = await ctx.ds.query(
      `SELECT id, order_id FROM mailing_letter WHERE batch_id = $1 ORDER BY sequence`,
      [batchId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    await ctx.ds.transaction((em) => vault.destroy(em, [rows[0].order_id], 'card opposed', 'test'));
    const r = await batches.run({ kind: 'pin-letter', asOf, actor: 'test' });
    expect(r).toMatchObject({ batchId, resumed: true, letters: rows.length - 1, pages: rows.length - 1 });
    const [held] = await ctx.ds.query(`SELECT state, held_reason, batch_id FROM mailing_letter WHERE id = $1`, [rows[0].id]);
    expect(held).toEqual({ state: 'held', held_reason: 'the codes were destroyed (card opposed)', batch_id: null });
    const [batch] = await ctx.ds.query(`SELECT letters FROM mailing_batch WHERE id = $1`, [batchId]);
    expect(batch.letters).toBe(rows.length - 1);
  });
});
