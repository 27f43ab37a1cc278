import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokensService } from '../../src/common/auth/tokens.service';
import { Clock } from '../../src/common/clock/clock';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardsPersonalizedHandler } from '../../src/mailing/card-events.handler';
import { LETTER_RETURNED } from '../../src/mailing/mailing.entities';
import { MailingLettersService } from '../../src/mailing/mailing-letters.service';
import { MailingReadsService } from '../../src/mailing/mailing-reads.service';
import { OrdersApprovedHandler } from '../../src/mailing/orders-approved.handler';
import { CardsService } from '../../src/orders/cards.service';
import { OrderActor, OrdersService } from '../../src/orders/orders.service';
import { openContext, TestContext, testConfig } from '../support/context';
import { activeHolders, approvedOrders, type Holder, orderByPolicy } from '../support/orders';
import { testVault } from '../support/vault';

const day1 = join(__dirname, '..', 'fixtures', 'PS_LibreAcces_Personne_activite_202611250600.txt');
const DAY = 24 * 3600 * 1000;

/**
 * What happens to letters once they are in a batch (issue 11; the attacker review's findings
 * 1-5, 12, 13, 16), over a real database. The batches are put together here in SQL, ready as a
 * render leaves them (a real run is mailing-batches.int-spec.ts): printing is recorded on the
 * batch's day and not before, letters of the codes only after their card letters, the letters
 * of cards opposed, returned or whose opposition is asked for are pulled out, and the PDF of
 * letters of the codes is deleted; returned mail checks the envelope's barcode, holds the
 * card's other letters, and neither opposes again nor orders a replacement that would be
 * spurious; a reprint approved and not printed yet blocks another.
 */
