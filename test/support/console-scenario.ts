import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobsService } from '../../src/common/jobs/jobs.service';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardsOpposedHandler, CardsPersonalizedHandler } from '../../src/mailing/card-events.handler';
import { MailingBatchesService } from '../../src/mailing/mailing-batches.service';
import { OrdersApprovedHandler } from '../../src/mailing/orders-approved.handler';
import type { CardCodes } from '../../src/mailing/pin-codes';
import { CardsService } from '../../src/orders/cards.service';
import { OrdersService } from '../../src/orders/orders.service';
import { PersonalizationOrdersService } from '../../src/orders/personalization-orders.service';
import { luhnCheckDigit } from '../../src/rpps/identifiers';
import { RppsImportQueueService } from '../../src/rpps/rpps-import-queue.service';
import { TestContext, testConfig } from './context';
import { activeHolders, approvedOrders, Holder } from './orders';
import { testDataDir, testImportDir } from './services';
import { testVault } from './vault';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const extract = (stamp: string) => `PS_LibreAcces_Personne_activite_${stamp}.txt`;

type Key = 'A' | 'B' | 'C' | 'D';

/** What the console's screens read, made by the services in the test's process over the API's database (no worker). */
export interface ConsoleScenario {
  /** Two ADELI identifiers that came back under an RPPS one on day 3: migration candidates waiting for an operator. */
  migrated: Record<'zola' | 'laurent', { adeli: string; rpps: string }>;
  /** Four orders approved by policy, their codes drawn: A, B and C personalized (cards), D failed at personalization. */
  holders: Record<Key, string>;
  orders: Record<Key, string>;
  cards: Record<'A' | 'B' | 'C', string>;
  codes: Map<string, CardCodes>;
  /** A truncated extract in IMPORT_DIR (a mass change: held), with one rejected line. */
  heldFile: string;
  /** Runs an import's queued job as a worker would. */
  runImportJob(jobRunId: string): Promise<void>;
  /** Professionals in practice without an order, `n` of them (taken off the list). */
  freeHolders(n: number): Holder[];
  /** An outbox message refused for good by its consumer. */
  failOneOutboxMessage(): Promise<void>;
  /** The card letters of the cards made here, in a batch: its id. */
  cardLetterBatch(): Promise<string>;
  /** The letters of the codes, in a batch of two days on moved back to today (as the clock would move on): its id. */
  pinLetterBatch(): Promise<string>;
}

/** `text` with the lines of ADELI identifier `adeli` under a new RPPS identifier (same person, name, sites): its RPPS national id. */
function migrate(text: string, adeli: string, rppsPayload: string): { text: string; rpps: string } {
  const id = `${rppsPayload}${luhnCheckDigit(rppsPayload)}`;
  const from = `0|${adeli.slice(1)}|${adeli}|`;
  if (!text.includes(from)) throw new Error(`no line of ${adeli}`);
  return { text: text.split(from).join(`8|${id}|8${id}|`), rpps: `8${id}` };
}

