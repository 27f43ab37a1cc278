import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Clock } from '../../src/common/clock/clock';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardBaseImportService } from '../../src/orders/card-base-import.service';
import { RenewalsService } from '../../src/orders/renewals.service';
import { openContext, TestContext, testConfig } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const expected = JSON.parse(readFileSync(`${holders}.expected.json`, 'utf8')) as {
  asOf: string;
  windowDays: number;
  cards: number;
  opposed: number;
  renewalsDue: number;
};

describe(RenewalsService.name, () => {
  let ctx: TestContext;
  let cardBase: CardBaseImportService;
  let renewals: RenewalsService;

  beforeAll(async () => {
    ctx = await openContext('renewals');
    cardBase = new CardBaseImportService(ctx.ds, ctx.audit, new OutboxService());
    renewals = new RenewalsService(ctx.ds, ctx.audit, ctx.jobs, ctx.rpps, ctx.cfg, ctx.clock, new OutboxService());
    await ctx.imports.run({ files: [day1], actor: 't' });
  });
  afterAll(async () => ctx.close());
  /** A sweep run on the day before asOf (noon UTC of that day: the same Paris day). */
  const dayBefore = () =>
    new RenewalsService(
      ctx.ds,
      ctx.audit,
      ctx.jobs,
      ctx.rpps,
      ctx.cfg,
      Clock.startingAt(new Date(Date.parse(`${expected.asOf}T12:00:00Z`) - 86_400_000)),
      new OutboxService(),
    );

  it('imports the existing card base, opposed cards included, and a second import changes nothing', async () => {
    const r = await cardBase.importHolders(holders, 'cli');
    expect(r).toEqual({ rowsRead: expected.cards, cardsCreated: expected.cards, cardsUpdated: 0, rowsRejected: 0, rejects: [] });
    const states = await ctx.ds.query(`SELECT state, count(*)::int AS n FROM card GROUP BY state ORDER BY state`);
    expect(states).toEqual([
      { state: 'active', n: expected.cards - expected.opposed },
      { state: 'opposed', n: expected.opposed },
    ]);
    expect(await cardBase.importHolders(holders, 'cli')).toEqual(expect.objectContaining({ cardsCreated: 0, cardsUpdated: 0 }));
  });

  it(`dry-runs ${expected.asOf} from the day before: counts the ${expected.renewalsDue} cards due, orders nothing`, async () => {
    const r = await dayBefore().run({ asOf: expected.asOf, dryRun: true, actor: 'cli' });
    expect(r).toEqual(
      expect.objectContaining({
        dryRun: true,
        asOfGiven: true,
        asOfAfterToday: true,
        cardsDue: expected.renewalsDue,
        ordersCreated: 0,
        ordersWouldCreate: expected.renewalsDue,
        alreadyOpen: 0,
      }),
    );
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order WHERE reason = 'renewal'`);
    expect(n).toBe(0);
  });

  it(`finds the ${expected.renewalsDue} cards due on ${expected.asOf} (given the day before) and orders each a renewal, approved by policy`, async () => {
    expect(expected.windowDays).toBe(90);
    // A later day runs the sweep of that day for real (rehearsals and tests), saying so.
    const r = await dayBefore().run({ asOf: expected.asOf, actor: 'cli' });
    expect(r).toEqual(
      expect.objectContaining({
        asOfGiven: true,
        asOfAfterToday: true,
        dryRun: false,
        cardsDue: expected.renewalsDue,
        ordersCreated: expected.renewalsDue,
        alreadyOpen: 0,
      }),
    );
    expect(r).not.toHaveProperty('ordersWouldCreate');
    const orders = await ctx.ds.query(`SELECT * FROM card_order WHERE reason = 'renewal'`);
    expect(orders).toHaveLength(expected.renewalsDue);
    for (const o of orders) {
      expect(o).toEqual(expect.objectContaining({ status: 'approved', approved_by: 'policy', generation: 'CPS4' }));
      expect(o.replaces_card).toMatch(/^\d{10}$/);
      expect(o.content).toEqual(expect.objectContaining({ nationalId: o.national_id, professionCode: o.profession_code }));
    }
    // one outbox message for the chunk (one chunk of 5000 here), naming every order it approved: the vault issues their codes
    const messages = await ctx.ds.query(`SELECT payload FROM outbox WHERE topic = 'orders.approved'`);
    expect(messages).toHaveLength(1);
    expect([...messages[0].payload.orderIds].sort()).toEqual(orders.map((o: { id: string }) => o.id).sort());
    // no opposed card was renewed
    const [{ n }] = await ctx.ds.query(
      `SELECT count(*)::int AS n FROM card_order o JOIN card c ON c.card_number = o.replaces_card WHERE c.state = 'opposed'`,
    );
    expect(n).toBe(0);
  });

  it('creates nothing on a second run the same day', async () => {
    const r = await renewals.run({ asOf: expected.asOf, actor: 'cli' });
    expect(r).toEqual(expect.objectContaining({ cardsDue: expected.renewalsDue, ordersCreated: 0, alreadyOpen: expected.renewalsDue }));
  });

  it('gives a CPS3 to professions outside a limited CPS4 rollout', async () => {
    await ctx.ds.query(`UPDATE card_order SET status = 'cancelled' WHERE reason = 'renewal'`);
    const limited = new RenewalsService(
      ctx.ds,
      ctx.audit,
      ctx.jobs,
      ctx.rpps,
      testConfig({ CPS4_PROFESSIONS: '10' }),
      ctx.clock,
      new OutboxService(),
    );
    const r = await limited.run({ asOf: expected.asOf, actor: 'cli' });
    expect(r.ordersCreated).toBe(expected.renewalsDue);
    const rows = await ctx.ds.query(`SELECT profession_code, generation FROM card_order WHERE reason = 'renewal' AND status = 'approved'`);
    expect(rows.length).toBe(expected.renewalsDue);
    for (const o of rows) expect(o.generation).toBe(o.profession_code === '10' ? 'CPS4' : 'CPS3');
    expect(new Set(rows.map((o: { generation: string }) => o.generation)).size).toBe(2);
  });

  it('keeps what an interrupted sweep made, and a rerun makes the rest', async () => {
    await ctx.ds.query(`UPDATE card_order SET status = 'cancelled' WHERE reason = 'renewal'`);
    const [{ last }] = await ctx.ds.query(`SELECT coalesce(max(id), 0)::text AS last FROM outbox`);
    let chunks = 0;
    await expect(
      renewals.run({
        asOf: expected.asOf,
        actor: 'cli',
        chunkSize: 4,
        onProgress: () => {
          chunks += 1;
          if (chunks === 1) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const open = async () =>
      (await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order WHERE reason = 'renewal' AND status = 'approved'`))[0].n;
    expect(await open()).toBe(4);
    const r = await renewals.run({ asOf: expected.asOf, actor: 'cli', chunkSize: 4 });
    expect(r).toEqual(expect.objectContaining({ cardsDue: expected.renewalsDue, ordersCreated: expected.renewalsDue - 4, alreadyOpen: 4 }));
    expect(await open()).toBe(expected.renewalsDue);
    // one approval message per committed chunk (of 4), together naming each order made once
    const messages: Array<{ payload: { orderIds: string[] } }> = await ctx.ds.query(
      `SELECT payload FROM outbox WHERE topic = 'orders.approved' AND id > $1 ORDER BY id`,
      [last],
    );
    expect(messages).toHaveLength(Math.ceil(4 / 4) + Math.ceil((expected.renewalsDue - 4) / 4));
    for (const m of messages) expect(m.payload.orderIds.length).toBeLessThanOrEqual(4);
    const approved = await ctx.ds.query(`SELECT id FROM card_order WHERE reason = 'renewal' AND status = 'approved' ORDER BY id`);
    expect(messages.flatMap((m) => m.payload.orderIds).sort()).toEqual(approved.map((o: { id: string }) => o.id).sort());
    const left = await ctx.ds.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE 'renewal\\_due\\_%'`);
    expect(left).toEqual([]);
  });

  it('refuses a malformed date', async () => {
    await expect(renewals.run({ asOf: '26/11/2026', actor: 'cli' })).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('YYYY-MM-DD'),
    });
  });
});
