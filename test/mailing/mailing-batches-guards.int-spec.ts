import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { JobsService } from '../../src/common/jobs/jobs.service';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardsOpposedHandler, CardsPersonalizedHandler } from '../../src/mailing/card-events.handler';
import { CodeVaultService } from '../../src/mailing/code-vault.service';
import { ADDRESS_RETURNED, MailingBatchesService } from '../../src/mailing/mailing-batches.service';
import { layoutPostalAddress } from '../../src/mailing/postal-address';
import { RENDER_LOCK_SPACE } from '../../src/mailing/spool';
import { CardsService } from '../../src/orders/cards.service';
import { openContext, TestContext, testConfig } from '../support/context';
import { pdfInfo } from '../support/letters';
import { activeHolders, type Holder } from '../support/orders';
import { testVault } from '../support/vault';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const DAY = 24 * 3600 * 1000;

interface MadeCard {
  orderId: string;
  cardNumber: string;
}

/**
 * The guards of the mailing batches (issue 11, the attacker's review, findings 6 to 11 and 15)
 * over a real database, the letters drawn by the built worker (npm run build first): a letter
 * going where mail of its holder came back is held; the letters held for good stay out; a letter
 * its own checks refuse is held instead of failing its batch; the reprint window runs from the
 * first printing and the daily sweep destroys what it must, in a job of its own; one run draws a
 * batch at a time; the spool is owner-only; the PDF password file is checked before a run starts.
 */
