import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPX_ISO_V1 } from '../../src/card-personalization/cpx-iso-v1.profile';
import { EncoderFleetService } from '../../src/card-personalization/encoder-fleet.service';
import { type CardOutcome, EncoderStation } from '../../src/card-personalization/encoder-station';
import { SimulatedEncoderDriver } from '../../src/card-personalization/simulated-encoder';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import type { CodeVaultService } from '../../src/mailing/code-vault.service';
import { CardsService } from '../../src/orders/cards.service';
import { OrdersService } from '../../src/orders/orders.service';
import { PersonalizationOrdersService } from '../../src/orders/personalization-orders.service';
import { openContext, type TestContext } from '../support/context';
import { activeHolders, approvedOrders, type Holder } from '../support/orders';
import { oneKeyFile, testVault } from '../support/vault';

const day1 = join(__dirname, '..', 'fixtures', 'PS_LibreAcces_Personne_activite_202611250600.txt');
const quiet = { info() {}, warn() {}, error() {} };

/**
 * What a claim lost while its card was written leaves behind (issue 10, second review): the
 * spoiled chip carries the card number it may hold and the loss is audited; a chip bound to a
 * card is never also spoiled; one claim per chip; a lost claim is not the station's failure.
 */
describe('personalization claims lost or contested', () => {
  let ctx: TestContext;
  let orders: OrdersService;
  let perso: PersonalizationOrdersService;
  let dir: string;
  let vault: CodeVaultService;
  let holders: Holder[];

  /** A new order approved by policy; returns its id. */
  const approvedOrder = async (): Promise<string> => (await approvedOrders(ctx, orders, holders, 1))[0];
  const spoiled = async (chip: string) =>
    (
      await ctx.ds.query(
        `SELECT order_id AS "orderId", card_number AS "cardNumber", stage, error_code AS code FROM spoiled_card WHERE chip_serial = $1`,
        [chip],
      )
    )[0];
  const failure = (chip: string, code: string) => ({ spoiled: true, chipSerial: chip, stage: 'record', code, message: 'lost' });

  beforeAll(async () => {
    ctx = await openContext('personalization-claims');
    const outbox = new OutboxService();
    orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, ctx.cfg, ctx.clock, outbox);
    perso = new PersonalizationOrdersService(ctx.ds, new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock), ctx.audit, ctx.clock, ctx.cfg);
    dir = mkdtempSync(join(tmpdir(), 'personalization-claims-'));
    vault = testVault(ctx.ds, { keyFile: oneKeyFile(dir), dataDir: dir }, ctx.audit);
    await ctx.imports.run({ files: [day1], actor: 't' });
    holders = await activeHolders(ctx, 20);
  });
  beforeEach(async () => {
    await ctx.ds.query(
      `UPDATE card_order SET status = 'cancelled', claim_token = NULL, claimed_by = NULL, claimed_chip_serial = NULL
        WHERE status IN ('approved', 'personalizing', 'failed')`,
    );
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a card written for an order cancelled meanwhile: its spoiled chip learns the card number and how far it got, and the loss is audited', async () => {
    const id = await approvedOrder();
    const claim = (await perso.claimNext('claims/L', 'SIMLOSTCLAIM001'))!;
    await orders.cancel(id, 'principal:op-1', 'wrong holder');
    expect(await spoiled('SIMLOSTCLAIM001')).toEqual({ orderId: id, cardNumber: null, stage: 'unknown', code: 'claim_abandoned' });
    // the station finishes the card, finds its claim lost, and reports the written chip
    expect(await perso.recordFailure(claim, failure('SIMLOSTCLAIM001', 'claim_lost'))).toBe('claim-lost');
    expect(await spoiled('SIMLOSTCLAIM001')).toEqual({
      orderId: id,
      cardNumber: claim.cardNumber,
      stage: 'record',
      code: 'claim_abandoned',
    });
    const [entry] = await ctx.ds.query(`SELECT actor, details FROM audit_log WHERE action = 'order.claim-lost' AND entity_id = $1`, [id]);
    expect(entry).toEqual({
      actor: expect.any(String),
      details: { station: 'claims/L', cardNumber: claim.cardNumber, chipSerial: 'SIMLOSTCLAIM001', stage: 'record', code: 'claim_lost' },
    });
  });

  it('never spoils a chip bound to a card, even when the card was recorded and the station believes it failed', async () => {
    const id = await approvedOrder();
    const claim = (await perso.claimNext('claims/R', 'SIMRECORDED0001'))!;
    await perso.recordPersonalized(claim, 'SIMRECORDED0001');
    // the record committed but its answer was lost; the retries failed: the station reports a failure
    expect(await perso.recordFailure(claim, failure('SIMRECORDED0001', 'ECONNRESET'))).toBe('claim-lost');
    expect(await spoiled('SIMRECORDED0001')).toBeUndefined();
    const [card] = await ctx.ds.query(`SELECT chip_serial AS chip, state FROM card WHERE order_id = $1`, [id]);
    expect(card).toEqual({ chip: 'SIMRECORDED0001', state: 'personalized' });
    const [order] = await ctx.ds.query(`SELECT status, claimed_by, claimed_at, claim_token FROM card_order WHERE id = $1`, [id]);
    expect(order).toEqual({ status: 'personalized', claimed_by: null, claimed_at: null, claim_token: null });
  });

  it('refuses a second claim naming a chip already claimed (two cards with one serial), in the database too', async () => {
    await approvedOrder();
    await approvedOrder();
    const first = (await perso.claimNext('claims/A', 'SIMSAMESERIAL01'))!;
    expect(first).not.toBeNull();
    // the second station skipped checkChipUnused's window: the claim itself is refused
    await expect(perso.claimNext('claims/B', 'SIMSAMESERIAL01')).rejects.toMatchObject({
      code: 'chip_already_used',
      message: 'chip SIMSAMESERIAL01 is being written by another station',
    });
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM card_order WHERE status = 'personalizing'`);
    expect(n).toBe(1);
  });

  it("does not count an order taken away while its card is written against the station's failures in a row", async () => {
    const ids = [await approvedOrder(), await approvedOrder(), await approvedOrder()];
    const fleet = new EncoderFleetService(ctx.ds, ctx.audit, ctx.cfg);
    const driver = new SimulatedEncoderDriver({ namePrefix: 'Cancelled', nextCard: (_s, i) => (i < 3 ? {} : null) });
    // each order is cancelled by an operator just before its card is recorded
    const cancelling = Object.assign(Object.create(perso), {
      recordPersonalized: async (claim: { orderId: string }, chip: string) => {
        await orders.cancel(claim.orderId, 'principal:op-1', 'holder asked to stop');
        return perso.recordPersonalized(claim as never, chip);
      },
    });
    const station = new EncoderStation(
      driver.slots()[0],
      { orders: cancelling, vault, fleet, log: quiet, host: 'claims-host', processId: `claims-host:${process.pid}`, driver: 'simulated' },
      CPX_ISO_V1,
    );
    const outcomes: CardOutcome[] = [];
    await station.run(new AbortController().signal, { exitWhenIdle: true, pollMs: 20, onCard: (o) => outcomes.push(o) });
    expect(outcomes.map((o) => [o.orderId, o.ok, !o.ok && o.code])).toEqual(ids.map((id) => [id, false, 'claim_lost']));
    const [row] = await ctx.ds.query(`SELECT state, consecutive_failures AS n FROM encoder_station WHERE id = $1`, [station.id]);
    expect(row.n).toBe(0);
    expect(row.state).not.toBe('error');
  }, 30_000);
});
