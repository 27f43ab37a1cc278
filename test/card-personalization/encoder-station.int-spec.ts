import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardRemovedError } from '../../src/card-personalization/card-personalization.errors';
import { CPX_ISO_V1 } from '../../src/card-personalization/cpx-iso-v1.profile';
import { EncoderFleetService } from '../../src/card-personalization/encoder-fleet.service';
import { type CardOutcome, EncoderStation } from '../../src/card-personalization/encoder-station';
import { PersonalizationService } from '../../src/card-personalization/personalization.service';
import type { SimulatedCardOptions } from '../../src/card-personalization/simulated-card';
import { SimulatedEncoderDriver } from '../../src/card-personalization/simulated-encoder';
import type { StationDeps } from '../../src/card-personalization/station-deps';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import type { CodeVaultService } from '../../src/mailing/code-vault.service';
import { CardsService } from '../../src/orders/cards.service';
import { OrdersService } from '../../src/orders/orders.service';
import { PersonalizationOrdersService } from '../../src/orders/personalization-orders.service';
import { openContext, type TestContext } from '../support/context';
import { activeHolders, approvedOrders as approvedOrdersFor, type Holder } from '../support/orders';
import { eventually } from '../support/processes';
import { oneKeyFile, testVault } from '../support/vault';

const day1 = join(__dirname, '..', 'fixtures', 'PS_LibreAcces_Personne_activite_202611250600.txt');
const quiet = { info() {}, warn() {}, error() {} };

/**
 * Encoder stations on the simulated driver over a real database: the failures of
 * card-profile.md (spoiled cards, refused cards), attempts, K failures in a row, and two
 * stations at once never taking one order twice.
 */
