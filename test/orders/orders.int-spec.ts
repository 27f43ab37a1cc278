import { join } from 'node:path';
import { TokensService } from '../../src/common/auth/tokens.service';
import { Clock } from '../../src/common/clock/clock';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardBaseImportService } from '../../src/orders/card-base-import.service';
import { ORDER_REASONS, OrderActor, OrdersService } from '../../src/orders/orders.service';
import { RppsService } from '../../src/rpps/rpps.service';
import { openContext, TestContext } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const LEFEVRE = '810000000355'; // pédicure-podologue (80), one site

const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

describe(OrdersService.name, () => {
  let ctx: TestContext;
  let orders: OrdersService;
  let tokens: TokensService;
  /** The principals, each with the actor an API call of theirs records. */
  const by: Record<string, OrderActor> = {};

  /** A principal holding a token of that role; the same name again is the same principal. */
  async function principal(name: string, role: string): Promise<OrderActor> {
    const { token } = await tokens.create({ role, principal: name }, 'test');
    const p = await tokens.verify(token);
    return { actor: `principal:${p!.name}`, principalId: p!.principalId, kind: p!.kind };
  }

  beforeAll(async () => {
    ctx = await openContext('orders');
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, ctx.cfg, ctx.clock, new OutboxService());
    tokens = new TokensService(ctx.ds, ctx.audit);
    await ctx.imports.run({ files: [day1], actor: 't' });
    for (const [name, role] of [
      ['alice', 'operator'],
      ['bob', 'operator'],
      ['nightly', 'batch'],
    ]) {
      by[name] = await principal(name, role);
    }
    by.op = await principal('carol', 'operator');
  });
  afterAll(async () => ctx.close());

  describe('create', () => {
    it('keeps a manual order requested until a second operator approves it', async () => {
      const { order, created } = await orders.create({
        nationalId: LEFEVRE,
        professionCode: '80',
        cardType: 'CPS',
        reason: 'manual',
        by: by.alice,
      });
      expect(created).toBe(true);
      expect(order).toEqual(
        expect.objectContaining({
          status: 'requested',
          requestedBy: 'principal:alice',
          requestedByPrincipal: by.alice.principalId,
          approvedBy: null,
        }),
      );
    });

    it('refuses a second open order for the same professional, profession and card type', async () => {
      await expect(
        orders.create({ nationalId: LEFEVRE, professionCode: '80', cardType: 'CPS', reason: 'manual', by: by.bob }),
      ).rejects.toMatchObject({ code: 'open_order_exists', status: 409 });
    });

    it('creates one order when the same request comes 10 times at once with one Idempotency-Key', async () => {
      const req = {
        nationalId: '810000000728',
        professionCode: '21',
        cardType: 'CPS',
        reason: 'manual',
        by: by.alice,
        idempotencyKey: 'k-728',
      };
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => orders.create(req)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const ok = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<OrdersService['create']>>>).value);
      expect(new Set(ok.map((r) => r.order.id)).size).toBe(1);
      expect(ok.filter((r) => r.created)).toHaveLength(1);
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order WHERE national_id = '810000000728'`);
      expect(n).toBe(1);
    });

    it('refuses an Idempotency-Key reused for a different order', async () => {
      await expect(
        orders.create({
          nationalId: '810000000728',
          professionCode: '21',
          cardType: 'CPF',
          reason: 'manual',
          by: by.alice,
          idempotencyKey: 'k-728',
        }),
      ).rejects.toMatchObject({ code: 'idempotency_key_reused', status: 422 });
      // the order, its key and its audit entry are one statement: the losers left no entry behind
      const rows = await ctx.ds.query(
        `SELECT o.id, k.key, a.action, a.actor, a.details->>'reason' AS reason
           FROM card_order o
           LEFT JOIN order_idempotency_key k ON k.order_id = o.id
           LEFT JOIN audit_log a ON a.entity = 'card_order' AND a.entity_id = o.id::text
          WHERE o.national_id = '810000000728'`,
      );
      expect(rows).toEqual([{ id: expect.any(String), key: 'k-728', action: 'order.create', actor: by.alice.actor, reason: 'manual' }]);
    });

    it('names what is wrong in a bad request and creates nothing', async () => {
      await expect(
        orders.create({ nationalId: '123', professionCode: 'x', cardType: 'ABC', reason: 'because', by: by.alice }),
      ).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/nationalId.*professionCode.*cardType.*reason/),
      });
      await expect(
        orders.create({ nationalId: LEFEVRE, professionCode: '80', cardType: 'CPE', reason: 'first-issue', by: by.nightly }),
      ).rejects.toMatchObject({ code: 'validation_failed' });
    });

    it('approves the orders the system derives itself by policy, freezing the card content', async () => {
      const { order } = await ctx.ds.transaction((em) =>
        orders.createByPolicy(em, {
          nationalId: '810000000991',
          professionCode: '50',
          cardType: 'CPS',
          reason: 'first-issue',
          replacesCard: null,
          sourceEventId: null,
        }),
      );
      expect(order).toEqual(expect.objectContaining({ status: 'approved', approvedBy: 'policy', generation: 'CPS4' }));
      expect(order!.content).toEqual(expect.objectContaining({ nationalId: '810000000991', professionCode: '50', lastName: 'ROUX' }));
      expect((order!.content as { situations: unknown[] }).situations.length).toBeGreaterThan(0);
    });

    it.each(ORDER_REASONS.filter((r) => r !== 'manual' && r !== 'replacement'))(
      'keeps an API order of reason %s requested until a second principal approves it, even from a batch token',
      async (reason) => {
        const nationalId = '810000000991';
        const { order } = await orders.create({ nationalId, professionCode: '50', cardType: 'CPF', reason, by: by.nightly });
        expect(order).toEqual(expect.objectContaining({ status: 'requested', approvedBy: null, generation: null, content: null }));
        await expect(orders.approve(order.id, by.nightly)).rejects.toMatchObject({ code: 'approver_is_requester', status: 403 });
        const approved = await orders.approve(order.id, by.alice);
        expect(approved).toEqual(
          expect.objectContaining({ status: 'approved', approvedBy: 'principal:alice', approvedByPrincipal: by.alice.principalId }),
        );
        await orders.cancel(order.id, by.alice.actor, 'test done');
      },
    );

    it('refuses to create an order for someone unknown, ceased, or without that profession (422, a code each), creating nothing', async () => {
      const before = await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order`);
      const create = (nationalId: string, professionCode: string) =>
        orders.create({ nationalId, professionCode, cardType: 'CPS', reason: 'manual', by: by.alice });
      await expect(create('810000000999', '10')).rejects.toMatchObject({ code: 'professional_unknown', status: 422 });
      await expect(create(LEFEVRE, '10')).rejects.toMatchObject({
        code: 'profession_not_held',
        status: 422,
        extra: { professions: ['80'] },
      });
      await ctx.ds.query(`UPDATE rpps_professional SET ceased_at = now() WHERE national_id = '0139100127'`);
      try {
        await expect(create('0139100127', '91')).rejects.toMatchObject({ code: 'professional_ceased', status: 422 });
      } finally {
        await ctx.ds.query(`UPDATE rpps_professional SET ceased_at = NULL WHERE national_id = '0139100127'`);
      }
      expect(await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order`)).toEqual(before);
    });

    it('answers a registry change between the insert and the read of why (a race) with its own 409, registry_changed', async () => {
      // The INSERT's registry condition sees them inactive; the read after it sees them active: what a concurrent import does.
      class RacingRpps extends RppsService {
        override activeInRegistrySql(): string {
          return 'false';
        }
      }
      const racing = new OrdersService(ctx.ds, ctx.audit, new RacingRpps(ctx.ds), ctx.cfg, ctx.clock, new OutboxService());
      const before = await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order`);
      await expect(
        racing.create({ nationalId: '810000000728', professionCode: '21', cardType: 'CPF', reason: 'manual', by: by.alice }),
      ).rejects.toMatchObject({
        code: 'registry_changed',
        status: 409,
        message: 'the registry changed while 810000000728 was ordered for: try again',
      });
      expect(await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order`)).toEqual(before);
    });

    it('refuses to approve an order whose professional left the registry after it was made (409); a retry of its creation still gets it', async () => {
      const req = {
        nationalId: '0139100127',
        professionCode: '91',
        cardType: 'CPS',
        reason: 'manual',
        by: by.alice,
        idempotencyKey: 'ceased-later',
      };
      const { order } = await orders.create(req);
      // The registry ceases them meanwhile (what an import does).
      await ctx.ds.query(`UPDATE rpps_professional SET ceased_at = now() WHERE national_id = '0139100127'`);
      try {
        expect(await orders.create(req)).toEqual({ order: expect.objectContaining({ id: order.id }), created: false });
        await expect(orders.create({ ...req, idempotencyKey: 'ceased-later-2' })).rejects.toMatchObject({ code: 'professional_ceased' });
        // The approval says why, with the words of creation's refusal.
        await expect(orders.approve(order.id, by.bob)).rejects.toMatchObject({
          code: 'professional_not_in_registry',
          status: 409,
          message: expect.stringMatching(
            new RegExp(`^order ${order.id} cannot be approved: 0139100127 ceased in the registry on \\d{4}-\\d{2}-\\d{2}`),
          ),
          extra: expect.objectContaining({ standing: 'professional_ceased', orderId: order.id, nationalId: '0139100127' }),
        });
        expect((await orders.get(order.id)).status).toBe('requested');
        // Losing the profession instead: the detail names the professions held.
        await ctx.ds.query(`UPDATE rpps_professional SET ceased_at = NULL WHERE national_id = '0139100127'`);
        await ctx.ds.query(`UPDATE rpps_profession SET profession_code = '96' WHERE national_id = '0139100127' AND profession_code = '91'`);
        try {
          await expect(orders.approve(order.id, by.bob)).rejects.toMatchObject({
            code: 'professional_not_in_registry',
            status: 409,
            message: expect.stringContaining('0139100127 does not hold profession 91 in the registry (holds '),
            extra: expect.objectContaining({ standing: 'profession_not_held' }),
          });
        } finally {
          await ctx.ds.query(
            `UPDATE rpps_profession SET profession_code = '91' WHERE national_id = '0139100127' AND profession_code = '96'`,
          );
        }
      } finally {
        await ctx.ds.query(`UPDATE rpps_professional SET ceased_at = NULL WHERE national_id = '0139100127'`);
      }
      await orders.cancel(order.id, by.bob.actor, 'ceased in the registry');
    });
  });

  describe('replacesCard', () => {
    beforeAll(async () => {
      await new CardBaseImportService(ctx.ds, ctx.audit, new OutboxService()).importHolders(holders, 'test');
    });

    it('refuses a card of another holder, profession or type with 422 and a code, and creates nothing', async () => {
      const [other] = await ctx.ds.query(`SELECT card_number, card_type, profession_code FROM card WHERE national_id <> $1 LIMIT 1`, [
        LEFEVRE,
      ]);
      const before = await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order`);
      await expect(
        orders.create({
          nationalId: '810000000991',
          professionCode: '50',
          cardType: 'CPS',
          reason: 'replacement',
          replacesCard: other.card_number,
          by: by.alice,
        }),
      ).rejects.toMatchObject({ code: 'replaced_card_mismatch', status: 422 });
      await expect(
        orders.create({
          nationalId: '810000000991',
          professionCode: '50',
          cardType: 'CPS',
          reason: 'replacement',
          replacesCard: '1234567897',
          by: by.alice,
        }),
      ).rejects.toMatchObject({ code: 'replaced_card_not_found', status: 422 });
      expect(await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order`)).toEqual(before);
    });

    it('accepts a card of the same holder, profession and type', async () => {
      const [own] = await ctx.ds.query(
        `SELECT c.card_number, c.national_id, c.profession_code, c.card_type FROM card c
           JOIN rpps_profession p ON p.national_id = c.national_id AND p.profession_code = c.profession_code
          WHERE c.state = 'active' AND NOT EXISTS (
                SELECT 1 FROM card_order o WHERE o.national_id = c.national_id AND o.profession_code = c.profession_code
                  AND o.card_type = c.card_type AND o.status NOT IN ('rejected', 'cancelled', 'closed'))
          LIMIT 1`,
      );
      const { order } = await orders.create({
        nationalId: own.national_id,
        professionCode: own.profession_code,
        cardType: own.card_type,
        reason: 'replacement',
        replacesCard: own.card_number,
        by: by.alice,
      });
      expect(order).toEqual(expect.objectContaining({ status: 'requested', replacesCard: own.card_number }));
    });
  });

  describe('approve', () => {
    it('refuses an approval by the requester', async () => {
      const o = await orders.openOrderFor(ctx.ds.manager, LEFEVRE, '80', 'CPS');
      await expect(orders.approve(o!.id, by.alice)).rejects.toMatchObject({ code: 'approver_is_requester', status: 403 });
    });

    it('refuses an approval by a system account, whatever its token', async () => {
      const o = await orders.openOrderFor(ctx.ds.manager, LEFEVRE, '80', 'CPS');
      await expect(orders.approve(o!.id, { ...by.nightly })).rejects.toMatchObject({ code: 'approver_not_a_person', status: 403 });
    });

    it("refuses an approval by an admin token of the requester's own principal", async () => {
      const o = await orders.openOrderFor(ctx.ds.manager, LEFEVRE, '80', 'CPS');
      const aliceAsAdmin = await principal('ALICE', 'admin');
      expect(aliceAsAdmin.principalId).toBe(by.alice.principalId);
      await expect(orders.approve(o!.id, aliceAsAdmin)).rejects.toMatchObject({ code: 'approver_is_requester', status: 403 });
    });

    it('lets exactly one of 20 concurrent approvals win; the others get a 409', async () => {
      const o = await orders.openOrderFor(ctx.ds.manager, LEFEVRE, '80', 'CPS');
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => orders.approve(o!.id, by.op)));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const l of lost) expect(l.reason).toMatchObject({ code: 'transition_not_allowed', status: 409 });
      const after = await orders.get(o!.id);
      expect(after.status).toBe('approved');
      expect(after.content).toEqual(expect.objectContaining({ lastName: 'LEFÈVRE' }));
      const audit = (await ctx.audit.list({ entity: 'card_order', id: o!.id })).items;
      expect(audit.filter((a) => a.action === 'order.approve')).toHaveLength(1);
    });
  });

  describe('reject and cancel', () => {
    it('cancels an approved order with a reason, and refuses to reject it', async () => {
      const o = await orders.openOrderFor(ctx.ds.manager, LEFEVRE, '80', 'CPS');
      await expect(orders.reject(o!.id, 'operator:bob', 'no')).rejects.toMatchObject({ code: 'transition_not_allowed' });
      await expect(orders.cancel(o!.id, 'operator:bob', '  ')).rejects.toMatchObject({ code: 'validation_failed' });
      const c = await orders.cancel(o!.id, 'operator:bob', 'holder moved abroad');
      expect(c).toEqual(expect.objectContaining({ status: 'cancelled', statusReason: 'holder moved abroad' }));
      await expect(orders.cancel(o!.id, 'operator:bob', 'again')).rejects.toMatchObject({ code: 'transition_not_allowed', status: 409 });
    });

    it('rejects a requested order, after which a new one may be opened', async () => {
      const o = await orders.openOrderFor(ctx.ds.manager, '810000000728', '21', 'CPS');
      expect((await orders.reject(o!.id, 'operator:bob', 'duplicate request')).status).toBe('rejected');
      const again = await orders.create({
        nationalId: '810000000728',
        professionCode: '21',
        cardType: 'CPS',
        reason: 'manual',
        by: by.alice,
      });
      expect(again.created).toBe(true);
    });

    it('answers 404 for an unknown order', async () => {
      await expect(orders.get('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'order_not_found', status: 404 });
      await expect(orders.get('nope')).rejects.toMatchObject({ code: 'order_not_found' });
    });
  });

  describe('list', () => {
    it('filters by card type, and by age: requested more than N days before now, by the clock', async () => {
      const [h] = await ctx.ds.query(
        `SELECT p.national_id, p.profession_code FROM rpps_profession p JOIN rpps_professional r USING (national_id)
          WHERE r.ceased_at IS NULL AND NOT EXISTS (SELECT 1 FROM card_order o WHERE o.national_id = p.national_id)
          ORDER BY p.national_id LIMIT 1`,
      );
      const make = async (cardType: string) =>
        (await orders.create({ nationalId: h.national_id, professionCode: h.profession_code, cardType, reason: 'manual', by: by.alice }))
          .order;
      const cps = await make('CPS');
      const cpe = await make('CPE');
      const ids = async (q: Parameters<OrdersService['list']>[0], service = orders) =>
        (await service.list({ nationalId: h.national_id, ...q })).items.map((o) => o.id);
      expect(await ids({})).toEqual([cpe.id, cps.id]);
      expect(await ids({ cardType: 'CPE' })).toEqual([cpe.id]);
      expect(await ids({ cardType: 'CPS', status: 'requested' })).toEqual([cps.id]);
      expect(await ids({ cardType: 'CPF' })).toEqual([]);
      // Made just now: none is older than a day; three days on, both are older than two days and none than four.
      expect(await ids({ olderThanDays: 1 })).toEqual([]);
      const later = new OrdersService(
        ctx.ds,
        ctx.audit,
        ctx.rpps,
        ctx.cfg,
        Clock.startingAt(new Date(Date.now() + 3 * 86_400_000)),
        new OutboxService(),
      );
      expect(await ids({ olderThanDays: 2 }, later)).toEqual([cpe.id, cps.id]);
      expect(await ids({ olderThanDays: 2, cardType: 'CPS' }, later)).toEqual([cps.id]);
      expect(await ids({ olderThanDays: 4 }, later)).toEqual([]);
    });
  });
});