export async function consoleScenario(ctx: TestContext): Promise<ConsoleScenario> {
  const dataDir = testDataDir(ctx.db.name);
  const importDir = testImportDir(ctx.db.name);
  mkdirSync(join(dataDir, 'extracts'), { recursive: true });
  mkdirSync(importDir, { recursive: true });
  const cfg = testConfig({ DATA_DIR: dataDir, IMPORT_DIR: importDir });
  const outbox = new OutboxService();
  const jobs = new JobsService(ctx.ds);

  // The registry: a baseline, a day of changes (events), a day with two identifier migration candidates.
  await ctx.imports.run({ files: [day1], actor: 't' });
  await ctx.imports.run({ files: [day2], actor: 't' });
  const zola = migrate(readFileSync(day2, 'utf8'), '0259200186', '1000000999');
  const laurent = migrate(zola.text, '0692600018', '1000000998');
  const day3 = join(dataDir, 'extracts', extract('202611270600'));
  writeFileSync(day3, laurent.text);
  const r3 = await ctx.imports.run({ files: [day3], actor: 't' });
  if (r3.migrationCandidates !== 2) throw new Error(`day 3: ${r3.migrationCandidates} migration candidates, 2 expected`);
  // Day 4, over the API: half the professionals gone, and a line with too few fields.
  const [header, ...lines] = laurent.text.trimEnd().split('\n');
  const kept = lines.slice(0, Math.floor(lines.length / 2));
  const heldFile = extract('202611280600');
  writeFileSync(join(importDir, heldFile), [header, ...kept, `${kept[0].split('|').slice(0, 30).join('|')}|`].join('\n'));
  const queue = new RppsImportQueueService(ctx.ds, jobs, outbox, ctx.audit, ctx.imports, cfg, ctx.clock);

  // Cards: four orders approved by policy, their codes drawn; three personalized, the fourth spoiled three times (failed).
  const orders = new OrdersService(ctx.ds, ctx.audit, ctx.rpps, cfg, ctx.clock, outbox);
  const cards = new CardsService(ctx.ds, ctx.audit, outbox, ctx.clock);
  const perso = new PersonalizationOrdersService(ctx.ds, cards, ctx.audit, ctx.clock, cfg);
  const vault = testVault(ctx.ds, { dataDir }, ctx.audit);
  const batches = new MailingBatchesService(
    ctx.ds,
    ctx.audit,
    ctx.rpps,
    cards,
    vault,
    jobs,
    new CardsPersonalizedHandler(ctx.ds, cards, outbox),
    new CardsOpposedHandler(ctx.ds, cards, vault, outbox),
    ctx.clock,
    cfg,
  );
  const holders = (await activeHolders(ctx, 1000)).filter((h) => h.national_id.startsWith('8'));
  const four = holders.slice(0, 4);
  const ids = await approvedOrders(ctx, orders, holders, 4);
  await new OrdersApprovedHandler(ctx.ds, vault, outbox).consume(ids);
  const { codes } = await vault.codesForLetters(ids);
  const keys: Key[] = ['A', 'B', 'C', 'D'];
  const s = {
    holders: {} as Record<Key, string>,
    orders: {} as Record<Key, string>,
    cards: {} as Record<'A' | 'B' | 'C', string>,
  };
  for (const [i, key] of keys.entries()) {
    s.holders[key] = four[i].national_id;
    s.orders[key] = ids[i];
  }
  for (const key of ['A', 'B', 'C'] as const) {
    const claim = (await perso.claimNext('console/reader', `SIMCONSOLE0${key}`))!;
    if (claim.orderId !== s.orders[key]) throw new Error(`claimed order ${claim.orderId}, ${s.orders[key]} expected`);
    s.cards[key] = (await perso.recordPersonalized(claim, `SIMCONSOLE0${key}`)).cardNumber;
  }
  for (let i = 0; i < cfg.PERSONALIZATION_MAX_ATTEMPTS; i++) {
    const chip = `SIMCONSOLEX${i}`;
    const claim = (await perso.claimNext('console/reader', chip))!;
    await perso.recordFailure(claim, { spoiled: true, chipSerial: chip, stage: 'write', code: '6581', message: 'memory failure' });
  }
  const plusDays = (day: string, n: number) => {
    const d = new Date(`${day}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };

  return {
    migrated: { zola: { adeli: '0259200186', rpps: zola.rpps }, laurent: { adeli: '0692600018', rpps: laurent.rpps } },
    ...s,
    codes,
    heldFile,
    async runImportJob(jobRunId) {
      await queue.runQueued(jobRunId);
    },
    freeHolders: (n) => holders.splice(0, n),
    async failOneOutboxMessage() {
      await ctx.ds.query(
        `UPDATE outbox SET last_error = 'refused by its consumer (test)', failed_at = now(), attempts = 1
          WHERE id = (SELECT min(id) FROM outbox WHERE consumed_at IS NULL)`,
      );
    },
    async cardLetterBatch() {
      await new CardsPersonalizedHandler(ctx.ds, cards, outbox).consume(Object.values(s.cards));
      const batch = await batches.run({ kind: 'card-letter', actor: 'test' });
      if (batch.letters !== 3 || !batch.batchId) throw new Error(`${batch.letters} card letters, 3 expected`);
      return batch.batchId;
    },
    async pinLetterBatch() {
      const batch = await batches.run({ kind: 'pin-letter', asOf: plusDays(ctx.clock.today(), 2), actor: 'test' });
      if (!batch.batchId) throw new Error('no letter of the codes to batch');
      await ctx.ds.query(`UPDATE mailing_batch SET as_of = as_of - 2 WHERE id = $1`, [batch.batchId]);
      return batch.batchId;
    },
  };
}
