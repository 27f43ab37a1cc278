import { join } from 'node:path';
import { OrdersService } from '../../src/orders/orders.service';
import { openContext, TestContext } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const LEFEVRE = '810000000355'; // pédicure-podologue (80), one site

describe(OrdersService.name, () => {
  let ctx: TestContext;
  let orders: OrdersService;

  beforeAll(async () => {
    ctx = await openContext('orders');
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, ctx.cfg, ctx.clock);
    await ctx.imports.run({ files: [day1], actor: 't' });
  });
  afterAll(async () => ctx.close());

  describe('create', () => {
    it('keeps a manual order requested until a second operator approves it', async () => {
      const { order, created } = await orders.create({
        nationalId: LEFEVRE,
        professionCode: '80',
        cardType: 'CPS',
        reason: 'manual',
        actor: 'operator:alice',
      });
      expect(created).toBe(true);
      expect(order).toEqual(expect.objectContaining({ status: 'requested', requestedBy: 'operator:alice', approvedBy: null }));
    });

    it('refuses a second open order for the same professional, profession and card type', async () => {
      await expect(
        orders.create({ nationalId: LEFEVRE, professionCode: '80', cardType: 'CPS', reason: 'manual', actor: 'operator:bob' }),
      ).rejects.toMatchObject({ code: 'open_order_exists', status: 409 });
    });

    it('creates one order when the same request comes 10 times at once with one Idempotency-Key', async () => {
      const req = {
        nationalId: '810000000728',
        professionCode: '21',
        cardType: 'CPS',
        reason: 'manual',
        actor: 'operator:alice',
        principal: 'token-a',
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
          actor: 'operator:alice',
          principal: 'token-a',
          idempotencyKey: 'k-728',
        }),
      ).rejects.toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    });

    it('names what is wrong in a bad request and creates nothing', async () => {
      await expect(
        orders.create({ nationalId: '123', professionCode: 'x', cardType: 'ABC', reason: 'because', actor: 'operator:alice' }),
      ).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/nationalId.*professionCode.*cardType.*reason/),
      });
      await expect(
        orders.create({ nationalId: LEFEVRE, professionCode: '80', cardType: 'CPE', reason: 'first-issue', actor: 'batch:x' }),
      ).rejects.toMatchObject({ code: 'validation_failed' });
    });

    it('approves registry and renewal orders by policy, freezing the card content', async () => {
      const { order } = await orders.create({
        nationalId: '810000000991',
        professionCode: '50',
        cardType: 'CPS',
        reason: 'first-issue',
        actor: 'batch:registry',
      });
      expect(order).toEqual(expect.objectContaining({ status: 'approved', approvedBy: 'policy', generation: 'CPS4' }));
      expect(order.content).toEqual(expect.objectContaining({ nationalId: '810000000991', professionCode: '50', lastName: 'ROUX' }));
      expect((order.content as { situations: unknown[] }).situations.length).toBeGreaterThan(0);
    });

    it('refuses an order for someone not in the registry with that profession', async () => {
      await expect(
        orders.create({
          nationalId: '810000000991',
          professionCode: '10',
          cardType: 'CPS',
          reason: 'first-issue',
          actor: 'batch:registry',
        }),
      ).rejects.toMatchObject({ code: 'professional_not_in_registry' });
    });
  });

  describe('approve', () => {
    it('refuses an approval by the requester', async () => {
      const o = await orders.openOrderFor(ctx.ds.manager, LEFEVRE, '80', 'CPS');
      await expect(orders.approve(o!.id, 'operator:alice')).rejects.toMatchObject({ code: 'approver_is_requester', status: 403 });
    });

    it('lets exactly one of 20 concurrent approvals win; the others get a 409', async () => {
      const o = await orders.openOrderFor(ctx.ds.manager, LEFEVRE, '80', 'CPS');
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => orders.approve(o!.id, `operator:op${i}`)));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const l of lost) expect(l.reason).toMatchObject({ code: 'transition_not_allowed', status: 409 });
      const after = await orders.get(o!.id);
      expect(after.status).toBe('approved');
      expect(after.content).toEqual(expect.objectContaining({ lastName: 'LEFÈVRE' }));
      const audit = await ctx.audit.find({ entity: 'card_order', id: o!.id });
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
        actor: 'operator:alice',
      });
      expect(again.created).toBe(true);
    });

    it('answers 404 for an unknown order', async () => {
      await expect(orders.get('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'order_not_found', status: 404 });
      await expect(orders.get('nope')).rejects.toMatchObject({ code: 'order_not_found' });
    });
  });
});
