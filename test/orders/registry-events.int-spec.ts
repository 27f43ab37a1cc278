import { join } from 'node:path';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardBaseImportService } from '../../src/orders/card-base-import.service';
import { OrdersService } from '../../src/orders/orders.service';
import { RegistryEventsHandler } from '../../src/orders/registry-events.handler';
import { openContext, TestContext } from '../support/context';
import { approvedOrders, type Holder } from '../support/orders';

const FIX = join(__dirname, '..', 'fixtures');

describe(RegistryEventsHandler.name, () => {
  let ctx: TestContext;
  let consumer: RegistryEventsHandler;
  let orders: OrdersService;

  beforeAll(async () => {
    ctx = await openContext('registry-events');
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, ctx.cfg, ctx.clock, new OutboxService());
    consumer = new RegistryEventsHandler(ctx.ds, ctx.rpps, orders, ctx.audit, new OutboxService(), ctx.clock);
    await ctx.imports.run({ files: [join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt')], actor: 't' });
    await new CardBaseImportService(ctx.ds, ctx.audit, new OutboxService()).importHolders(
      join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'),
      't',
    );
    await ctx.imports.run({ files: [join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt')], actor: 't' });
  });
  afterAll(async () => ctx.close());

  it('consumes an event once: a second delivery changes nothing', async () => {
    const events: Array<{ id: string; kind: string }> = await ctx.ds.query(`SELECT id::text AS id, kind FROM rpps_event ORDER BY id`);
    expect(events.length).toBe(4);
    const first = await Promise.all(events.map((e) => consumer.consume(e.id)));
    expect(first.every((o) => !o.skipped)).toBe(true);
    const orders = (await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order`))[0].n;
    expect(orders).toBe(3);
    const again = await Promise.all(events.map((e) => consumer.consume(e.id)));
    expect(again.map((o) => o.skipped)).toEqual(events.map(() => 'already consumed'));
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order`))[0].n).toBe(orders);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM opposition_request WHERE source = 'registry'`))[0].n).toBe(1);
  });

  it('refreshes an open order not yet personalized instead of adding one', async () => {
    const [o] = await ctx.ds.query(`SELECT id, national_id FROM card_order WHERE reason = 'first-issue'`);
    const [e] = await ctx.ds.query(
      `INSERT INTO rpps_event (import_id, kind, national_id, details)
       SELECT import_id, 'NEW_PROFESSIONAL', national_id, details FROM rpps_event WHERE national_id = $1 AND kind = 'NEW_PROFESSIONAL'
       RETURNING id::text AS id`,
      [o.national_id],
    );
    const out = await consumer.consume(e.id);
    expect(out.ordersCreated).toEqual([]);
    expect(out.ordersRefreshed).toEqual([o.id]);
  });

  it("cancels a ceased holder's orders that have no card yet, one being written and one failed included, spoiling the card being written", async () => {
    const people: Holder[] = await ctx.ds.query(
      `SELECT DISTINCT ON (p.national_id) p.national_id, p.profession_code FROM rpps_profession p
         JOIN rpps_professional r ON r.national_id = p.national_id
        WHERE r.ceased_at IS NULL AND NOT EXISTS (SELECT 1 FROM card_order o WHERE o.national_id = p.national_id)
        ORDER BY p.national_id LIMIT 2`,
    );
    const [writing, failed] = await approvedOrders(ctx, orders, [...people], 2);
    await ctx.ds.query(
      `UPDATE card_order SET status = 'personalizing', claim_token = gen_random_uuid(), claimed_by = 'enc-host/r1', claimed_at = now(),
              claimed_chip_serial = 'SIMCEASEDCHIP01' WHERE id = $1`,
      [writing],
    );
    await ctx.ds.query(`UPDATE card_order SET status = 'failed' WHERE id = $1`, [failed]);
    const events: Array<{ id: string }> = await ctx.ds.query(
      `INSERT INTO rpps_event (import_id, kind, national_id)
       SELECT (SELECT import_id FROM rpps_event LIMIT 1), 'CEASED', unnest($1::text[]) RETURNING id::text AS id`,
      [people.map((h) => h.national_id)],
    );
    const outs = [];
    for (const e of events) outs.push(await consumer.consume(e.id));
    expect(outs.flatMap((o) => o.ordersCancelled).sort()).toEqual([writing, failed].sort());
    const rows = await ctx.ds.query(
      `SELECT id, status, claim_token, claimed_by, claimed_chip_serial FROM card_order WHERE id = ANY($1) ORDER BY id`,
      [[writing, failed]],
    );
    expect(
      rows.map((r: { status: string; claim_token: string | null; claimed_chip_serial: string | null }) => [
        r.status,
        r.claim_token,
        r.claimed_chip_serial,
      ]),
    ).toEqual([
      ['cancelled', null, null],
      ['cancelled', null, null],
    ]);
    const [spoiled] = await ctx.ds.query(
      `SELECT order_id, station, stage, error_code FROM spoiled_card WHERE chip_serial = 'SIMCEASEDCHIP01'`,
    );
    expect(spoiled).toEqual({ order_id: writing, station: 'enc-host/r1', stage: 'unknown', error_code: 'claim_abandoned' });
    // Each order's own history says when and why (the order's timeline reads it).
    const entries = await ctx.ds.query(
      `SELECT entity_id AS id, actor, details FROM audit_log WHERE entity = 'card_order' AND action = 'order.cancel' AND entity_id = ANY($1)
        ORDER BY entity_id`,
      [[writing, failed]],
    );
    expect(entries).toEqual(
      [
        { id: writing, from: 'personalizing' },
        { id: failed, from: 'failed' },
      ]
        .sort((a, b) => a.id.localeCompare(b.id))
        .map(({ id, from }) => ({
          id,
          actor: 'system:registry',
          details: { from, to: 'cancelled', reason: expect.stringMatching(/^registry: ceased \(event \d+\)$/) },
        })),
    );
  });

  it("gives the registry's new content to a holder's orders without a card: approved and failed ones updated, one being written taken back (its chip spoiled)", async () => {
    const people: Holder[] = await ctx.ds.query(
      `SELECT DISTINCT ON (p.national_id) p.national_id, p.profession_code FROM rpps_profession p
         JOIN rpps_professional r ON r.national_id = p.national_id
        WHERE r.ceased_at IS NULL AND NOT EXISTS (SELECT 1 FROM card_order o WHERE o.national_id = p.national_id)
        ORDER BY p.national_id LIMIT 3`,
    );
    const ids = await approvedOrders(ctx, orders, [...people], 3);
    const [approved, writing, failed] = ids;
    await ctx.ds.query(
      `UPDATE card_order SET status = 'personalizing', claim_token = gen_random_uuid(), claimed_by = 'enc-host/r2', claimed_at = now(),
              claimed_chip_serial = 'SIMRENAMEDCHIP1', personalization_attempts = 1 WHERE id = $1`,
      [writing],
    );
    await ctx.ds.query(`UPDATE card_order SET status = 'failed', personalization_attempts = 3 WHERE id = $1`, [failed]);
    // the registry renames the three holders
    await ctx.ds.query(`UPDATE rpps_professional SET last_name = last_name || '-NOUVEAU' WHERE national_id = ANY($1)`, [
      people.map((h) => h.national_id),
    ]);
    const events: Array<{ id: string }> = await ctx.ds.query(
      `INSERT INTO rpps_event (import_id, kind, national_id)
       SELECT (SELECT import_id FROM rpps_event LIMIT 1), 'IDENTITY_CHANGED', unnest($1::text[]) RETURNING id::text AS id`,
      [people.map((h) => h.national_id)],
    );
    const outs = [];
    for (const e of events) outs.push(await consumer.consume(e.id));
    expect(people).toHaveLength(3);
    expect(outs.flatMap((o) => o.ordersRefreshed)).toEqual(ids);
    const rows = await ctx.ds.query(
      `SELECT id, status, personalization_attempts AS attempts, claim_token IS NULL AS unclaimed, content->>'lastName' AS "lastName"
         FROM card_order WHERE id = ANY($1)`,
      [ids],
    );
    const byId = Object.fromEntries(rows.map((r: { id: string }) => [r.id, r]));
    expect(byId[approved]).toMatchObject({ status: 'approved', unclaimed: true, lastName: expect.stringMatching(/-NOUVEAU$/) });
    expect(byId[writing]).toMatchObject({ status: 'approved', attempts: 0, unclaimed: true, lastName: expect.stringMatching(/-NOUVEAU$/) });
    expect(byId[failed]).toMatchObject({ status: 'failed', attempts: 3, lastName: expect.stringMatching(/-NOUVEAU$/) });
    const [spoiled] = await ctx.ds.query(`SELECT order_id, error_code FROM spoiled_card WHERE chip_serial = 'SIMRENAMEDCHIP1'`);
    expect(spoiled).toEqual({ order_id: writing, error_code: 'claim_abandoned' });
    // the same event again changes nothing; an event that leaves the content as it is takes back no card being written
    expect((await consumer.consume(events[0].id)).skipped).toBe('already consumed');
    await ctx.ds.query(
      `UPDATE card_order SET status = 'personalizing', claim_token = gen_random_uuid(), claimed_by = 'enc-host/r2', claimed_at = now(),
              claimed_chip_serial = 'SIMRENAMEDCHIP2' WHERE id = $1`,
      [writing],
    );
    const [same] = await ctx.ds.query(
      `INSERT INTO rpps_event (import_id, kind, national_id) SELECT (SELECT import_id FROM rpps_event LIMIT 1), 'SITUATION_CHANGED', $1
       RETURNING id::text AS id`,
      [people[1].national_id],
    );
    expect((await consumer.consume(same.id)).ordersRefreshed).not.toContain(writing);
    expect((await ctx.ds.query(`SELECT status FROM card_order WHERE id = $1`, [writing]))[0].status).toBe('personalizing');
  });

  it('answers an unknown event without failing', async () => {
    expect((await consumer.consume('999999')).skipped).toBe('event not found');
  });
});
