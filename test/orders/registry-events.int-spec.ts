import { join } from 'node:path';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardBaseImportService } from '../../src/orders/card-base-import.service';
import { OrdersService } from '../../src/orders/orders.service';
import { RegistryEventsHandler } from '../../src/orders/registry-events.handler';
import { openContext, TestContext } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');

describe(RegistryEventsHandler.name, () => {
  let ctx: TestContext;
  let consumer: RegistryEventsHandler;

  beforeAll(async () => {
    ctx = await openContext('registry-events');
    const orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, ctx.cfg, ctx.clock, new OutboxService());
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

  it('answers an unknown event without failing', async () => {
    expect((await consumer.consume('999999')).skipped).toBe('event not found');
  });
});