describe(`${MailingBatchesService.name}: its guards`, () => {
  let ctx: TestContext;
  let dir: string;
  let vault: CodeVaultService;
  let cards: CardsService;
  let batches: MailingBatchesService;
  let holders: Holder[];
  let seq = 0;
  const outbox = new OutboxService();

  const make = (env: Record<string, string> = {}) =>
    new MailingBatchesService(
      ctx.ds,
      ctx.audit,
      ctx.rpps,
      cards,
      vault,
      new JobsService(ctx.ds),
      new CardsPersonalizedHandler(ctx.ds, cards, outbox),
      new CardsOpposedHandler(ctx.ds, cards, vault, outbox),
      ctx.clock,
      testConfig({ DATA_DIR: dir, HELPDESK_PHONE: '01 45 67 89 10', ...env }),
    );

  const plusDays = (day: string, n: number) => {
    const d = new Date(`${day}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };

  /**
   * A card of `h`, personalized, its order closed (a holder may have several), its codes issued,
   * and its card letter waiting (unless `letter: false`).
   */
  async function card(h: Holder, o: { lastName?: string; orderStatus?: string; letter?: boolean } = {}): Promise<MadeCard> {
    const cardNumber = `97${String(++seq).padStart(8, '0')}`;
    const [{ id }]: Array<{ id: string }> = await ctx.ds.query(
      `INSERT INTO card_order (national_id, profession_code, card_type, reason, status, generation, requested_by)
       VALUES ($1, $2, 'CPS', 'manual', $3, 'CPS4', 'test') RETURNING id`,
      [h.national_id, h.profession_code, o.orderStatus ?? 'closed'],
    );
    await ctx.ds.query(
      `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, last_name, first_name,
                         valid_from, valid_until, state, order_id, source)
       VALUES ($1, 'CPS', 'CPS4', $2, $2, $3, $4, 'Prénom', DATE '2026-11-30', DATE '2032-11-29', 'personalized', $5, 'order')`,
      [cardNumber, h.national_id, h.profession_code, o.lastName ?? 'NOM', id],
    );
    await ctx.ds.transaction((em) => vault.issue(em, [id]));
    if (o.letter !== false) {
      await ctx.ds.query(`INSERT INTO mailing_letter (kind, card_number, order_id, state) VALUES ('card-letter', $1, $2, 'waiting')`, [
        cardNumber,
        id,
      ]);
    }
    return { orderId: id, cardNumber };
  }

  /** A letter of `c` in a batch of its own, printed at `printedAt` (and returned, when `returned`): its id. */
  async function printedLetter(
    c: MadeCard,
    o: { kind?: string; lines?: string[]; printedAt?: Date; returned?: boolean; reprintOf?: string } = {},
  ): Promise<string> {
    const kind = o.kind ?? 'card-letter';
    const [batch]: Array<{ id: string }> = await ctx.ds.query(
      `INSERT INTO mailing_batch (kind, as_of, letters, created_by, state, rendered_at, printed_at, printed_by)
       VALUES ($1, $2, 1, 'test', 'printed', $3, $3, 'test') RETURNING id`,
      [kind, ctx.clock.today(), o.printedAt ?? new Date()],
    );
    const [letter]: Array<{ id: string }> = await ctx.ds.query(
      `INSERT INTO mailing_letter (kind, card_number, order_id, state, batch_id, sequence, address_lines, printed_at, returned_at,
                                   returned_by, reprint_of)
       VALUES ($1, $2, $3, $4, $5, 1, $6, $7, CASE WHEN $4 = 'returned' THEN now() END, CASE WHEN $4 = 'returned' THEN 'test' END, $8)
       RETURNING id`,
      [
        kind,
        c.cardNumber,
        c.orderId,
        o.returned ? 'returned' : 'printed',
        batch.id,
        JSON.stringify(o.lines ?? ['DR X', '1 RUE DU TEST', '75001 PARIS']),
        o.printedAt ?? new Date(),
        o.reprintOf ?? null,
      ],
    );
    return letter.id;
  }

  /** The address the letters of `h` would go to now (laid out from the registry). */
  async function linesOf(h: Holder): Promise<string[]> {
    const [address] = await ctx.rpps.mailingAddresses([{ nationalId: h.national_id, professionCode: h.profession_code }]);
    if (!address) throw new Error(`${h.national_id} has no address`);
    const layout = layoutPostalAddress(address.addressee, address.fields);
    if (!layout.ok) throw new Error(`${h.national_id}: ${layout.reason}`);
    return layout.lines;
  }

  const letterOf = async (c: MadeCard, kind = 'card-letter') =>
    (
      await ctx.ds.query(
        `SELECT state, held_reason, batch_id, address_lines FROM mailing_letter WHERE card_number = $1 AND kind = $2 AND reprint_of IS NULL`,
        [c.cardNumber, kind],
      )
    )[0] as { state: string; held_reason: string | null; batch_id: string | null; address_lines: string[] | null };

  const codesOf = async (c: MadeCard) =>
    (
      await ctx.ds.query(`SELECT destroyed_at IS NOT NULL AS destroyed, destroyed_reason FROM order_codes WHERE order_id = $1`, [c.orderId])
    )[0];

  beforeAll(async () => {
    ctx = await openContext('mailing-guards');
    dir = mkdtempSync(join(tmpdir(), 'mailing-guards-'));
    cards = new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock);
    vault = testVault(ctx.ds, { dataDir: dir }, ctx.audit);
    batches = make();
    await ctx.imports.run({ files: [day1], actor: 't' });
    // Holders whose address can be laid out, so that only what a test does holds their letters.
    holders = [];
    for (const h of await activeHolders(ctx, 60)) {
      if (
        await linesOf(h).then(
          () => true,
          () => false,
        )
      )
        holders.push(h);
    }
    expect(holders.length).toBeGreaterThanOrEqual(16);
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds a letter going where mail of the same holder and profession came back, until the registry gives another address', async () => {
    const [h1, h2, h3] = holders.splice(0, 3);
    // h1's card came back from the address the registry still gives: the replacement would go there too.
    const lines1 = await linesOf(h1);
    await printedLetter(await card(h1, { letter: false }), { lines: lines1, returned: true });
    const replacement = await card(h1);
    // Mail of another holder (h2) came back from h3's address: h3's letter goes.
    const lines3 = await linesOf(h3);
    await printedLetter(await card(h2, { letter: false }), { lines: lines3, returned: true });
    const other = await card(h3);

    const r = await batches.run({ kind: 'card-letter', actor: 'test' });
    expect(r).toMatchObject({ letters: 1, held: 1, pages: 1 });
    expect(await letterOf(replacement)).toMatchObject({ state: 'held', held_reason: ADDRESS_RETURNED, batch_id: null });
    expect(await letterOf(other)).toMatchObject({ state: 'batched', batch_id: r.batchId, address_lines: lines3 });
    // Tried again at each run, held again while the registry address is the same.
    expect(await batches.run({ kind: 'card-letter', actor: 'test' })).toMatchObject({ batchId: null, held: 1 });

    await ctx.ds.query(`UPDATE rpps_situation SET street_number = '999' WHERE national_id = $1 AND profession_code = $2`, [
      h1.national_id,
      h1.profession_code,
    ]);
    const moved = await linesOf(h1);
    expect(moved).not.toEqual(lines1);
    const again = await batches.run({ kind: 'card-letter', actor: 'test' });
    expect(again).toMatchObject({ letters: 1, held: 0 });
    expect(await letterOf(replacement)).toMatchObject({ state: 'batched', batch_id: again.batchId, address_lines: moved });
  });

  it('keeps the letters held for good out of every batch (card opposed, a letter of its card returned) and tries the others again', async () => {
    const [h1, h2, h3] = holders.splice(0, 3);
    const returned = await card(h1);
    const opposed = await card(h2);
    const retried = await card(h3);
    for (const [c, reason] of [
      [returned, 'letter returned'],
      [opposed, 'card opposed'],
      [retried, 'address: no street'],
    ] as const) {
      await ctx.ds.query(`UPDATE mailing_letter SET state = 'held', held_reason = $2 WHERE card_number = $1`, [c.cardNumber, reason]);
    }
    const r = await batches.run({ kind: 'card-letter', actor: 'test' });
    expect(r).toMatchObject({ letters: 1, held: 0 });
    expect(await letterOf(retried)).toMatchObject({ state: 'batched', batch_id: r.batchId, held_reason: null });
    expect(await letterOf(returned)).toMatchObject({ state: 'held', held_reason: 'letter returned' });
    expect(await letterOf(opposed)).toMatchObject({ state: 'held', held_reason: 'card opposed' });
  });

  it("holds a letter its own checks refuse (a holder's name too long to print) instead of failing its batch, and draws the others", async () => {
    const [h1, h2] = holders.splice(0, 2);
    const long = await card(h1, { lastName: 'X'.repeat(90) });
    const fine = await card(h2);
    const r = await batches.run({ kind: 'card-letter', actor: 'test' });
    expect(r).toMatchObject({ letters: 1, held: 1, pages: 1 });
    expect(await letterOf(fine)).toMatchObject({ state: 'batched', batch_id: r.batchId });
    expect(await letterOf(long)).toMatchObject({
      state: 'held',
      held_reason: 'the letter cannot be printed: holderName: expected printable text of at most 80 characters',
    });
    // The next run holds it again, and fails nothing.
    expect(await batches.run({ kind: 'card-letter', actor: 'test' })).toMatchObject({ batchId: null, held: 1 });
    const failed = await ctx.ds.query(`SELECT count(*)::int AS n FROM job_run WHERE kind = 'mailing-batch' AND state = 'failed'`);
    expect(failed[0].n).toBe(0);
  });

  it('assembles letters of the codes without opening a code, holding those whose codes are gone; the codes are opened when drawn', async () => {
    const asOf = plusDays(ctx.clock.today(), 2);
    const due: Array<{ card_number: string; order_id: string }> = await ctx.ds.query(
      `SELECT card_number, order_id FROM mailing_letter WHERE kind = 'pin-letter' AND state = 'waiting' ORDER BY card_number`,
    );
    expect(due.length).toBeGreaterThanOrEqual(3);
    const gone = { cardNumber: due[0].card_number, orderId: due[0].order_id };
    await ctx.ds.transaction((em) => vault.destroy(em, [gone.orderId], 'card opposed', 'test'));
    const opened = jest.spyOn(vault, 'codesForLetters');
    try {
      const { batchId, held } = await batches.assemble('pin-letter', asOf, 'test', null);
      expect(opened).not.toHaveBeenCalled();
      expect(held).toBe(1);
      expect(await letterOf(gone, 'pin-letter')).toMatchObject({ state: 'held', held_reason: 'the codes were destroyed (card opposed)' });
      const r = await batches.run({ kind: 'pin-letter', asOf, actor: 'test' });
      expect(r).toMatchObject({ batchId, resumed: true, letters: due.length - 1, pages: due.length - 1 });
      expect(opened).toHaveBeenCalled();
    } finally {
      opened.mockRestore();
    }
  });

  it('measures the reprint window from the first printing of the letters of the codes, and destroys past it a reprint asked for or not', async () => {
    const [h1, h2, h3] = holders.splice(0, 3);
    const now = new Date();
    const reprinted = await card(h1, { letter: false });
    const first = await printedLetter(reprinted, { kind: 'pin-letter', printedAt: new Date(now.getTime() - 20 * DAY) });
    await printedLetter(reprinted, { kind: 'pin-letter', printedAt: new Date(now.getTime() - DAY), reprintOf: first });
    const asked = await card(h2, { letter: false });
    const askedLetter = await printedLetter(asked, { kind: 'pin-letter', printedAt: new Date(now.getTime() - 29 * DAY) });
    const [request]: Array<{ id: string }> = await ctx.ds.query(
      `INSERT INTO mailing_reprint_request (letter_id, reason, requested_by, requested_by_principal)
       VALUES ($1, 'lost', 'principal:alice', gen_random_uuid()) RETURNING id`,
      [askedLetter],
    );

    const window = await ctx.ds.transaction((em) => batches.reprintWindowOpen(em, reprinted.orderId, now));
    expect(window.open).toBe(true);
    expect(window.closesAt?.getTime()).toBe(new Date(now.getTime() - 20 * DAY + 30 * DAY).getTime());
    const later = new Date(now.getTime() + 10 * DAY + 1);
    expect(await ctx.ds.transaction((em) => batches.reprintWindowOpen(em, reprinted.orderId, later))).toMatchObject({ open: false });
    // No letter of the codes printed yet: no window opened.
    const unprinted = await card(h3, { letter: false });
    expect(await ctx.ds.transaction((em) => batches.reprintWindowOpen(em, unprinted.orderId, now))).toEqual({ open: true, closesAt: null });

    // Within the window (from the first printing) nothing goes; the pending request keeps nothing past it.
    expect(await batches.destroyPastWindow(new Date(now.getTime() + 9 * DAY))).toBe(1); // `asked`: printed 29 days ago
    expect(await codesOf(asked)).toEqual({ destroyed: true, destroyed_reason: 'reprint window passed' });
    expect(await codesOf(reprinted)).toEqual({ destroyed: false, destroyed_reason: null });
    expect(await batches.destroyPastWindow(later)).toBe(1);
    expect(await codesOf(reprinted)).toEqual({ destroyed: true, destroyed_reason: 'reprint window passed' });

    const [closed] = await ctx.ds.query(
      `SELECT state, decided_by, decided_by_principal, decided_at IS NOT NULL AS decided, decision_reason FROM mailing_reprint_request
        WHERE id = $1`,
      [request.id],
    );
    expect(closed).toEqual({
      state: 'rejected',
      decided_by: 'system:vault',
      decided_by_principal: null,
      decided: true,
      decision_reason: 'the codes were destroyed (reprint window passed)',
    });
    const [audited] = await ctx.ds.query(
      `SELECT actor, entity, entity_id, details FROM audit_log WHERE action = 'mailing.reprint.expire' AND details->>'requestId' = $1`,
      [request.id],
    );
    expect(audited).toEqual({
      actor: 'system:vault',
      entity: 'mailing_letter',
      entity_id: askedLetter,
      details: { requestId: request.id, reason: 'the codes were destroyed (reprint window passed)' },
    });
  });

  it('sweeps the codes in a job run of its own that needs no letter setting: those of orders cancelled or rejected and of cards opposed go', async () => {
    const [h1, h2, h3, h4] = holders.splice(0, 4);
    const cancelled = await card(h1, { orderStatus: 'cancelled', letter: false });
    const rejected = await card(h2, { orderStatus: 'rejected', letter: false });
    const opposed = await card(h3, { letter: false });
    // Opposed without its event reaching mailing (a dead-lettered card.opposed).
    await ctx.ds.query(`UPDATE card SET state = 'opposed', opposed_at = now(), opposition_reason = 'loss' WHERE card_number = $1`, [
      opposed.cardNumber,
    ]);
    const kept = await card(h4, { letter: false });

    // In production without HELPDESK_PHONE no batch is made; the codes are swept all the same.
    const bare = make({ NODE_ENV: 'production', HELPDESK_PHONE: '' });
    await expect(bare.run({ kind: 'pin-letter', actor: 'test' })).rejects.toMatchObject({ code: 'mailing_not_configured' });
    const r = await bare.runCodesSweep({ actor: 'test' });
    expect(r).toEqual({ pastWindow: 0, ended: 3, requestsClosed: 0 });
    expect(await codesOf(cancelled)).toEqual({ destroyed: true, destroyed_reason: 'order cancelled' });
    expect(await codesOf(rejected)).toEqual({ destroyed: true, destroyed_reason: 'order rejected' });
    expect(await codesOf(opposed)).toEqual({ destroyed: true, destroyed_reason: 'card opposed' });
    expect(await codesOf(kept)).toEqual({ destroyed: false, destroyed_reason: null });
    const audited = await ctx.ds.query(
      `SELECT entity_id, actor, details->>'reason' AS reason FROM audit_log WHERE action = 'codes.destroy' AND entity_id = ANY($1::text[])
        ORDER BY reason`,
      [[cancelled.orderId, rejected.orderId, opposed.orderId]],
    );
    expect(audited).toEqual([
      { entity_id: opposed.orderId, actor: 'system:vault', reason: 'card opposed' },
      { entity_id: cancelled.orderId, actor: 'system:vault', reason: 'order cancelled' },
      { entity_id: rejected.orderId, actor: 'system:vault', reason: 'order rejected' },
    ]);
    const [run] = await ctx.ds.query(
      `SELECT state, actor, result FROM job_run WHERE kind = 'codes-sweep' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(run).toEqual({ state: 'succeeded', actor: 'test', result: r });
    // Nothing left to do.
    expect(await bare.runCodesSweep({ actor: 'test' })).toEqual({ pastWindow: 0, ended: 0, requestsClosed: 0 });
  });

  it('draws a batch in one run at a time: another run touches none of its files; the abandoned drawings of other batches go; the spool ends owner-only', async () => {
    const [h1] = holders.splice(0, 1);
    await card(h1);
    const { batchId } = await batches.assemble('card-letter', ctx.clock.today(), 'test', null);
    const [{ number }]: Array<{ number: string }> = await ctx.ds.query(`SELECT number::text FROM mailing_batch WHERE id = $1`, [batchId]);
    const spool = join(dir, 'mailing');
    const drawing = join(spool, `.batch-${number}-card-letter.pdf.aaaaaaaaaaaa.part`);
    const abandoned = join(spool, '.batch-99999-pin-letter.pdf.bbbbbbbbbbbb.part');
    writeFileSync(drawing, 'being drawn elsewhere', { mode: 0o600 });
    writeFileSync(abandoned, 'left by a killed run: codes in part', { mode: 0o600 });
    const other = new Client({ connectionString: ctx.db.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock($1::int, $2::int)`, [RENDER_LOCK_SPACE, Number(number)]);
      const e = await batches.run({ kind: 'card-letter', actor: 'test' }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'batch_in_progress', status: 409 });
      expect((e as Error).message).toMatch(new RegExp(`^batch ${number} is being rendered by another run`));
      expect(existsSync(drawing)).toBe(true);
      expect(existsSync(abandoned)).toBe(false);
      expect(existsSync(join(spool, `batch-${number}-card-letter.pdf`))).toBe(false);
      const [batch] = await ctx.ds.query(`SELECT state FROM mailing_batch WHERE id = $1`, [batchId]);
      expect(batch.state).toBe('rendering');
    } finally {
      await other.end(); // its session ends: the lock with it
    }
    chmodSync(spool, 0o755);
    const r = await batches.run({ kind: 'card-letter', actor: 'test' });
    expect(r).toMatchObject({ batchId, resumed: true, letters: 1, pages: 1 });
    expect(existsSync(drawing)).toBe(false);
    expect(statSync(spool).mode & 0o777).toBe(0o700);
  });

  it('checks the PDF password file before a run starts, naming the setting: no job run, no batch, nothing drawn', async () => {
    const file = join(dir, 'pdf.password');
    writeFileSync(file, 'correct horse battery staple\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    const [h1] = holders.splice(0, 1);
    await card(h1);
    const runs = async () => (await ctx.ds.query(`SELECT count(*)::int AS n FROM job_run`))[0].n;
    const before = await runs();
    const guarded = make({ MAILING_PDF_PASSWORD_FILE: file });
    await expect(guarded.run({ kind: 'card-letter', actor: 'test' })).rejects.toThrow(
      /^MAILING_PDF_PASSWORD_FILE: ".*pdf\.password" is accessible to its group or others \(mode 644\)/,
    );
    await expect(guarded.checkSettings()).rejects.toMatchObject({ code: 'mailing_not_configured' });
    expect(await runs()).toBe(before);
    chmodSync(file, 0o600);
    const r = await guarded.run({ kind: 'card-letter', actor: 'test' });
    expect(r).toMatchObject({ letters: 1 });
    expect(pdfInfo(r.path!, 'correct horse battery staple').Encrypted).toMatch(/^yes/);
  });
});