describe(MailingLettersService.name, () => {
  let ctx: TestContext;
  let dir: string;
  let cards: CardsService;
  let orders: OrdersService;
  let letters: MailingLettersService;
  let reads: MailingReadsService;
  let alice: OrderActor;
  let bob: OrderActor;
  let holders: Holder[];
  /** Eight cards personalized here, 0 to 7, and their orders. */
  const card: string[] = [];
  const orderOf: string[] = [];

  const letterOf = async (cardIndex: number, kind: 'card-letter' | 'pin-letter'): Promise<{ id: string; state: string }> =>
    (
      await ctx.ds.query(`SELECT id, state FROM mailing_letter WHERE card_number = $1 AND kind = $2 AND reprint_of IS NULL`, [
        card[cardIndex],
        kind,
      ])
    )[0];
  /** A batch as a render leaves it (ready), of these letters in this order, for `asOf` (today unless given). */
  const readyBatch = async (kind: 'card-letter' | 'pin-letter', letterIds: string[], asOf = ctx.clock.today()) => {
    const [b]: Array<{ id: string; number: string }> = await ctx.ds.query(
      `INSERT INTO mailing_batch (kind, as_of, letters, pages, state, rendered_at, created_by) VALUES ($1, $2, $3, $3, 'ready', now(), 'test')
       RETURNING id, number::text`,
      [kind, asOf, letterIds.length],
    );
    await ctx.ds.query(
      `UPDATE mailing_letter l SET state = 'batched', batch_id = $1, sequence = u.seq, address_lines = '["DR NOM", "75001 PARIS"]'
         FROM unnest($2::uuid[]) WITH ORDINALITY AS u(id, seq) WHERE l.id = u.id`,
      [b.id, letterIds],
    );
    if (kind === 'card-letter') {
      // As assembly does: each card's letter of the codes waits for its own batch.
      await ctx.ds.query(
        `INSERT INTO mailing_letter (kind, card_number, order_id, state)
         SELECT 'pin-letter', card_number, order_id, 'waiting' FROM mailing_letter WHERE id = ANY($1::uuid[])`,
        [letterIds],
      );
    }
    return { id: b.id, number: Number(b.number) };
  };
  /** A file where the renderer writes the batch's PDF, recorded as its PDF. */
  const pdfOf = async (batch: { id: string; number: number }, kind: string) => {
    const path = join(dir, 'mailing', `batch-${batch.number}-${kind}.pdf`);
    writeFileSync(path, '%PDF-1.7 test', { mode: 0o600 });
    await ctx.ds.query(`UPDATE mailing_batch SET pdf_path = $2 WHERE id = $1`, [batch.id, path]);
    return path;
  };
  const barcodeOf = async (letterId: string): Promise<string> => {
    const [l] = await ctx.ds.query(
      `SELECT b.number::text AS number, l.sequence FROM mailing_letter l JOIN mailing_batch b ON b.id = l.batch_id WHERE l.id = $1`,
      [letterId],
    );
    return `B${l.number}-${l.sequence}`;
  };
  const state = async (table: 'mailing_batch' | 'mailing_letter' | 'card', id: string) =>
    (await ctx.ds.query(`SELECT state FROM ${table} WHERE ${table === 'card' ? 'card_number' : 'id'} = $1`, [id]))[0].state;
  const oppositionRequests = async (cardNumber: string) =>
    (await ctx.ds.query(`SELECT count(*)::int AS n FROM opposition_request WHERE card_number = $1`, [cardNumber]))[0].n;

  beforeAll(async () => {
    ctx = await openContext('mailing-letters');
    dir = mkdtempSync(join(tmpdir(), 'mailing-letters-'));
    mkdirSync(join(dir, 'mailing'), { mode: 0o700 });
    // A replacement waits for an operator: who may approve it is what finding 12 is about.
    const cfg = testConfig({ DATA_DIR: dir, OPPOSITION_REPLACEMENT: 'operator' });
    const outbox = new OutboxService();
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, cfg, ctx.clock, outbox);
    cards = new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock);
    const vault = testVault(ctx.ds, { dataDir: dir }, ctx.audit);
    letters = new MailingLettersService(ctx.ds, ctx.audit, cards, orders, ctx.clock, cfg);
    reads = new MailingReadsService(ctx.ds);
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
    const ids = await approvedOrders(ctx, orders, holders, 8);
    await new OrdersApprovedHandler(ctx.ds, vault, outbox).consume(ids);
    for (const [i, id] of ids.entries()) {
      const number = `99300000${String(i).padStart(2, '0')}`;
      await ctx.ds.query(
        `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, last_name, first_name,
                           valid_from, valid_until, state, order_id, source)
         SELECT $1, o.card_type, 'CPS4', o.national_id, o.national_id, o.profession_code, 'NOM', 'Prénom', DATE '2026-11-30',
                DATE '2032-11-29', 'personalized', o.id, 'order'
           FROM card_order o WHERE o.id = $2`,
        [number, id],
      );
      await ctx.ds.query(`UPDATE card_order SET status = 'personalized' WHERE id = $1`, [id]);
      card.push(number);
      orderOf.push(id);
    }
    await new CardsPersonalizedHandler(ctx.ds, cards, outbox).consume(card);
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a batch printed on its day, not before (batch_not_due, naming the day); card letters keep their PDF', async () => {
    const tomorrow = Clock.startingAt(new Date(ctx.clock.now().getTime() + DAY)).today();
    const first = await readyBatch(
      'card-letter',
      await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => (await letterOf(i, 'card-letter')).id)),
      tomorrow,
    );
    const pdf = await pdfOf(first, 'card-letter');
    const early = letters.printed(first.id, alice);
    await expect(early).rejects.toMatchObject({ code: 'batch_not_due', status: 409, extra: { asOf: tomorrow } });
    await expect(early).rejects.toThrow(new RegExp(`batch ${first.number} is the batch of ${tomorrow}.*today is ${ctx.clock.today()}`));
    expect(await state('mailing_batch', first.id)).toBe('ready');
    expect(await state('card', card[0])).toBe('personalized');
    // The next day, it is.
    const tomorrowsLetters = new MailingLettersService(
      ctx.ds,
      ctx.audit,
      cards,
      orders,
      Clock.startingAt(new Date(ctx.clock.now().getTime() + DAY)),
      testConfig({ DATA_DIR: dir }),
    );
    expect(await tomorrowsLetters.printed(first.id, alice)).toEqual({
      batchId: first.id,
      number: first.number,
      kind: 'card-letter',
      letters: 6,
      cardsSent: 6,
      pullOut: [],
      pdf: 'kept',
    });
    expect(existsSync(pdf)).toBe(true);
    expect((await cards.byNumbers(card.slice(0, 6))).map((c) => c.state)).toEqual(Array(6).fill('sent'));
  });

  it('pulls out the card letter of a card opposed meanwhile: not printed, its card not sent', async () => {
    const second = await readyBatch('card-letter', [(await letterOf(6, 'card-letter')).id, (await letterOf(7, 'card-letter')).id]);
    await ctx.ds.transaction((em) => cards.oppose(em, card[7], 'loss'));
    const r = await letters.printed(second.id, alice);
    expect(r).toMatchObject({ letters: 1, cardsSent: 1 });
    expect(r.pullOut).toEqual([
      { letterId: (await letterOf(7, 'card-letter')).id, sequence: 2, cardLast4: card[7].slice(-4), reason: 'card opposed' },
    ]);
    expect(await letterOf(7, 'card-letter')).toMatchObject({ state: 'batched' });
    expect(await state('card', card[6])).toBe('sent');
    expect(await state('card', card[7])).toBe('opposed');
    const [entry] = await ctx.ds.query(`SELECT details FROM audit_log WHERE action = 'mailing.batch.printed' AND entity_id = $1`, [
      second.id,
    ]);
    expect(entry.details.pulledOut).toEqual([{ letterId: r.pullOut[0].letterId, sequence: 2, reason: 'card opposed' }]);
  });

  it('records letters of the codes printed only once their card letters are, then deletes their PDF (audited by batch number)', async () => {
    // Card 6's card letter printed; card 5's too. A batch of the codes with them both and the letter of a card whose card letter is not printed.
    await ctx.ds.query(`UPDATE mailing_letter SET state = 'batched', printed_at = NULL WHERE card_number = $1 AND kind = 'card-letter'`, [
      card[6],
    ]);
    const pins = await readyBatch('pin-letter', [(await letterOf(5, 'pin-letter')).id, (await letterOf(6, 'pin-letter')).id]);
    const pdf = await pdfOf(pins, 'pin-letter');
    await expect(letters.printed(pins.id, alice)).rejects.toMatchObject({
      code: 'card_letters_not_printed',
      status: 409,
      extra: { sequences: [2] },
    });
    expect(await state('mailing_batch', pins.id)).toBe('ready');
    expect(existsSync(pdf)).toBe(true);
    await ctx.ds.query(`UPDATE mailing_letter SET state = 'printed', printed_at = now() WHERE card_number = $1 AND kind = 'card-letter'`, [
      card[6],
    ]);

    const r = await letters.printed(pins.id, alice);
    expect(r).toMatchObject({ kind: 'pin-letter', letters: 2, cardsSent: 0, pullOut: [], pdf: 'removed' });
    expect(existsSync(pdf)).toBe(false);
    const [batch] = await ctx.ds.query(`SELECT state, pdf_path, manifest_path FROM mailing_batch WHERE id = $1`, [pins.id]);
    expect(batch).toEqual({ state: 'printed', pdf_path: null, manifest_path: null });
    const entries = await ctx.ds.query(
      `SELECT actor, details FROM audit_log WHERE action = 'mailing.batch.pdf-removed' AND entity_id = $1 ORDER BY id`,
      [pins.id],
    );
    expect(entries).toEqual([
      { actor: 'principal:alice', details: { number: pins.number, kind: 'pin-letter', file: `batch-${pins.number}-pin-letter.pdf` } },
    ]);
  });

  it('leaves the PDF of a printed batch of the codes that is not in its spool to the spool owner, who counts one already gone as deleted', async () => {
    const elsewhere = await readyBatch('pin-letter', [(await letterOf(0, 'pin-letter')).id]);
    // Written by a worker on another host: the API does not see it.
    const other = join(dir, 'other-host', 'mailing', `batch-${elsewhere.number}-pin-letter.pdf`);
    await ctx.ds.query(`UPDATE mailing_batch SET pdf_path = $2 WHERE id = $1`, [elsewhere.id, other]);
    expect(await letters.printed(elsewhere.id, alice)).toMatchObject({ letters: 1, pdf: 'pending' });
    expect(await letters.removePrintedPdfs('test', { spoolOwner: true })).toEqual({ removed: [], left: [elsewhere.number] });
    // In the spool, missing: the API cannot tell (pending); the spool's owner can (deleted, audited so).
    const path = join(dir, 'mailing', `batch-${elsewhere.number}-pin-letter.pdf`);
    await ctx.ds.query(`UPDATE mailing_batch SET pdf_path = $2 WHERE id = $1`, [elsewhere.id, path]);
    expect(await letters.removePrintedPdfs('test', { spoolOwner: false })).toEqual({ removed: [], left: [elsewhere.number] });
    expect(await letters.removePrintedPdfs('system:scheduler', { spoolOwner: true })).toEqual({ removed: [elsewhere.number], left: [] });
    const [entry] = await ctx.ds.query(
      `SELECT actor, details FROM audit_log WHERE action = 'mailing.batch.pdf-removed' AND entity_id = $1`,
      [elsewhere.id],
    );
    expect(entry).toMatchObject({ actor: 'system:scheduler', details: { number: elsewhere.number, alreadyGone: true } });
    // The card letters' PDFs are never touched.
    expect(await letters.removePrintedPdfs('test', { spoolOwner: true })).toEqual({ removed: [], left: [] });
    const cardPdfs: Array<{ pdf_path: string }> = await ctx.ds.query(
      `SELECT pdf_path FROM mailing_batch WHERE kind = 'card-letter' AND pdf_path IS NOT NULL`,
    );
    expect(cardPdfs).toHaveLength(1);
    expect(existsSync(cardPdfs[0].pdf_path)).toBe(true);
  });

  it('finds a letter by the barcode the mail room scans, and records its return only when the barcode given is its own', async () => {
    const cardLetter = await letterOf(1, 'card-letter');
    const [{ number }] = await ctx.ds.query(
      `SELECT b.number::int AS number FROM mailing_batch b JOIN mailing_letter l ON l.batch_id = b.id WHERE l.id = $1`,
      [cardLetter.id],
    );
    const found = await reads.letterByBarcode(`B${number}-2`);
    expect(found).toMatchObject({
      id: cardLetter.id,
      kind: 'card-letter',
      state: 'printed',
      batchNumber: number,
      sequence: 2,
      barcode: `B${number}-2`,
      cardNumber: card[1],
      cardLast4: card[1].slice(-4),
    });
    await expect(reads.letterByBarcode(`B${number}-99`)).rejects.toMatchObject({ code: 'letter_not_found', status: 404 });
    await expect(reads.letterByBarcode('B1-2-3')).rejects.toMatchObject({ status: 400 });

    // The envelope of another letter of the batch: nothing recorded.
    const wrong = letters.returned(cardLetter.id, alice, { barcode: `B${number}-3` });
    await expect(wrong).rejects.toMatchObject({ code: 'letter_barcode_mismatch', status: 409, extra: { barcode: `B${number}-2` } });
    expect(await letterOf(1, 'card-letter')).toMatchObject({ state: 'printed' });
    expect(await oppositionRequests(card[1])).toBe(0);
    expect(await state('card', card[1])).toBe('sent');
  });

  it("returned mail holds the card's other letters, orders a replacement requested by the returning operator, who cannot approve it", async () => {
    const cardLetter = await letterOf(1, 'card-letter');
    const { batchNumber: number } = await reads.letterByBarcode(await barcodeOf(cardLetter.id));
    const r = await letters.returned(cardLetter.id, alice, { barcode: `B${number}-2`, comment: 'NPAI, envelope opened' });
    expect(r).toEqual({
      letterId: cardLetter.id,
      cardNumber: card[1],
      oppositionRequested: true,
      replacementOrderId: expect.any(String),
      reason: null,
      lettersHeld: 1,
    });
    // Its letter of the codes, waiting, never goes out.
    const pin = await ctx.ds.query(`SELECT state, held_reason FROM mailing_letter WHERE card_number = $1 AND kind = 'pin-letter'`, [
      card[1],
    ]);
    expect(pin).toEqual([{ state: 'held', held_reason: LETTER_RETURNED }]);
    const [entry] = await ctx.ds.query(`SELECT actor, details FROM audit_log WHERE action = 'mailing.letter.returned' AND entity_id = $1`, [
      cardLetter.id,
    ]);
    expect(entry).toMatchObject({
      actor: 'principal:alice',
      details: { barcode: `B${number}-2`, comment: 'NPAI, envelope opened', lettersHeld: 1, replacementOrderId: r.replacementOrderId },
    });
    // The replacement: asked by alice (who recorded the return); under OPPOSITION_REPLACEMENT=operator, another person approves it.
    const [replacement] = await ctx.ds.query(
      `SELECT status, reason, replaces_card, requested_by, requested_by_principal FROM card_order WHERE id = $1`,
      [r.replacementOrderId],
    );
    expect(replacement).toEqual({
      status: 'requested',
      reason: 'replacement',
      replaces_card: card[1],
      requested_by: 'principal:alice',
      requested_by_principal: alice.principalId,
    });
    await expect(orders.approve(r.replacementOrderId!, alice)).rejects.toMatchObject({ code: 'approver_is_requester', status: 403 });
    expect(await orders.approve(r.replacementOrderId!, bob)).toMatchObject({ status: 'approved', approvedBy: 'principal:bob' });
  });

  it('pulls out of a printed batch the letters of the codes of cards returned, opposed, or whose opposition is asked for', async () => {
    // Cards 2, 3, 4 get their letters of the codes in a batch; then 2's card letter comes back, 3 is declared lost, 4's opposition is asked.
    const pins = await readyBatch('pin-letter', [
      (await letterOf(2, 'pin-letter')).id,
      (await letterOf(3, 'pin-letter')).id,
      (await letterOf(4, 'pin-letter')).id,
    ]);
    const returned = await letters.returned((await letterOf(2, 'card-letter')).id, alice);
    expect(returned).toMatchObject({ oppositionRequested: true, lettersHeld: 0 });
    await ctx.ds.transaction((em) => cards.oppose(em, card[3], 'loss'));
    await ctx.ds.transaction((em) => cards.requestOpposition(em, card[4], 'cessation', 'registry', 'test:cessation'));
    const r = await letters.printed(pins.id, alice);
    expect(r).toMatchObject({ letters: 0, cardsSent: 0 });
    expect(r.pullOut).toEqual([
      { letterId: (await letterOf(2, 'pin-letter')).id, sequence: 1, cardLast4: card[2].slice(-4), reason: 'letter returned' },
      { letterId: (await letterOf(3, 'pin-letter')).id, sequence: 2, cardLast4: card[3].slice(-4), reason: 'card opposed' },
      { letterId: (await letterOf(4, 'pin-letter')).id, sequence: 3, cardLast4: card[4].slice(-4), reason: 'opposition requested' },
    ]);
    for (const i of [2, 3, 4]) expect(await letterOf(i, 'pin-letter')).toMatchObject({ state: 'batched' });
    const statuses = await ctx.ds.query(`SELECT status FROM card_order WHERE id = ANY($1::uuid[])`, [[orderOf[3], orderOf[4]]]);
    expect(statuses.map((s: { status: string }) => s.status)).not.toContain('pin-letter-sent');
  });

  it('records a late return of an opposed card, or of a card whose opposition is asked, without a new opposition or replacement, saying why', async () => {
    // Card 3 (opposed for loss): its card letter comes back weeks later.
    const late = await letters.returned((await letterOf(3, 'card-letter')).id, alice, { comment: 'came back late' });
    expect(late).toMatchObject({ cardNumber: card[3], oppositionRequested: false, replacementOrderId: null });
    expect(late.reason).toMatch(
      new RegExp(`card ${card[3]} is already opposed \\(loss, \\d{4}-\\d{2}-\\d{2}\\): no new opposition, no replacement`),
    );
    expect(await letterOf(3, 'card-letter')).toMatchObject({ state: 'returned' });
    expect(await oppositionRequests(card[3])).toBe(0);
    // Card 4: its opposition is asked (a cessation), not handled yet; its card letter's return asks nothing more.
    const replacements = async () =>
      (await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order WHERE reason = 'replacement'`))[0].n as number;
    const before = await replacements();
    const pending = await letters.returned((await letterOf(4, 'card-letter')).id, alice);
    expect(pending).toMatchObject({ oppositionRequested: false, replacementOrderId: null });
    expect(pending.reason).toMatch(
      new RegExp(`the opposition of card ${card[4]} is already requested \\(request \\d+\\): no second request, no replacement`),
    );
    expect(await letterOf(4, 'card-letter')).toMatchObject({ state: 'returned' });
    expect(await oppositionRequests(card[4])).toBe(1);
    expect(await replacements()).toBe(before);
    const [entry] = await ctx.ds.query(`SELECT details FROM audit_log WHERE action = 'mailing.letter.returned' AND entity_id = $1`, [
      (await letterOf(3, 'card-letter')).id,
    ]);
    expect(entry.details).toMatchObject({
      oppositionRequestId: null,
      replacementOrderId: null,
      reason: late.reason,
      comment: 'came back late',
    });
  });

  it('orders no replacement when the holder already has an order open for that card, saying which', async () => {
    // Card 6 is activated (its order closed), then a renewal is ordered: its letter comes back.
    await cards.activate(card[6], 'test');
    const holder = (await cards.byNumbers([card[6]]))[0];
    const renewal = await orderByPolicy(ctx, orders, { national_id: holder.nationalId, profession_code: holder.professionCode }, 'renewal');
    const r = await letters.returned((await letterOf(6, 'card-letter')).id, alice);
    expect(r).toMatchObject({ oppositionRequested: true, replacementOrderId: null });
    expect(r.reason).toBe(
      `an order is already open for the holder's ${holder.cardType} card (order ${renewal.id}, ${renewal.status}): no replacement ordered`,
    );
  });

  it('refuses a new reprint while an approved one is not printed yet (reprint_in_progress), at the request and at the approval', async () => {
    const original = await letterOf(5, 'pin-letter');
    const { requestId } = await letters.requestReprint(original.id, alice, 'the holder lost the letter');
    const approved = await letters.decideReprint(requestId, bob, true);
    expect(approved.state).toBe('approved');
    const again = letters.requestReprint(original.id, alice, 'lost again');
    await expect(again).rejects.toMatchObject({
      code: 'reprint_in_progress',
      status: 409,
      extra: { reprintLetterId: approved.letterId },
    });
    await expect(again).rejects.toThrow(/approved and is not printed yet .*waiting/);
    // Printed: a new request may be made, on the first letter and on the reprint, but only one is approved until it is printed.
    const reprints = await readyBatch('pin-letter', [approved.letterId!]);
    expect(await letters.printed(reprints.id, alice)).toMatchObject({ letters: 1, pullOut: [] });
    const first = await letters.requestReprint(original.id, alice, 'lost once more');
    const second = await letters.requestReprint(approved.letterId!, bob, 'lost the reprint');
    expect(await letters.decideReprint(first.requestId, bob, true)).toMatchObject({ state: 'approved' });
    await expect(letters.decideReprint(second.requestId, alice, true)).rejects.toMatchObject({ code: 'reprint_in_progress' });
    const waiting = await ctx.ds.query(
      `SELECT count(*)::int AS n FROM mailing_letter WHERE order_id = $1 AND reprint_of IS NOT NULL AND state = 'waiting'`,
      [orderOf[5]],
    );
    expect(waiting[0].n).toBe(1);
  });
  it('refuses a reprint once the window of the first printing has closed, before the daily sweep destroyed the codes', async () => {
    const original = await letterOf(5, 'pin-letter');
    // The first letter of the codes of that order printed 31 days ago; its codes still kept (no sweep since).
    await ctx.ds.query(`UPDATE mailing_letter SET printed_at = $2 WHERE id = $1`, [
      original.id,
      new Date(ctx.clock.now().getTime() - 31 * DAY),
    ]);
    const [kept] = await ctx.ds.query(`SELECT destroyed_at FROM order_codes WHERE order_id = $1`, [orderOf[5]]);
    expect(kept).toEqual({ destroyed_at: null });
    await expect(letters.requestReprint(original.id, alice, 'lost')).rejects.toThrow(
      /the reprint window closed on \d{4}-\d{2}-\d{2} \(30 days after the first printing\): a new letter of the codes is impossible/,
    );
  });
});