describe(EncoderStation.name, () => {
  let ctx: TestContext;
  let orders: OrdersService;
  let perso: PersonalizationOrdersService;
  let fleet: EncoderFleetService;
  let vault: CodeVaultService;
  let dir: string;
  let holders: Holder[];

  const approvedOrders = (n: number) => approvedOrdersFor(ctx, orders, holders, n);

  function deps(): StationDeps {
    return { orders: perso, vault, fleet, log: quiet, host: 'test-host', processId: `test-host:${process.pid}`, driver: 'simulated' };
  }

  /** Runs one station on a simulated encoder fed with `cards` until `until` says stop (or the hopper is empty). */
  async function runStation(
    reader: string,
    cards: (i: number) => SimulatedCardOptions | null,
    until: (outcomes: CardOutcome[]) => boolean,
  ): Promise<{ outcomes: CardOutcome[]; station: EncoderStation; driver: SimulatedEncoderDriver }> {
    const driver = new SimulatedEncoderDriver({ namePrefix: reader, nextCard: (_s, i) => cards(i) });
    const station = new EncoderStation(driver.slots()[0], deps(), CPX_ISO_V1);
    const outcomes: CardOutcome[] = [];
    const stop = new AbortController();
    const done = station.run(stop.signal, {
      exitWhenIdle: true,
      pollMs: 20,
      onCard: (o) => {
        outcomes.push(o);
        if (until(outcomes)) stop.abort();
      },
    });
    await done; // a station in error stops by itself in the foreground (exitWhenIdle)
    return { outcomes, station, driver };
  }

  const orderRow = async (id: string) =>
    (
      await ctx.ds.query(`SELECT status, personalization_attempts AS attempts, status_reason AS reason FROM card_order WHERE id = $1`, [id])
    )[0];

  beforeAll(async () => {
    ctx = await openContext('encoder-station');
    const outbox = new OutboxService();
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, ctx.cfg, ctx.clock, outbox);
    perso = new PersonalizationOrdersService(ctx.ds, new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock), ctx.audit, ctx.clock, ctx.cfg);
    fleet = new EncoderFleetService(ctx.ds, ctx.audit, ctx.cfg);
    dir = mkdtempSync(join(tmpdir(), 'encoder-station-'));
    vault = testVault(ctx.ds, { keyFile: oneKeyFile(dir), dataDir: dir }, ctx.audit);
    await ctx.imports.run({ files: [day1], actor: 't' });
    holders = await activeHolders(ctx, 60);
  });
  beforeEach(async () => {
    // each test starts with no order waiting
    await ctx.ds.query(
      `UPDATE card_order SET status = 'cancelled', claim_token = NULL, claimed_by = NULL, claimed_chip_serial = NULL
        WHERE status IN ('approved', 'personalizing', 'failed')`,
    );
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spoils a card whose memory fails, and completes the order on the next blank card', async () => {
    const [id] = await approvedOrders(1);
    const { outcomes } = await runStation(
      'Memory',
      (i) => (i === 0 ? { memoryFailureOnWrite: 2 } : i === 1 ? {} : null),
      () => false,
    );
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);
    const [bad, good] = outcomes;
    expect(bad).toMatchObject({ ok: false, orderId: id, spoiled: true, code: 'card_status' });
    expect(await perso.spoiledFor(id)).toEqual([expect.objectContaining({ chipSerial: bad.chipSerial, stage: 'write' })]);
    expect(await orderRow(id)).toMatchObject({ status: 'personalized', attempts: 2 });
    const [card] = await ctx.ds.query(`SELECT chip_serial, state FROM card WHERE order_id = $1`, [id]);
    expect(card).toEqual({ chip_serial: good.chipSerial, state: 'personalized' });
  });

  it('never writes a card that is not blank or has no EF.SN, and takes no order for it', async () => {
    const [id] = await approvedOrders(1);
    const { outcomes, driver } = await runStation(
      'Refused',
      (i) => [{ personalized: true }, { serial: null }, {}][i] ?? null,
      () => false,
    );
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['card_not_blank', 'no_chip_serial', 'ok']);
    expect(outcomes.slice(0, 2).every((o) => !o.ok && o.orderId === null && !o.spoiled)).toBe(true);
    const [notBlank, noSerial] = driver.slots()[0].ejected;
    expect([notBlank.inspect().updates, noSerial.inspect().updates]).toEqual([0, 0]);
    expect(await orderRow(id)).toMatchObject({ status: 'personalized', attempts: 1 });
  });

  it('looks again at a card whose first exchange broke on the reader (a hopper swap), without counting a failure', async () => {
    const [id] = await approvedOrders(1);
    const driver = new SimulatedEncoderDriver({ namePrefix: 'Swap', nextCard: (_s, i) => (i === 0 ? {} : null) });
    const slot = driver.slots()[0];
    let sessions = 0;
    // The first session's first exchange meets the old card's handle, as a swap within one PC/SC poll does.
    const swapping: typeof slot = Object.assign(Object.create(slot), {
      connect: async () => {
        const session = await slot.connect();
        if (++sessions > 1) return session;
        return {
          transmit: async () => {
            throw new CardRemovedError('the card was swapped');
          },
          close: () => session.close(),
        };
      },
    });
    const station = new EncoderStation(swapping, deps(), CPX_ISO_V1);
    const outcomes: CardOutcome[] = [];
    await station.run(new AbortController().signal, { exitWhenIdle: true, pollMs: 20, onCard: (o) => outcomes.push(o) });
    expect(sessions).toBe(2);
    expect(outcomes).toEqual([expect.objectContaining({ ok: true, orderId: id })]);
    expect(await fleet.current(station.id)).toMatchObject({ consecutiveFailures: 0, cardsFailed: 0 });
    expect(await orderRow(id)).toMatchObject({ status: 'personalized', attempts: 1 });
  });

  it('counts a card that keeps breaking on the reader before any order is taken as one failed card', async () => {
    const [id] = await approvedOrders(1);
    const { outcomes, driver } = await runStation(
      'Pulled out',
      (i) => [{ removedAfter: 1 }, {}][i] ?? null,
      () => false,
    );
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['card_removed', 'ok']);
    expect(outcomes[0]).toMatchObject({ orderId: null, spoiled: false });
    expect(driver.slots()[0].ejected[0].inspect().updates).toBe(0);
    expect(await orderRow(id)).toMatchObject({ status: 'personalized', attempts: 1 });
  });

  it('refuses a chip that already holds a card', async () => {
    const [first] = await approvedOrders(1);
    const { outcomes } = await runStation(
      'Chip once',
      (i) => (i === 0 ? { serial: 'SIMCHIPONCE0001' } : null),
      () => false,
    );
    expect(outcomes).toEqual([expect.objectContaining({ ok: true, orderId: first })]);
    const [second] = await approvedOrders(1);
    // The same chip again (a card put back in the hopper after being wiped by someone): refused before any order is taken.
    const again = await runStation(
      'Chip twice',
      (i) => (i === 0 ? { serial: 'SIMCHIPONCE0001' } : null),
      (o) => o.length === 1,
    );
    expect(again.outcomes).toEqual([expect.objectContaining({ ok: false, code: 'chip_already_used', orderId: null, spoiled: false })]);
    expect(await orderRow(second)).toMatchObject({ status: 'approved', attempts: 0 });
  });

  it('fails an order after PERSONALIZATION_MAX_ATTEMPTS spoiled cards, puts the station in error after K failures, and an operator retries it', async () => {
    const [id] = await approvedOrders(1);
    const { outcomes, station } = await runStation(
      'Always failing',
      () => ({ memoryFailureOnWrite: 1 }),
      () => false,
    );
    expect([ctx.cfg.PERSONALIZATION_MAX_ATTEMPTS, ctx.cfg.ENCODER_MAX_CONSECUTIVE_FAILURES]).toEqual([3, 3]);
    expect(outcomes).toHaveLength(3);
    expect(outcomes.every((o) => !o.ok && o.spoiled)).toBe(true);
    expect(await orderRow(id)).toEqual({ status: 'failed', attempts: 3, reason: 'card spoiled at write: card_status' });
    expect(await perso.spoiledFor(id)).toHaveLength(3);
    expect((await fleet.current(station.id)).state).toBe('error');
    const retried = await orders.retry(id, 'principal:alice', 'encoder cleaned, new card stock');
    expect([retried.status, retried.personalizationAttempts]).toEqual(['approved', 0]);
  });

  it('fails at once an order whose data the profile refuses, writes nothing, and goes on with the next order', async () => {
    const [bad, good] = await approvedOrders(2);
    // A profession code the profile's pattern (two digits) refuses, distinctive enough to be seen if a message repeated it.
    const refused = 'ZORGLUB-75';
    await ctx.ds.query(`UPDATE card_order SET content = jsonb_set(content, '{professionCode}', to_jsonb($2::text)) WHERE id = $1`, [
      bad,
      refused,
    ]);
    const { outcomes, station, driver } = await runStation(
      'Bad order',
      (i) => (i < 2 ? {} : null),
      () => false,
    );
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['unusable_card_data', 'ok']);
    expect(outcomes[0]).toMatchObject({ orderId: bad, spoiled: false });
    // The message names the field, never its value (personal data, kept in logs and the fleet's last error).
    const { message } = outcomes[0] as Extract<CardOutcome, { ok: false }>;
    expect(message).toContain('"EF.ID.professionCode"');
    expect(message).not.toContain(refused);
    expect(await orderRow(bad)).toEqual({
      status: 'failed',
      attempts: 0,
      reason: 'card failed before writing at prepare: unusable_card_data',
    });
    expect(await orderRow(good)).toMatchObject({ status: 'personalized' });
    // the card handed out after the bad order was never written (blank, back to the stock), the next one took the good order
    expect(driver.slots()[0].ejected.map((c) => c.inspect().updates > 0)).toEqual([false, true]);
    expect((await fleet.current(station.id)).consecutiveFailures).toBe(0);
  });

  it('records a card once when its recording is retried (the first commit answered, the answer lost)', async () => {
    const [id] = await approvedOrders(1);
    const claim = (await perso.claimNext('retry-station', 'SIMRECORDTWICE1'))!;
    expect(claim.orderId).toBe(id);
    const first = await perso.recordPersonalized(claim, 'SIMRECORDTWICE1');
    const again = await perso.recordPersonalized(claim, 'SIMRECORDTWICE1');
    expect(again.cardNumber).toBe(first.cardNumber);
    expect(await perso.spoiledFor(id)).toEqual([]);
    await expect(perso.recordPersonalized(claim, 'SIMOTHERCHIP001')).rejects.toMatchObject({ code: 'claim_lost' });
  });

  describe('claims', () => {
    const spoiled = async (chip: string) =>
      (await ctx.ds.query(`SELECT order_id AS "orderId", stage, error_code AS code FROM spoiled_card WHERE chip_serial = $1`, [chip]))[0];
    /** Moves a claim's last renewal `seconds` into the past. */
    const claimedAgo = (orderId: string, seconds: number) =>
      ctx.ds.query(`UPDATE card_order SET claimed_at = now() - $2::int * interval '1 second' WHERE id = $1`, [orderId, seconds]);

    it('names the chip on the claim, and refuses that chip to another station while the claim lasts', async () => {
      const [id] = await approvedOrders(1);
      const claim = (await perso.claimNext('claims/A', 'SIMCLAIMEDCHIP1'))!;
      expect(claim.orderId).toBe(id);
      const [row] = await ctx.ds.query(`SELECT claimed_chip_serial AS chip FROM card_order WHERE id = $1`, [id]);
      expect(row.chip).toBe('SIMCLAIMEDCHIP1');
      await expect(perso.checkChipUnused('SIMCLAIMEDCHIP1')).rejects.toMatchObject({ code: 'chip_already_used' });
      await perso.recordPersonalized(claim, 'SIMCLAIMEDCHIP1');
      const [after] = await ctx.ds.query(`SELECT claimed_chip_serial AS chip FROM card_order WHERE id = $1`, [id]);
      expect(after.chip).toBeNull();
    });

    it('renews a claim by its token only: a claim nobody holds any more is given back when stale, its chip spoiled', async () => {
      const [held, dead] = await approvedOrders(2);
      const heldClaim = (await perso.claimNext('claims/B', 'SIMHELDCLAIM001'))!;
      const deadClaim = (await perso.claimNext('claims/B', 'SIMDEADCLAIM001'))!;
      expect([heldClaim.orderId, deadClaim.orderId]).toEqual([held, dead]);
      await claimedAgo(held, 600);
      await claimedAgo(dead, 600);
      // the same station id beats again (a restarted process), but only the claim it holds is renewed
      await perso.renewClaims([heldClaim.token]);
      expect(await perso.releaseStale(300)).toBe(1);
      expect(await orderRow(held)).toMatchObject({ status: 'personalizing' });
      expect(await orderRow(dead)).toMatchObject({ status: 'approved', reason: 'its encoder station went silent while writing' });
      expect(await spoiled('SIMDEADCLAIM001')).toEqual({ orderId: dead, stage: 'unknown', code: 'claim_abandoned' });
      expect(await spoiled('SIMHELDCLAIM001')).toBeUndefined();
      await expect(perso.recordPersonalized(deadClaim, 'SIMDEADCLAIM001')).rejects.toMatchObject({ code: 'claim_lost' });
    });

    it('gives back at its start the orders a station left claimed in its previous run, and completes them on a new card', async () => {
      const [id] = await approvedOrders(1);
      const driver = new SimulatedEncoderDriver({ namePrefix: 'Restarted', nextCard: (_s, i) => (i === 0 ? {} : null) });
      const slot = driver.slots()[0];
      // the previous run (a process that died) claimed the order for a chip and never recorded it
      await perso.claimNext(`test-host/${slot.reader}`, 'SIMLEFTBEHIND01');
      const station = new EncoderStation(slot, deps(), CPX_ISO_V1);
      const outcomes: CardOutcome[] = [];
      await station.run(new AbortController().signal, { exitWhenIdle: true, pollMs: 20, onCard: (o) => outcomes.push(o) });
      expect(station.id).toBe(`test-host/${slot.reader}`);
      expect(outcomes).toEqual([expect.objectContaining({ ok: true, orderId: id })]);
      expect(await spoiled('SIMLEFTBEHIND01')).toEqual({ orderId: id, stage: 'unknown', code: 'claim_abandoned' });
      expect(await orderRow(id)).toMatchObject({ status: 'personalized', attempts: 2 });
    });

    it('keeps a written card whose recording failed on its claim, and spoils it when the claim is given back', async () => {
      const [id] = await approvedOrders(1);
      const driver = new SimulatedEncoderDriver({ namePrefix: 'Outage', nextCard: (_s, i) => (i === 0 ? {} : null) });
      // the database answers the claim, then refuses to record anything (an outage while the card was written)
      const outage = () => Promise.reject(Object.assign(new Error('connection terminated'), { code: 'ECONNRESET' }));
      const station = new EncoderStation(
        driver.slots()[0],
        { ...deps(), orders: Object.assign(Object.create(perso), { recordPersonalized: outage, recordFailure: outage }) },
        CPX_ISO_V1,
      );
      const outcomes: CardOutcome[] = [];
      const stop = new AbortController();
      await station.run(stop.signal, {
        exitWhenIdle: true,
        pollMs: 20,
        onCard: (o) => {
          outcomes.push(o);
          stop.abort();
        },
      });
      // the card written is the one ejected, and the outcome names its chip
      const ejected = driver.slots()[0].ejected.map((c) => c.inspect());
      expect(ejected).toEqual([expect.objectContaining({ serial: expect.stringMatching(/^SIM/), updates: expect.any(Number) })]);
      expect(ejected[0].updates).toBeGreaterThan(0);
      const chip = ejected[0].serial as string;
      expect(outcomes).toEqual([expect.objectContaining({ ok: false, spoiled: true, orderId: id, chipSerial: chip })]);
      const [row] = await ctx.ds.query(`SELECT status, claimed_chip_serial AS chip FROM card_order WHERE id = $1`, [id]);
      expect(row).toEqual({ status: 'personalizing', chip });
      await claimedAgo(id, 600);
      expect(await perso.releaseStale(300)).toBe(1);
      expect(await spoiled(chip)).toEqual({ orderId: id, stage: 'unknown', code: 'claim_abandoned' });
      await expect(perso.checkChipUnused(chip)).rejects.toMatchObject({ code: 'chip_already_used' });
    }, 30_000);

    it('stops renewing the claim of a card whose session hangs: the order is given back, its chip spoiled, the station shown offline', async () => {
      const [id] = await approvedOrders(1);
      const driver = new SimulatedEncoderDriver({ namePrefix: 'Hung', nextCard: (_s, i) => (i === 0 ? {} : null) });
      const slot = driver.slots()[0];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let sent = 0;
      // the 10th command (writing has begun) never comes back until the test opens the gate
      const hanging: typeof slot = Object.assign(Object.create(slot), {
        connect: async () => {
          const session = await slot.connect();
          return {
            transmit: async (apdu: Buffer) => {
              if (++sent === 10) await gate;
              return session.transmit(apdu);
            },
            close: () => session.close(),
          };
        },
      });
      const errors: string[] = [];
      const log = { ...quiet, error: (_o: object, msg: string) => errors.push(msg) };
      const cfg = { ...ctx.cfg, PERSONALIZATION_CLAIM_TIMEOUT_SECONDS: 1, ENCODER_HEARTBEAT_SECONDS: 1 };
      const fastFleet = new EncoderFleetService(ctx.ds, ctx.audit, cfg);
      const service = new PersonalizationService(cfg, perso, vault, fastFleet);
      const fleetDriver = Object.assign(Object.create(driver), { slots: () => [hanging], on: () => fleetDriver, off: () => fleetDriver });
      const stop = new AbortController();
      const running = service.runFleet(fleetDriver, log, stop.signal);
      try {
        await eventually(async () => (await orderRow(id)).status === 'approved' && sent >= 10, 15_000, 'the order given back');
        const [chip] = await ctx.ds.query(`SELECT order_id, error_code FROM spoiled_card WHERE order_id = $1`, [id]);
        expect(chip).toEqual({ order_id: id, error_code: 'claim_abandoned' });
        expect(errors.filter((m) => m.includes('stuck on one card'))).toHaveLength(1);
        await eventually(
          async () =>
            (await fastFleet.list()).items.some((s) => s.reader === slot.reader && s.state === 'offline' && s.stoppedIn === 'writing'),
          10_000,
          'the station shown offline',
        );
      } finally {
        release();
        stop.abort();
        await running;
      }
      // the card's session ended: its record found the claim lost, and the order waits for the next blank card
      expect(await orderRow(id)).toMatchObject({ status: 'approved' });
      expect(await ctx.ds.query(`SELECT 1 FROM card WHERE order_id = $1`, [id])).toEqual([]);
    }, 40_000);
  });

  it("lets an operator cancel an order being written (its chip spoiled, the station's claim lost) or failed, and retry one only while its holder is in the registry", async () => {
    const [writing, failed, ceased] = await approvedOrders(3);
    const claim = (await perso.claimNext('claims/C', 'SIMCANCELLED001'))!;
    expect(claim.orderId).toBe(writing);
    await orders.cancel(writing, 'principal:op-1', 'wrong holder');
    expect(await orderRow(writing)).toMatchObject({ status: 'cancelled' });
    const [chip] = await ctx.ds.query(`SELECT order_id, error_code FROM spoiled_card WHERE chip_serial = 'SIMCANCELLED001'`);
    expect(chip).toEqual({ order_id: writing, error_code: 'claim_abandoned' });
    await expect(perso.recordPersonalized(claim, 'SIMCANCELLED001')).rejects.toMatchObject({ code: 'claim_lost' });
    await ctx.ds.query(`UPDATE card_order SET status = 'failed' WHERE id = ANY($1)`, [[failed, ceased]]);
    await orders.cancel(failed, 'principal:op-1', 'holder asked to stop');
    expect(await orderRow(failed)).toMatchObject({ status: 'cancelled' });
    const [who] = await ctx.ds.query(`SELECT national_id FROM card_order WHERE id = $1`, [ceased]);
    await ctx.ds.query(`UPDATE rpps_professional SET ceased_at = now() WHERE national_id = $1`, [who.national_id]);
    await expect(orders.retry(ceased, 'principal:op-1', 'new stock')).rejects.toMatchObject({
      code: 'professional_not_in_registry',
      message: expect.stringContaining('cannot be retried'),
    });
    expect(await orderRow(ceased)).toMatchObject({ status: 'failed' });
  });

  it('two stations at once personalize every order exactly once', async () => {
    const ids = await approvedOrders(24);
    const [a, b] = await Promise.all([
      runStation(
        'Left',
        (i) => (i < 40 ? {} : null),
        () => false,
      ),
      runStation(
        'Right',
        (i) => (i < 40 ? {} : null),
        () => false,
      ),
    ]);
    // A second station writing an order already taken would end in claim_lost, its card spoiled: every card succeeded instead.
    const outcomes = [...a.outcomes, ...b.outcomes];
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(outcomes).toHaveLength(24);
    expect(new Set(outcomes.map((o) => o.orderId)).size).toBe(24);
    expect(await ctx.ds.query(`SELECT chip_serial, order_id FROM spoiled_card WHERE order_id = ANY($1)`, [ids])).toEqual([]);
    expect(
      await ctx.ds.query(`SELECT entity_id FROM audit_log WHERE action = 'order.claim-lost' AND entity_id = ANY($1::text[])`, [ids]),
    ).toEqual([]);
    const counts = await ctx.ds.query(`SELECT cards_done AS done, cards_failed AS failed FROM encoder_station WHERE id = ANY($1)`, [
      [a.station.id, b.station.id],
    ]);
    expect(counts.map((r: { failed: number }) => r.failed)).toEqual([0, 0]);
    expect(counts.reduce((n: number, r: { done: number }) => n + r.done, 0)).toBe(24);
    const rows = await ctx.ds.query(
      `SELECT o.id, count(c.card_number)::int AS cards FROM card_order o LEFT JOIN card c ON c.order_id = o.id
        WHERE o.id = ANY($1) GROUP BY o.id`,
      [ids],
    );
    expect(rows.every((r: { cards: number }) => r.cards === 1)).toBe(true);
    expect(rows).toHaveLength(24);
  });
});
