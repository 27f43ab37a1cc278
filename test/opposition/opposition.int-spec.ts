import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '../../src/common/clock/clock';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { EdgeValidationPipe } from '../../src/common/http/validation';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CrlPublisher } from '../../src/opposition/crl-publisher.service';
import { fixedSigner, generateDevelopmentIssuer, SoftwareCrlSigner } from '../../src/opposition/crl-signer';
import { CrlStore } from '../../src/opposition/crl-store.service';
import { DeclareOppositionBody } from '../../src/opposition/dto/declare-opposition.dto';
import { ExpiryService } from '../../src/opposition/expiry.service';
import { OppositionsService } from '../../src/opposition/oppositions.service';
import { CardBaseImportService } from '../../src/orders/card-base-import.service';
import { CardsService } from '../../src/orders/cards.service';
import { OppositionRequestsService } from '../../src/orders/opposition-requests.service';
import { OrdersService } from '../../src/orders/orders.service';
import { RegistryEventsHandler } from '../../src/orders/registry-events.handler';
import { openContext, TestContext } from '../support/context';
import { crlText, verifyCrl } from '../support/openssl';

const FIX = join(__dirname, '..', 'fixtures');
const helpdesk = { reason: 'loss', channel: 'phone', verification: 'date of birth and RPPS number checked' };

