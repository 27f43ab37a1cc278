import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokensService } from '../../src/common/auth/tokens.service';
import type { AppConfig } from '../../src/common/config/config';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { databaseIdentity, outboxJobId } from '../../src/common/outbox/outbox-delivery';
import { CardsOpposedHandler, CardsPersonalizedHandler } from '../../src/mailing/card-events.handler';
import { VaultKeys } from '../../src/mailing/code-vault.module';
import { CardCodes, CodeVaultService, RotationResult } from '../../src/mailing/code-vault.service';
import { MailingError } from '../../src/mailing/mailing.errors';
import { OrdersApprovedHandler } from '../../src/mailing/orders-approved.handler';
import { loadVaultKeys, newKeyLine, parseVaultKeys } from '../../src/mailing/vault-keys';
import { CardsService } from '../../src/orders/cards.service';
import { OrderActor, OrdersService } from '../../src/orders/orders.service';
import { findCodeLeaks } from '../support/code-leaks';
import { openContext, TestContext } from '../support/context';
import { activeHolders, approvedOrders, type Holder, orderByPolicy } from '../support/orders';
import { oneKeyFile, testVault } from '../support/vault';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');

describe(CodeVaultService.name, () => {
  let ctx: TestContext;
  let orders: OrdersService;
  let dir: string;
  let keyFile: string;
  /** The registry's holders of a profession, to order cards for (each used once). */
  let holders: Holder[];
  let bob: OrderActor;

  /** The vault as a process starting now sees it: the key file as it is now, read once. */
  function vault(): { service: CodeVaultService; handler: OrdersApprovedHandler } {
    const service = testVault(ctx.ds, { keyFile, dataDir: dir }, ctx.audit);
    return { service, handler: new OrdersApprovedHandler(ctx.ds, service, new OutboxService()) };
  }

  /** A new order approved by policy; returns its id. */
  const approvedOrder = async (): Promise<string> => (await approvedOrders(ctx, orders, holders, 1))[0];

  /** Hands each unconsumed approval message to `handler`, as the worker would (its job id naming the outbox row). */
  async function deliverApprovals(handler: OrdersApprovedHandler): Promise<number> {
    const databaseId = await databaseIdentity(ctx.ds);
    const rows: Array<{ id: string; payload: { orderIds: string[] } }> = await ctx.ds.query(
      `SELECT id::text AS id, payload FROM outbox WHERE topic = 'orders.approved' AND consumed_at IS NULL ORDER BY id`,
    );
    for (const r of rows) await handler.consume(r.payload.orderIds, { id: outboxJobId(databaseId, r.id, 1) });
    return rows.length;
  }

  /** Until a session of this database waits for a row lock (the rotation's chunk, behind the test's transaction). */
  async function waitForLockWaiter(): Promise<void> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(20)) {
      const [{ n }] = await ctx.ds.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (n > 0) return;
    }
    throw new Error('no session waited for the row lock within 10 s');
  }

  const codeRow = async (orderId: string) => (await ctx.ds.query(`SELECT * FROM order_codes WHERE order_id = $1`, [orderId]))[0];

  beforeAll(async () => {
    ctx = await openContext('code-vault');
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, ctx.cfg, ctx.clock, new OutboxService());
    await ctx.imports.run({ files: [day1], actor: 't' });
    holders = await activeHolders(ctx, 40);
    const tokens = new TokensService(ctx.ds, ctx.audit);
    const p = await tokens.verify((await tokens.create({ role: 'operator', principal: 'bob' }, 'test')).token);
    bob = { actor: 'principal:bob', principalId: p!.principalId, kind: p!.kind };
    dir = mkdtempSync(join(tmpdir(), 'code-vault-'));
    keyFile = oneKeyFile(dir);
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('issue, on approval', () => {
    it('gives an order approved by policy its codes once the outbox message is handled, and a redelivery changes nothing', async () => {
      const { service, handler } = vault();
      const id = await approvedOrder();
      const [message] = await ctx.ds.query(
        `SELECT id::text AS id, payload FROM outbox WHERE topic = 'orders.approved' ORDER BY id DESC LIMIT 1`,
      );
      expect(message.payload).toEqual({ orderIds: [id] });
      expect(await codeRow(id)).toBeUndefined(); // nothing before the message is handled
      expect(await deliverApprovals(handler)).toBe(1);
      const row = await codeRow(id);
      expect(row).toEqual(expect.objectContaining({ key_id: 'key-a', rewrapped_at: null }));
      const [{ consumed }] = await ctx.ds.query(`SELECT consumed_at IS NOT NULL AS consumed FROM outbox WHERE id = $1`, [message.id]);
      expect(consumed).toBe(true);
      // the same delivery again (at-least-once): the codes stay those first drawn
      const databaseId = await databaseIdentity(ctx.ds);
      expect(await handler.consume([id], { id: outboxJobId(databaseId, message.id, 2) })).toEqual({ orders: 1, issued: 0 });
      expect((await codeRow(id)).sealed_codes.equals(row.sealed_codes)).toBe(true);
      const codes = await service.codesForPersonalization(id);
      expect(codes.pin).toMatch(/^\d{4}$/);
      expect(codes.puk).toMatch(/^\d{8}$/);
    });

    it('gives an order approved by an operator its codes the same way', async () => {
      const { handler } = vault();
      const order = await orderByPolicy(ctx, orders, holders.shift()!, 'manual');
      expect(order.status).toBe('requested');
      expect(await deliverApprovals(handler)).toBe(0); // a request is not an approval
      await orders.approve(order.id, bob);
      expect(await deliverApprovals(handler)).toBe(1);
      expect(await codeRow(order.id)).toEqual(expect.objectContaining({ key_id: 'key-a' }));
    });

    it('keeps no code in clear: neither in the sealed bytes nor in any text, and never in the outbox or the audit trail', async () => {
      const { service, handler } = vault();
      const ids = [await approvedOrder(), await approvedOrder(), await approvedOrder()];
      await deliverApprovals(handler);
      const opened: CardCodes[] = [];
      for (const id of ids) opened.push(await service.codesForPersonalization(id));
      const rows = await ctx.ds.query(`SELECT *, t::text AS as_text FROM order_codes t WHERE order_id = ANY($1::uuid[])`, [ids]);
      expect(rows).toHaveLength(3);
      const textOfRows = rows.map((r: { as_text: string }) => r.as_text).join('\n');
      const outboxAndAudit = (
        await ctx.ds.query(
          `SELECT string_agg(payload::text, ' ') AS t FROM outbox UNION ALL SELECT string_agg(details::text, ' ') FROM audit_log`,
        )
      )
        .map((r: { t: string | null }) => r.t ?? '')
        .join('\n');
      for (const codes of opened) {
        const { pin, puk } = codes;
        for (const r of rows) {
          for (const column of ['wrapped_key', 'wrap_iv', 'sealed_codes', 'codes_iv'] as const) {
            const bytes: Buffer = r[column];
            for (const code of [pin, puk]) {
              expect(bytes.includes(Buffer.from(code, 'utf8'))).toBe(false);
              expect(bytes.includes(Buffer.from(code, 'utf16le'))).toBe(false);
            }
          }
          for (const text of [r.key_id, r.order_id, String(r.created_at)]) {
            expect(text).not.toContain(pin);
            expect(text).not.toContain(puk);
          }
        }
        // the row as PostgreSQL prints it (bytea in hex): no form of the codes the shared search looks for, nor
        // the hex of either code's characters (which the search takes only in a card's padded form)
        expect(findCodeLeaks(textOfRows, codes)).toEqual([]);
        for (const code of [pin, puk]) expect(textOfRows).not.toContain(Buffer.from(code).toString('hex'));
        expect(findCodeLeaks(outboxAndAudit, codes)).toEqual([]);
      }
    });
  });

  describe('codesForPersonalization', () => {
    it('issues the codes of an approved order whose approval was not handled yet, once, even asked 8 times at once', async () => {
      const { service } = vault();
      const id = await approvedOrder();
      const all = await Promise.all(Array.from({ length: 8 }, () => service.codesForPersonalization(id)));
      expect(new Set(all.map((c) => `${c.pin}/${c.puk}`)).size).toBe(1);
      expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM order_codes WHERE order_id = $1`, [id]))[0].n).toBe(1);
      // the approval message, handled later, finds them issued
      const { handler } = vault();
      await deliverApprovals(handler);
      expect(await service.codesForPersonalization(id)).toEqual(all[0]);
    });

    it('refuses an order that does not exist, or an id that is not one, naming it', async () => {
      const { service } = vault();
      const none = '00000000-0000-4000-8000-000000000000';
      await expect(service.codesForPersonalization(none)).rejects.toMatchObject({
        code: 'vault_order_unknown',
        status: 404,
        message: expect.stringContaining(none),
      });
      await expect(service.codesForPersonalization('nope')).rejects.toMatchObject({ code: 'vault_order_unknown', status: 400 });
    });
  });

  describe('rotate', () => {
    it('seals new codes with a key appended to the file, opens old ones with both, re-wraps them all, then opens all without the old key', async () => {
      // codes sealed under key A (the orders above, and one more)
      const underA = await approvedOrder();
      const before = vault();
      await deliverApprovals(before.handler);
      const aCodes = await before.service.codesForPersonalization(underA);
      const allIds: string[] = (await ctx.ds.query(`SELECT order_id FROM order_codes ORDER BY order_id`)).map(
        (r: { order_id: string }) => r.order_id,
      );
      expect(new Set((await ctx.ds.query(`SELECT DISTINCT key_id FROM order_codes`)).map((r: { key_id: string }) => r.key_id))).toEqual(
        new Set(['key-a']),
      );
      const opened = new Map<string, CardCodes>();
      for (const id of allIds) opened.set(id, await before.service.codesForPersonalization(id));

      // key B appended: the last line seals new codes; A's still open
      const lineA = readFileSync(keyFile, 'utf8');
      const lineB = newKeyLine('key-b');
      writeFileSync(keyFile, lineA + lineB, { mode: 0o600 });
      const both = vault();
      const underB = await approvedOrder();
      await deliverApprovals(both.handler);
      expect((await codeRow(underB)).key_id).toBe('key-b');
      opened.set(underB, await both.service.codesForPersonalization(underB));
      expect(await both.service.codesForPersonalization(underA)).toEqual(aCodes);

      // vault:rotate: every row to B, in chunks; the codes' ciphertext untouched
      const sealedBefore = await ctx.ds.query(`SELECT order_id, sealed_codes FROM order_codes ORDER BY order_id`);
      const progress: Array<[number, number]> = [];
      const r = await both.service.rotate({ actor: 'host:test', chunkSize: 2, onProgress: (d, t) => progress.push([d, t]) });
      expect(r).toEqual({ rewrapped: allIds.length, alreadyCurrent: 1, remaining: 0, currentKeyId: 'key-b' });
      expect(progress[progress.length - 1]).toEqual([allIds.length, allIds.length]);
      expect(progress.length).toBe(1 + Math.ceil(allIds.length / 2));
      const after = await ctx.ds.query(`SELECT order_id, key_id, sealed_codes, rewrapped_at FROM order_codes ORDER BY order_id`);
      expect(after.every((x: { key_id: string }) => x.key_id === 'key-b')).toBe(true);
      expect(after.filter((x: { rewrapped_at: Date | null }) => x.rewrapped_at !== null)).toHaveLength(allIds.length);
      expect(after.map((x: { sealed_codes: Buffer }) => x.sealed_codes.toString('hex'))).toEqual(
        sealedBefore.map((x: { sealed_codes: Buffer }) => x.sealed_codes.toString('hex')),
      );
      expect(await both.service.rotate({ actor: 'host:test' })).toEqual({
        rewrapped: 0,
        alreadyCurrent: allIds.length + 1,
        remaining: 0,
        currentKeyId: 'key-b',
      });
      const [audit] = await ctx.ds.query(
        `SELECT actor, entity, entity_id, details FROM audit_log WHERE action = 'vault.rotate' ORDER BY id LIMIT 1`,
      );
      expect(audit).toEqual({
        actor: 'host:test',
        entity: 'vault_key',
        entity_id: 'key-b',
        details: { rewrapped: allIds.length, alreadyCurrent: 1, remaining: 0, before: { 'key-a': allIds.length, 'key-b': 1 } },
      });

      // A removed from the file: everything still opens, to the same codes
      writeFileSync(keyFile, lineB, { mode: 0o600 });
      const onlyB = vault();
      for (const [id, codes] of opened) expect(await onlyB.service.codesForPersonalization(id)).toEqual(codes);
    });

    it('counts as remaining the codes sealed under the older key during the run, by a process that had not read the new key file yet; a rerun takes them', async () => {
      // a process that read the file before the new key was appended (its keyring: the current key only)
      const old = vault();
      await old.service.checkKeys();
      const [{ key_id: oldKeyId }] = await ctx.ds.query(`SELECT DISTINCT key_id FROM order_codes`);
      const [low, high] = [await approvedOrder(), await approvedOrder()].sort();
      await ctx.ds.transaction((em) => old.service.issue(em, [high]));
      const [{ n: underOld }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM order_codes WHERE key_id = $1`, [oldKeyId]);

      writeFileSync(keyFile, readFileSync(keyFile, 'utf8') + newKeyLine('key-c'), { mode: 0o600 });
      const now = vault();
      // The old process holds `high`'s row while the run starts: the run's chunk waits for it, and
      // meanwhile that process seals `low`'s codes (ids below `high`, so behind the run's cursor).
      const oldProcess = ctx.ds.createQueryRunner();
      await oldProcess.connect();
      let run: Promise<RotationResult> | undefined;
      try {
        await oldProcess.startTransaction();
        await oldProcess.query(`SELECT 1 FROM order_codes WHERE order_id = $1 FOR UPDATE`, [high]);
        run = now.service.rotate({ actor: 'host:test' });
        await waitForLockWaiter();
        await old.service.issue(oldProcess.manager, [low]);
        await oldProcess.commitTransaction();
      } finally {
        if (oldProcess.isTransactionActive) await oldProcess.rollbackTransaction();
        await oldProcess.release();
      }
      const r = await run;
      expect(r).toEqual({ rewrapped: underOld, alreadyCurrent: 0, remaining: 1, currentKeyId: 'key-c' });
      expect((await codeRow(low)).key_id).toBe(oldKeyId);
      expect((await codeRow(high)).key_id).toBe('key-c');
      const [audit] = await ctx.ds.query(
        `SELECT details FROM audit_log WHERE action = 'vault.rotate' AND entity_id = 'key-c' ORDER BY id DESC LIMIT 1`,
      );
      expect(audit.details).toMatchObject({ rewrapped: underOld, alreadyCurrent: 0, remaining: 1 });

      // the rerun the CLI asks for takes it; its codes unchanged
      const codes = await old.service.codesForPersonalization(low);
      expect(await now.service.rotate({ actor: 'host:test' })).toEqual({
        rewrapped: 1,
        alreadyCurrent: underOld,
        remaining: 0,
        currentKeyId: 'key-c',
      });
      expect(await now.service.codesForPersonalization(low)).toEqual(codes);
      await deliverApprovals(now.handler); // the two approvals, their codes already issued: consumed, nothing drawn
    });

    it('refuses to rotate while codes are sealed under a key no longer configured, naming the key and the count, never a code', async () => {
      const current = readFileSync(keyFile, 'utf8');
      // two orders sealed under "gone" by a process of before (its file then ended with that key)
      const oldLine = newKeyLine('gone');
      writeFileSync(keyFile, current + oldLine, { mode: 0o600 });
      const old = vault();
      const ids = [await approvedOrder(), await approvedOrder()];
      await deliverApprovals(old.handler);
      const codes = await old.service.codesForPersonalization(ids[0]);
      writeFileSync(keyFile, current, { mode: 0o600 });
      const now = vault();
      const err = await now.service.rotate({ actor: 'host:test' }).catch((e) => e);
      expect(err).toBeInstanceOf(MailingError);
      expect(err.code).toBe('vault_key_missing');
      expect(err.message).toMatch(/^2 orders have codes sealed under vault key "gone", which is not configured: .* back in VAULT_KEY_FILE/);
      expect(err.message).not.toContain(codes.puk);
      expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM order_codes WHERE key_id = 'gone'`))[0].n).toBe(2);
      await expect(now.service.codesForPersonalization(ids[0])).rejects.toMatchObject({ code: 'vault_key_missing', message: err.message });

      // the key put back before the current one: vault:rotate re-wraps them, and they open
      writeFileSync(keyFile, oldLine + current, { mode: 0o600 });
      const back = vault();
      expect(await back.service.rotate({ actor: 'host:test' })).toEqual(expect.objectContaining({ rewrapped: 2, remaining: 0 }));
      writeFileSync(keyFile, current, { mode: 0o600 });
      expect(await vault().service.codesForPersonalization(ids[0])).toEqual(codes);
    });
  });

  describe('checkKeys, and every call: a keyring short of a key in use', () => {
    /** The vault as the worker runs it: its keys read again when the key file changes. */
    function liveVault() {
      const keys = new VaultKeys({ VAULT_KEY_FILE: keyFile, DATA_DIR: dir, NODE_ENV: 'test' } as AppConfig, ctx.clock);
      const service = new CodeVaultService(ctx.ds, ctx.audit, keys);
      return { service, handler: new OrdersApprovedHandler(ctx.ds, service, new OutboxService()) };
    }

    it('refuses at start and every call after a reload that drops keys in use, naming them and their orders, until they are back', async () => {
      const current = readFileSync(keyFile, 'utf8');
      const [xLine, yLine] = [newKeyLine('key-x'), newKeyLine('key-y')];
      const live = liveVault();
      await live.service.checkKeys();
      const underCurrent = await approvedOrder();
      await deliverApprovals(live.handler);
      const currentCodes = await live.service.codesForPersonalization(underCurrent);
      // another process seals one order under x, then two under y (each the last line of its file then)
      writeFileSync(keyFile, current + xLine, { mode: 0o600 });
      const underX = await approvedOrder();
      await deliverApprovals(vault().handler);
      writeFileSync(keyFile, current + xLine + yLine, { mode: 0o600 });
      const underY = [await approvedOrder(), await approvedOrder()];
      await deliverApprovals(vault().handler);
      const sealedCodes = await Promise.all([underX, ...underY].map((id) => vault().service.codesForPersonalization(id)));
      const currentId = parseVaultKeys(current, 'f').current.id;

      // the key file loses x and y: a worker starting now refuses, and the running one fails every call, each time
      writeFileSync(keyFile, current, { mode: 0o600 });
      const expected =
        `1 order has codes sealed under vault key "key-x"; 2 orders have codes sealed under vault key "key-y", which are not configured: ` +
        `the vault opens and issues no codes until those keys are back in VAULT_KEY_FILE (before the current one, "${currentId}"); ` +
        'vault:rotate then re-wraps them to the current key';
      const starting = liveVault();
      const refused = await starting.service.checkKeys().catch((e) => e);
      expect(refused).toBeInstanceOf(MailingError);
      expect(refused).toMatchObject({ code: 'vault_key_missing', message: expected, extra: { keyIds: ['key-x', 'key-y'] } });
      await approvedOrder(); // its approval waits
      for (let i = 0; i < 2; i++) {
        await expect(live.service.checkKeys()).rejects.toMatchObject({ code: 'vault_key_missing', message: expected });
        // codes under a key still held are refused too, and so is issuing
        await expect(live.service.codesForPersonalization(underCurrent)).rejects.toMatchObject({ message: expected });
        await expect(deliverApprovals(live.handler)).rejects.toMatchObject({ message: expected });
      }
      for (const c of [currentCodes, ...sealedCodes]) {
        expect(expected).not.toContain(c.pin);
        expect(expected).not.toContain(c.puk);
      }

      // the keys back: the running worker opens everything again, the pending approval is issued; then rotate to the current key
      writeFileSync(keyFile, xLine + yLine + current, { mode: 0o600 });
      await live.service.checkKeys();
      expect(await live.service.codesForPersonalization(underY[1])).toEqual(sealedCodes[2]);
      expect(await deliverApprovals(live.handler)).toBe(1);
      expect(await live.service.rotate({ actor: 'host:test' })).toEqual(expect.objectContaining({ rewrapped: 3, remaining: 0 }));
      writeFileSync(keyFile, current, { mode: 0o600 });
      await starting.service.checkKeys();
      expect(await starting.service.codesForPersonalization(underX)).toEqual(sealedCodes[0]);
    });

    it('a worker whose keyring was found whole, asked for codes sealed since under a key it lacks, reports its keyring short', async () => {
      const current = readFileSync(keyFile, 'utf8');
      const live = liveVault();
      await live.service.checkKeys();
      // another host's key file has a newer key, which seals an order; this one's file does not (yet)
      const elsewhere = join(dir, 'elsewhere.keys');
      const zLine = newKeyLine('key-z');
      writeFileSync(elsewhere, current + zLine, { mode: 0o600 });
      const other = new CodeVaultService(ctx.ds, ctx.audit, {
        get: async () => (await loadVaultKeys({ keyFile: elsewhere, dataDir: dir, profile: 'test', today: '2026-11-30' })).keyring,
      });
      const id = await approvedOrder();
      await deliverApprovals(new OrdersApprovedHandler(ctx.ds, other, new OutboxService()));
      const codes = await other.codesForPersonalization(id);
      const err = await live.service.codesForPersonalization(id).catch((e) => e);
      expect(err).toMatchObject({ code: 'vault_key_missing', extra: { keyIds: ['key-z'] } });
      expect(err.message).toMatch(/^1 order has codes sealed under vault key "key-z", which is not configured: /);
      expect(err.message).not.toContain(codes.puk);
      await expect(live.service.checkKeys()).rejects.toMatchObject({ message: err.message });
      // this host gets the key: re-wrapped to the current one, everything opens without it
      writeFileSync(keyFile, zLine + current, { mode: 0o600 });
      await live.service.checkKeys();
      expect(await live.service.codesForPersonalization(id)).toEqual(codes);
      expect(await live.service.rotate({ actor: 'host:test' })).toEqual(expect.objectContaining({ rewrapped: 1, remaining: 0 }));
      writeFileSync(keyFile, current, { mode: 0o600 });
      await live.service.checkKeys();
    });

    it('refuses a key id configured with other bytes than the key that sealed under it (vault_key_wrong), naming the id, until the right key is back', async () => {
      const current = readFileSync(keyFile, 'utf8');
      const wLine = newKeyLine('key-w');
      writeFileSync(keyFile, current + wLine, { mode: 0o600 });
      const id = await approvedOrder();
      await deliverApprovals(vault().handler);
      const codes = await vault().service.codesForPersonalization(id);
      // the same id, other bytes (a key file restored from the wrong copy)
      writeFileSync(keyFile, current + newKeyLine('key-w'), { mode: 0o600 });
      const wrong = liveVault();
      const err = await wrong.service.checkKeys().catch((e) => e);
      expect(err).toBeInstanceOf(MailingError);
      expect(err).toMatchObject({ code: 'vault_key_wrong', extra: { keyIds: ['key-w'] } });
      expect(err.message).toMatch(
        /^VAULT_KEY_FILE holds vault key "key-w" with other bytes than the key that sealed the codes under that id/,
      );
      expect(err.message).not.toContain(codes.puk);
      // a configuration error, not this order's: every call refuses the same way
      await expect(wrong.service.codesForPersonalization(id)).rejects.toMatchObject({ code: 'vault_key_wrong' });
      writeFileSync(keyFile, current + wLine, { mode: 0o600 });
      await wrong.service.checkKeys();
      expect(await wrong.service.codesForPersonalization(id)).toEqual(codes);
    });

    it('takes one damaged row for that row, not for a wrong key: the others open', async () => {
      const live = liveVault();
      const ids = [await approvedOrder(), await approvedOrder()];
      await deliverApprovals(live.handler);
      const good = await live.service.codesForPersonalization(ids[1]);
      await ctx.ds.query(`UPDATE order_codes SET wrapped_key = decode(repeat('00', length(wrapped_key)), 'hex') WHERE order_id = $1`, [
        ids[0],
      ]);
      const fresh = liveVault();
      await fresh.service.checkKeys();
      await expect(fresh.service.codesForPersonalization(ids[0])).rejects.toMatchObject({ code: 'vault_unreadable' });
      expect(await fresh.service.codesForPersonalization(ids[1])).toEqual(good);
    });
  });

  describe("the orders module's card events: card letters waiting, codes destroyed when a card is opposed", () => {
    /** A card made for `orderId`, as personalization records it. */
    async function cardFor(orderId: string, cardNumber: string): Promise<void> {
      await ctx.ds.query(
        `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, valid_from, valid_until,
                           state, order_id, source)
         SELECT $1, o.card_type, 'CPS4', o.national_id, o.national_id, o.profession_code, DATE '2026-11-30', DATE '2032-11-29',
                'personalized', o.id, 'order'
           FROM card_order o WHERE o.id = $2`,
        [cardNumber, orderId],
      );
    }
    const letters = async (cardNumber: string) =>
      ctx.ds.query(`SELECT kind, state, held_reason FROM mailing_letter WHERE card_number = $1 ORDER BY kind`, [cardNumber]);

    it("a card personalized waits for its card letter; a card opposed loses its codes (audited) and its letters not batched; another card's stay", async () => {
      const { service, handler } = vault();
      const outbox = new OutboxService();
      const cards = new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock);
      const personalized = new CardsPersonalizedHandler(ctx.ds, cards, outbox);
      const opposedHandler = new CardsOpposedHandler(ctx.ds, cards, service, outbox);
      const [kept, opposed] = [await approvedOrder(), await approvedOrder()];
      await deliverApprovals(handler);
      await cardFor(kept, '9900000017');
      await cardFor(opposed, '9900000025');
      const keptCodes = await service.codesForPersonalization(kept);

      expect(await personalized.consume(['9900000017', '9900000025'])).toEqual({ cards: 2, letters: 2 });
      // A redelivery changes nothing.
      expect(await personalized.consume(['9900000017', '9900000025'])).toEqual({ cards: 2, letters: 0 });
      expect(await letters('9900000025')).toEqual([{ kind: 'card-letter', state: 'waiting', held_reason: null }]);

      // The orders module opposes the card and says so in its outbox.
      await ctx.ds.transaction((em) => cards.oppose(em, '9900000025', 'loss'));
      const [event] = await ctx.ds.query(`SELECT payload FROM outbox WHERE topic = 'card.opposed' ORDER BY id DESC LIMIT 1`);
      expect(event.payload).toEqual({ cardNumbers: ['9900000025'] });
      expect(await opposedHandler.consume(event.payload.cardNumbers)).toEqual({ cards: 1, codesDestroyed: 1, lettersHeld: 1 });
      expect(await opposedHandler.consume(event.payload.cardNumbers)).toEqual({ cards: 1, codesDestroyed: 0, lettersHeld: 1 });

      const row = await codeRow(opposed);
      expect(row).toMatchObject({
        key_id: null,
        wrapped_key: null,
        wrap_iv: null,
        sealed_codes: null,
        codes_iv: null,
        destroyed_reason: 'card opposed',
      });
      expect(row.destroyed_at).toBeInstanceOf(Date);
      const entries = await ctx.ds.query(`SELECT actor, details FROM audit_log WHERE action = 'codes.destroy' AND entity_id = $1`, [
        opposed,
      ]);
      expect(entries).toEqual([{ actor: 'system:vault', details: { reason: 'card opposed' } }]);
      expect(await letters('9900000025')).toEqual([{ kind: 'card-letter', state: 'held', held_reason: 'card opposed' }]);
      const refused = await service.codesForPersonalization(opposed).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(MailingError);
      expect(refused).toMatchObject({ code: 'codes_destroyed', status: 409 });
      expect((refused as Error).message).toMatch(/destroyed on .* \(card opposed\): the holder asks for a new card/);
      // The other card: codes and letter untouched.
      expect((await codeRow(kept)).destroyed_at).toBeNull();
      expect(await service.codesForPersonalization(kept)).toEqual(keptCodes);
      expect(await letters('9900000017')).toEqual([{ kind: 'card-letter', state: 'waiting', held_reason: null }]);
      // The vault's key counts and rotation see only codes that still exist.
      expect((await service.rotate({ actor: 't' })).remaining).toBe(0);
    });
  });
});
