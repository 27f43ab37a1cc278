import { join } from 'node:path';
import { Clock } from '../../src/common/clock/clock';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { ExpiryService } from '../../src/opposition/expiry.service';
import { cardNumberFromSequence } from '../../src/orders/card-number';
import { CardsService } from '../../src/orders/cards.service';
import { OrdersService } from '../../src/orders/orders.service';
import { RenewalsService } from '../../src/orders/renewals.service';
import { openContext, TestContext, testConfig } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');

/**
 * Must-show 5 of issue 8: at 23:30 UTC it is already the next day in Paris (00:30, when the
 * worker's daily jobs run). The sweeps and approvals take that Paris day, not the UTC one.
 */
describe('business dates at 23:30 UTC (00:30 in Paris)', () => {
  const AT = '2026-11-30T23:30:00Z'; // UTC day 2026-11-30, Paris day 2026-12-01
  let ctx: TestContext;
  let cards: CardsService;
  let orders: OrdersService;
  let renewals: RenewalsService;
  let expiry: ExpiryService;
  /** Card numbers by what they end on. */
  const card: Record<string, string> = {};
  let holders: Array<{ nationalId: string; professionCode: string }>;

  beforeAll(async () => {
    ctx = await openContext('paris-day');
    const clock = Clock.startingAt(AT);
    // CPS4 starts on the Paris day: an approval on the UTC day would still get a CPS3.
    // A base of four cards: the one expiry is a quarter of them, allowed here (EXPIRY_MAX_SHARE) so that the sweep applies.
    const cfg = testConfig({ CPS4_START_DATE: '2026-12-01', RENEWAL_WINDOW_DAYS: '90', EXPIRY_MAX_SHARE: '0.5' });
    const outbox = new OutboxService();
    cards = new CardsService(ctx.ds, ctx.audit, outbox, clock);
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, cfg, clock, new OutboxService());
    renewals = new RenewalsService(ctx.ds, ctx.audit, ctx.jobs, ctx.rpps, cfg, clock, new OutboxService());
    expiry = new ExpiryService(ctx.ds, cards, ctx.audit, outbox, ctx.jobs, cfg, clock);
    await ctx.imports.run({ files: [join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt')], actor: 't' });
    holders = (
      await ctx.ds.query(
        `SELECT p.national_id AS "nationalId", p.profession_code AS "professionCode"
           FROM rpps_profession p JOIN rpps_professional r ON r.national_id = p.national_id
          WHERE r.ceased_at IS NULL ORDER BY p.national_id, p.profession_code LIMIT 5`,
      )
    ).map((h: { nationalId: string; professionCode: string }) => h);
    expect(holders).toHaveLength(5);
    // One card per holder: its last valid day is the name.
    const ends = ['2026-11-30', '2026-12-01', '2027-03-01', '2027-03-02'];
    for (const [i, end] of ends.entries()) {
      const h = holders[i];
      card[end] = cardNumberFromSequence(900_000 + i);
      await ctx.ds.query(
        `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, valid_from, valid_until,
                           state, source)
         VALUES ($1, 'CPS', 'CPS3', $2, $2, $3, '2024-01-01', $4, 'active', 'order')`,
        [card[end], h.nationalId, h.professionCode, end],
      );
    }
  });
  afterAll(async () => ctx.close());

  it('answers opposed (expiry) for a card whose last day was the UTC day, from the Paris midnight', async () => {
    expect(await cards.status(card['2026-11-30'])).toEqual({
      cardNumber: card['2026-11-30'],
      status: 'opposed',
      reason: 'expiry',
      opposedAt: new Date('2026-11-30T23:00:00Z'),
    });
    expect(await cards.status(card['2026-12-01'])).toEqual({ cardNumber: card['2026-12-01'], status: 'valid' });
  });

  it('has the expiry sweep oppose the card that ended on 2026-11-30, and not the one ending on 2026-12-01', async () => {
    const r = await expiry.expire({ actor: 'system:scheduler' });
    expect(r).toEqual(
      expect.objectContaining({
        status: 'applied',
        asOf: '2026-12-01',
        asOfGiven: false,
        cardsExpired: 1,
        oppositionsCreated: 1,
        share: 0.25,
      }),
    );
    const states = await ctx.ds.query(`SELECT to_char(valid_until, 'YYYY-MM-DD') AS "validUntil", state, opposition_reason AS reason
                                         FROM card ORDER BY valid_until`);
    expect(states).toEqual([
      { validUntil: '2026-11-30', state: 'opposed', reason: 'expiry' },
      { validUntil: '2026-12-01', state: 'active', reason: null },
      { validUntil: '2027-03-01', state: 'active', reason: null },
      { validUntil: '2027-03-02', state: 'active', reason: null },
    ]);
  });

  it('has the renewal sweep count its window from 2026-12-01 and approve by policy on that day (CPS4)', async () => {
    const r = await renewals.run({ actor: 'system:scheduler' });
    expect(r).toEqual(expect.objectContaining({ asOf: '2026-12-01', windowDays: 90, cardsDue: 3, ordersCreated: 3 }));
    const due: Array<{ replaces: string; generation: string }> = await ctx.ds.query(
      `SELECT replaces_card AS replaces, generation FROM card_order WHERE reason = 'renewal' ORDER BY replaces_card`,
    );
    // 2026-12-01 + 90 days = 2027-03-01: in the window; 2027-03-02 is not (from the UTC day, 2027-03-01 would not be either).
    expect(due.map((d) => d.replaces).sort()).toEqual([card['2026-11-30'], card['2026-12-01'], card['2027-03-01']].sort());
    expect(due.map((d) => d.generation)).toEqual(['CPS4', 'CPS4', 'CPS4']);
    const [run] = await ctx.ds.query(`SELECT to_char(as_of, 'YYYY-MM-DD') AS "asOf" FROM renewal_run`);
    expect(run.asOf).toBe('2026-12-01');
  });

  it('gives an order approved at that instant the generation of the Paris day', async () => {
    const h = holders[4];
    const r = await ctx.ds.transaction((em) =>
      orders.createByPolicy(em, {
        nationalId: h.nationalId,
        professionCode: h.professionCode,
        cardType: 'CPS',
        reason: 'first-issue',
        replacesCard: null,
        sourceEventId: null,
      }),
    );
    expect(r.order).toEqual(expect.objectContaining({ status: 'approved', approvedBy: 'policy', generation: 'CPS4' }));
  });

  it('gives the same order a CPS3 one hour earlier (22:30 UTC, 23:30 in Paris, still 2026-11-30)', async () => {
    const before = new OrdersService(
      ctx.ds,
      ctx.audit,
      ctx.rpps,
      testConfig({ CPS4_START_DATE: '2026-12-01' }),
      Clock.startingAt('2026-11-30T22:30:00Z'),
      new OutboxService(),
    );
    const h = holders[4];
    await ctx.ds.query(`UPDATE card_order SET status = 'cancelled' WHERE national_id = $1 AND reason = 'first-issue'`, [h.nationalId]);
    const r = await ctx.ds.transaction((em) =>
      before.createByPolicy(em, {
        nationalId: h.nationalId,
        professionCode: h.professionCode,
        cardType: 'CPS',
        reason: 'first-issue',
        replacesCard: null,
        sourceEventId: null,
      }),
    );
    expect(r.order).toEqual(expect.objectContaining({ status: 'approved', generation: 'CPS3' }));
  });
});