describe(OppositionsService.name, () => {
  let ctx: TestContext;
  let dataDir: string;
  let cards: CardsService;
  let cardBase: CardBaseImportService;
  let orders: OrdersService;
  let oppositions: OppositionsService;
  let publisher: CrlPublisher;
  let issuerFile: string;
  let cfg: AppConfig;
  /** The service as it runs on `day` (its clock says so): an expiry sweep takes no day after today. */
  const on = (day: string) =>
    new ExpiryService(ctx.ds, cards, ctx.audit, new OutboxService(), ctx.jobs, cfg, Clock.startingAt(`${day}T12:00:00Z`));

  const card = async (n: string) =>
    (await ctx.ds.query(`SELECT state, opposition_reason, opposed_at FROM card WHERE card_number = $1`, [n]))[0];
  const auditOf = async (n: string) =>
    (await ctx.ds.query(`SELECT actor, action, details FROM audit_log WHERE entity = 'card' AND entity_id = $1 ORDER BY id`, [
      n,
    ])) as Array<{
      actor: string;
      action: string;
      details: Record<string, unknown>;
    }>;
  const count = async (sql: string, params: unknown[] = []) => (await ctx.ds.query(sql, params))[0].n as number;
  /** A valid card of the base (not opposed, not expired) with its holder in the registry. */
  const validCard = async (exclude: string[] = []) =>
    (
      await ctx.ds.query(
        `SELECT c.card_number AS n FROM card c JOIN rpps_profession p ON p.national_id = c.national_id AND p.profession_code = c.profession_code
        WHERE c.state = 'active' AND c.valid_until >= current_date AND NOT (c.card_number = ANY($1)) ORDER BY c.card_number LIMIT 1`,
        [exclude],
      )
    )[0].n as string;

  beforeAll(async () => {
    ctx = await openContext('opposition');
    dataDir = mkdtempSync(join(tmpdir(), 'cps-opposition-'));
    cfg = loadConfig({ DATA_DIR: dataDir, CRL_EXPIRED_GRACE_DAYS: '30' });
    const outbox = new OutboxService();
    cards = new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock);
    cardBase = new CardBaseImportService(ctx.ds, ctx.audit, outbox);
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, ctx.cfg, ctx.clock, outbox);
    oppositions = new OppositionsService(ctx.ds, cards, orders, ctx.audit, outbox, ctx.clock, new OppositionRequestsService());
    const { keyPem, certPem } = await generateDevelopmentIssuer();
    issuerFile = join(dataDir, 'issuer.crt');
    writeFileSync(issuerFile, certPem);
    publisher = new CrlPublisher(
      ctx.ds,
      ctx.audit,
      new CrlStore(ctx.ds),
      fixedSigner(new SoftwareCrlSigner(keyPem, certPem)),
      cfg,
      ctx.clock,
    );
    await ctx.imports.run({ files: [join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt')], actor: 't' });
    await cardBase.importHolders(join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'), 't');
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const edge = new EdgeValidationPipe();
  /** A declaration as the route takes it: through the route's schema (the global pipe), then the service. */
  async function declare(cardNumber: string, body: unknown, actor: string, role: string, service = oppositions) {
    const parsed = await edge.transform(body, { type: 'body', metatype: DeclareOppositionBody });
    return service.declare(cardNumber, service.toDeclaration(parsed), actor, role);
  }

  describe('cards imported already opposed', () => {
    it('are handed over once, and recorded without a reason', async () => {
      expect(await count(`SELECT count(*)::int AS n FROM opposition_request WHERE source = 'import' AND reason IS NULL`)).toBe(4);
      expect(await count(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'card.opposition-requested'`)).toBe(1);
      await cardBase.importHolders(join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'), 't');
      expect(await count(`SELECT count(*)::int AS n FROM opposition_request WHERE source = 'import'`)).toBe(4);
      expect(await oppositions.handleRequests()).toEqual({ requestsHandled: 4, oppositionsCreated: 4 });
      expect(await oppositions.handleRequests()).toEqual({ requestsHandled: 0, oppositionsCreated: 0 });
      const rows = await ctx.ds.query(`SELECT reason, source, channel FROM opposition`);
      expect(rows).toEqual(Array(4).fill({ reason: null, source: 'import', channel: 'import' }));
    });
  });

  describe('declare', () => {
    it('opposes the card for good, records who declared what, orders a replacement approved by policy, audits', async () => {
      const n = await validCard();
      const r = await declare(
        n,
        { ...helpdesk, reason: 'theft', invalidityDate: '2026-11-20', comment: 'stolen bag' },
        'helpdesk:hd1',
        'helpdesk',
      );
      expect(r.created).toBe(true);
      expect(r.opposition).toEqual(
        expect.objectContaining({
          cardNumber: n,
          reason: 'theft',
          source: 'helpdesk',
          channel: 'phone',
          declaredBy: 'helpdesk:hd1',
          verification: helpdesk.verification,
          comment: 'stolen bag',
          invalidityDate: new Date('2026-11-20T00:00:00Z'),
        }),
      );
      expect(await card(n)).toEqual(expect.objectContaining({ state: 'opposed', opposition_reason: 'theft' }));
      const [order] = await ctx.ds.query(`SELECT id, reason, status, replaces_card FROM card_order WHERE replaces_card = $1`, [n]);
      expect(order).toEqual(expect.objectContaining({ reason: 'replacement', status: 'approved', id: r.opposition.replacementOrderId }));
      expect((await auditOf(n)).map((a) => [a.actor, a.action])).toContainEqual(['helpdesk:hd1', 'opposition.declare']);
      expect(await cards.status(n)).toEqual({ cardNumber: n, status: 'opposed', reason: 'theft', opposedAt: expect.any(Date) });
    });

    it('answers a repeated declaration, whatever its reason, with the existing opposition', async () => {
      const n = await validCard();
      const first = await declare(n, { ...helpdesk, reason: 'malfunction' }, 'operator:op1', 'operator');
      const again = await declare(n, { ...helpdesk, reason: 'loss' }, 'helpdesk:hd2', 'helpdesk');
      expect(again).toEqual({ opposition: first.opposition, created: false });
      expect(first.opposition.source).toBe('operator');
      expect(await count(`SELECT count(*)::int AS n FROM card_order WHERE replaces_card = $1`, [n])).toBe(1);
    });

    it('makes one opposition of 50 concurrent declarations, each answer naming it', async () => {
      const n = await validCard();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          declare(n, { ...helpdesk, reason: i % 2 ? 'loss' : 'non-receipt' }, `helpdesk:h${i}`, 'helpdesk'),
        ),
      );
      expect(new Set(answers.map((a) => a.opposition.id)).size).toBe(1);
      expect(answers.filter((a) => a.created)).toHaveLength(1);
      expect(await count(`SELECT count(*)::int AS n FROM opposition WHERE card_number = $1`, [n])).toBe(1);
      expect(await count(`SELECT count(*)::int AS n FROM card_order WHERE replaces_card = $1`, [n])).toBe(1);
      expect((await auditOf(n)).filter((a) => a.action === 'opposition.declare')).toHaveLength(1);
    });

    it('follows OPPOSITION_REPLACEMENT: a replacement waiting for an operator, or none', async () => {
      const withPolicy = (policy: string) =>
        new OppositionsService(
          ctx.ds,
          cards,
          new OrdersService(
            ctx.ds,
            ctx.audit,
            ctx.rpps,
            loadConfig({ DATA_DIR: dataDir, OPPOSITION_REPLACEMENT: policy }),
            ctx.clock,
            new OutboxService(),
          ),
          ctx.audit,
          new OutboxService(),
          ctx.clock,
          new OppositionRequestsService(),
        );
      const a = await validCard();
      const r = await declare(a, { ...helpdesk, reason: 'non-receipt' }, 'helpdesk:hd1', 'helpdesk', withPolicy('operator'));
      const [order] = await ctx.ds.query(`SELECT status, reason, requested_by FROM card_order WHERE id = $1`, [
        r.opposition.replacementOrderId,
      ]);
      expect(order).toEqual({ status: 'requested', reason: 'replacement', requested_by: 'policy' });
      const b = await validCard([a]);
      const none = await declare(b, helpdesk, 'helpdesk:hd1', 'helpdesk', withPolicy('none'));
      expect(none.opposition.replacementOrderId).toBeNull();
      expect(await count(`SELECT count(*)::int AS n FROM card_order WHERE replaces_card = $1`, [b])).toBe(0);
    });

    it('refuses bad input, naming each problem, and commits nothing', async () => {
      const n = await validCard();
      const before = await count(`SELECT count(*)::int AS n FROM opposition`);
      await expect(declare(n, { reason: 'expiry', channel: 'fax' }, 'helpdesk:x', 'helpdesk')).rejects.toMatchObject({
        code: 'validation_failed',
        status: 400,
        message: expect.stringMatching(
          /reason: expected one of loss, theft, malfunction, non-receipt, cessation \(expiry is recorded by the system\).*channel: expected one of phone.*verification: required/,
        ),
      });
      await expect(
        declare(n, { ...helpdesk, reason: 'malfunction', invalidityDate: '2026-11-01' }, 'helpdesk:x', 'helpdesk'),
      ).rejects.toThrow(/invalidityDate: only for a loss or a theft/);
      await expect(declare(n, { ...helpdesk, invalidityDate: '2999-01-01' }, 'helpdesk:x', 'helpdesk')).rejects.toThrow(
        /invalidityDate: in the future/,
      );
      await expect(declare('0000000000', helpdesk, 'helpdesk:x', 'helpdesk')).rejects.toMatchObject({
        status: 404,
        code: 'card_not_found',
      });
      await expect(declare('12', helpdesk, 'helpdesk:x', 'helpdesk')).rejects.toMatchObject({ status: 400 });
      expect(await count(`SELECT count(*)::int AS n FROM opposition`)).toBe(before);
      expect((await card(n)).state).toBe('active');
    });
  });

  describe('requests from the orders module', () => {
    it('opposes for cessation the cards of a holder the registry ceased, and cancels their open orders', async () => {
      await ctx.imports.run({ files: [join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt')], actor: 't' });
      const consumer = new RegistryEventsHandler(ctx.ds, ctx.rpps, orders, ctx.audit, new OutboxService(), ctx.clock);
      const ceased: Array<{ id: string; national_id: string }> = await ctx.ds.query(
        `SELECT id::text AS id, national_id FROM rpps_event WHERE kind IN ('CEASED', 'PROFESSION_REMOVED')`,
      );
      expect(ceased.length).toBeGreaterThan(0);
      for (const e of ceased) await consumer.consume(e.id);
      const requested: Array<{ card_number: string }> = await ctx.ds.query(
        `SELECT card_number FROM opposition_request WHERE reason = 'cessation' AND handled_at IS NULL`,
      );
      expect(requested.length).toBeGreaterThan(0);
      const r = await oppositions.handleRequests();
      expect(r.requestsHandled).toBe(requested.length);
      for (const { card_number: n } of requested) {
        expect(await card(n)).toEqual(expect.objectContaining({ state: 'opposed', opposition_reason: 'cessation' }));
        const [o] = await ctx.ds.query(`SELECT reason, source, declared_by FROM opposition WHERE card_number = $1`, [n]);
        expect(o).toEqual({ reason: 'cessation', source: 'registry', declared_by: 'system:registry' });
        expect((await auditOf(n)).map((a) => [a.actor, a.action])).toContainEqual(['system:registry', 'opposition.record']);
      }
    });

    it('records the opposition (replacement) of the card a newly activated card replaces', async () => {
      const old = await validCard();
      const [holder] = await ctx.ds.query(`SELECT national_id, profession_code, card_type FROM card WHERE card_number = $1`, [old]);
      // The new card as personalization leaves it (issue 5 builds that step): sent, replacing the old one.
      const fresh = await cards.allocateNumber(ctx.ds.manager);
      await ctx.ds.query(
        `INSERT INTO card (card_number, card_type, national_id, national_id_in_card, profession_code, valid_from, valid_until, state, source, replaces_card)
         VALUES ($1, $2, $3, $3, $4, current_date, current_date + 1095, 'sent', 'order', $5)`,
        [fresh, holder.card_type, holder.national_id, holder.profession_code, old],
      );
      await cards.activate(fresh, 'batch:auth');
      expect(await card(old)).toEqual(expect.objectContaining({ state: 'opposed', opposition_reason: 'replacement' }));
      await oppositions.handleRequests();
      const [o] = await ctx.ds.query(`SELECT reason, source FROM opposition WHERE card_number = $1`, [old]);
      expect(o).toEqual({ reason: 'replacement', source: 'system' });
      expect((await auditOf(old)).map((a) => a.action)).toEqual(expect.arrayContaining(['opposition.record']));
      expect(await cards.status(fresh)).toEqual({ cardNumber: fresh, status: 'valid' });
    });
  });

  describe('expire', () => {
    it('refuses a day after today, and an impossible one, opposing nothing', async () => {
      const tomorrow = (await ctx.ds.query(`SELECT to_char($1::date + 1, 'YYYY-MM-DD') AS d`, [ctx.clock.today()]))[0].d as string;
      await expect(
        new ExpiryService(ctx.ds, cards, ctx.audit, new OutboxService(), ctx.jobs, cfg, ctx.clock).expire({
          asOf: tomorrow,
          actor: 'cli',
          confirmMassChange: true,
        }),
      ).rejects.toThrow(new RegExp(`--as-of ${tomorrow} is after today \\(${ctx.clock.today()}, Europe/Paris\\)`));
      await expect(on('2027-01-01').expire({ asOf: '2027-13-01', actor: 'cli' })).rejects.toThrow(/--as-of "2027-13-01": .*YYYY-MM-DD/);
      expect(await count(`SELECT count(*)::int AS n FROM opposition WHERE reason = 'expiry'`)).toBe(0);
    });

    it('holds a sweep past EXPIRY_MAX_SHARE, then opposes every card past its end of validity once confirmed, once', async () => {
      const due = await count(`SELECT count(*)::int AS n FROM card WHERE state <> 'opposed' AND valid_until < '2027-01-01'`);
      const valid = await count(`SELECT count(*)::int AS n FROM card WHERE state <> 'opposed'`);
      expect(due / valid).toBeGreaterThan(cfg.EXPIRY_MAX_SHARE);
      const sweep = on('2027-01-01');
      const held = await sweep.expire({ actor: 'cli' });
      expect(held).toEqual(
        expect.objectContaining({
          status: 'held',
          asOf: '2027-01-01',
          asOfGiven: false,
          cardsExpired: 0,
          cardsDue: due,
          validCards: valid,
        }),
      );
      const [run] = await ctx.ds.query(`SELECT state, error, result->>'heldReason' AS "heldReason" FROM job_run WHERE id = $1`, [
        held.jobRunId,
      ]);
      // held is not failed: no error, the reason (and how to confirm) in the result
      expect(run).toEqual({ state: 'held', error: null, heldReason: held.heldReason });
      expect(await count(`SELECT count(*)::int AS n FROM opposition WHERE reason = 'expiry'`)).toBe(0);
      const r = await sweep.expire({ asOf: '2027-01-01', actor: 'cli', confirmMassChange: true });
      expect(r).toEqual(
        expect.objectContaining({
          status: 'applied',
          asOf: '2027-01-01',
          cardsExpired: due,
          oppositionsCreated: due,
          massChangeConfirmed: `expiry sweep of ${due} cards confirmed at the host by cli (--confirm-mass-change)`,
        }),
      );
      expect(await sweep.expire({ asOf: '2027-01-01', actor: 'cli' })).toEqual(
        expect.objectContaining({ status: 'applied', asOf: '2027-01-01', cardsExpired: 0, oppositionsCreated: 0 }),
      );
      const [one] = await ctx.ds.query(`SELECT card_number FROM opposition WHERE reason = 'expiry' LIMIT 1`);
      expect((await auditOf(one.card_number)).map((a) => [a.actor, a.action])).toContainEqual(['cli', 'opposition.expiry']);
    });
  });

  describe('an opposed card', () => {
    it('never becomes valid or active again; its replacement is a new card with a new number', async () => {
      const [o] = await ctx.ds.query(`SELECT card_number, replacement_order_id FROM opposition WHERE reason = 'theft'`);
      const n = o.card_number as string;
      await expect(cards.activate(n, 'batch:auth')).rejects.toMatchObject({ status: 409 });
      // whatever writes to the table: the database itself refuses
      await expect(ctx.ds.query(`UPDATE card SET state = 'active' WHERE card_number = $1`, [n])).rejects.toThrow(
        `card ${n} is opposed: opposition is final`,
      );
      await expect(ctx.ds.query(`UPDATE card SET opposed_at = now() - interval '1 day' WHERE card_number = $1`, [n])).rejects.toThrow(
        /final/,
      );
      await cardBase.importHolders(join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'), 't'); // the old base says it is active
      expect((await card(n)).state).toBe('opposed');
      const [{ after }] = await ctx.ds.query(`SELECT to_char(valid_until + 1, 'YYYY-MM-DD') AS after FROM card WHERE card_number = $1`, [
        n,
      ]);
      // past its end of validity (on that day): the sweep leaves it as it is
      await on(after).expire({ asOf: after, actor: 'cli', confirmMassChange: true });
      expect(await card(n)).toEqual(expect.objectContaining({ state: 'opposed', opposition_reason: 'theft' }));
      expect((await cards.status(n)).status).toBe('opposed');
      const [order] = await ctx.ds.query(`SELECT replaces_card FROM card_order WHERE id = $1`, [o.replacement_order_id]);
      expect(order.replaces_card).toBe(n);
      const numbers = new Set<string>();
      for (let i = 0; i < 5; i++) numbers.add(await cards.allocateNumber(ctx.ds.manager));
      expect(numbers.has(n)).toBe(false);
      expect(await count(`SELECT count(*)::int AS n FROM card WHERE card_number = ANY($1) `, [[...numbers]])).toBe(0);
    });
  });

  describe(CrlPublisher.name, () => {
    it('publishes a full CRL that openssl verifies, listing the opposed cards within the grace period with their reason codes', async () => {
      const r = await publisher.publishFull('cli');
      const file = join(dataDir, r.path);
      expect(verifyCrl(file, issuerFile)).toMatch(/verify OK/);
      const t = crlText(file);
      expect(t.crlNumber).toBe(BigInt(r.crlNumber));
      expect(t.deltaBase).toBeNull();
      const listed: Array<{ card_number: string; reason: string | null }> = await ctx.ds.query(
        `SELECT card_number, reason FROM opposition WHERE valid_until >= current_date - 30`,
      );
      expect(t.entries).toBe(listed.length);
      expect(r.entries).toBe(listed.length);
      const expected: Record<string, string | null> = {
        loss: 'Key Compromise',
        theft: 'Key Compromise',
        malfunction: null,
        'non-receipt': null,
        expiry: null,
        cessation: 'Cessation Of Operation',
        replacement: 'Superseded',
      };
      for (const l of listed)
        expect([l.card_number, t.reasons.get(l.card_number)]).toEqual([l.card_number, l.reason ? expected[l.reason] : null]);
      const theft = listed.find((l) => l.reason === 'theft')!.card_number;
      expect(t.invalidityDates.get(theft)).toMatch(/Nov 20 00:00:00 2026 GMT/);
      // Expired past the grace period: off the list, still opposed.
      const [gone] = await ctx.ds.query(`SELECT card_number FROM opposition WHERE valid_until < current_date - 30 LIMIT 1`);
      expect(t.reasons.has(gone.card_number)).toBe(false);
      expect((await cards.status(gone.card_number)).status).toBe('opposed');
    });

    it('publishes delta CRLs naming their base and listing what was opposed since, and skips one with nothing new', async () => {
      const base = await publisher.current('full');
      const emptyDelta = await publisher.current('delta');
      expect(emptyDelta).toEqual(expect.objectContaining({ baseCrlNumber: base!.crlNumber, entries: 0 }));
      expect(await publisher.publishDelta('t')).toEqual(
        expect.objectContaining({ skipped: expect.any(String), crlNumber: emptyDelta!.crlNumber }),
      );
      const n1 = await validCard();
      await declare(n1, helpdesk, 'helpdesk:hd', 'helpdesk');
      const d1 = await publisher.publishDelta('t');
      const n2 = await validCard([n1]);
      await declare(n2, { ...helpdesk, reason: 'non-receipt' }, 'helpdesk:hd', 'helpdesk');
      const d2 = await publisher.publishDelta('t');
      expect(BigInt(d1.crlNumber)).toBeGreaterThan(BigInt(emptyDelta!.crlNumber));
      expect(BigInt(d2.crlNumber)).toBe(BigInt(d1.crlNumber) + 1n);
      const t = crlText(join(dataDir, d2.path));
      expect(verifyCrl(join(dataDir, d2.path), issuerFile)).toMatch(/verify OK/);
      expect(t.deltaBase).toBe(BigInt(base!.crlNumber));
      expect(t.crlNumber).toBe(BigInt(d2.crlNumber));
      expect([...t.reasons.entries()].sort()).toEqual(
        [
          [n1, 'Key Compromise'],
          [n2, null],
        ].sort(),
      );
      expect(crlText(join(dataDir, d1.path)).entries).toBe(1);
      const audits = await ctx.ds.query(`SELECT action, entity_id FROM audit_log WHERE entity = 'crl' ORDER BY id DESC LIMIT 1`);
      expect(audits).toEqual([{ action: 'crl.publish-delta', entity_id: d2.crlNumber }]);
    });
  });
});
