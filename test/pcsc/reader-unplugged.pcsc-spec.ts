import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { PcscReaders } from '../../src/card-personalization/pcsc/pcsc-readers';
import { SimulatedCard } from '../../src/card-personalization/simulated-card';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { appDataSourceParts } from '../../src/data-source-parts';
import { isLivePcscd, PCSCD_PID_FILE, servingPcscd } from '../support/pcscd';
import { eventually, ROOT, runCli, type Service, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, type TestDb, testQueuePrefix } from '../support/services';
import { VPCD_READERS, VpcdSlot } from '../support/vpcd-card';

/**
 * Issue 10, must show 2: a reader unplugged. A worker runs a `pcsc` station on vpcd's first reader;
 * pcscd stops while a card is being written (every PC/SC reader of the machine goes away at once).
 * The station's slot goes (the fleet marks it offline), the order in flight goes back to the queue,
 * and once pcscd is back the reader reappears and the order completes on a fresh blank card.
 */
const FIX = join(__dirname, '..', 'fixtures');
const registry = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
const expected = JSON.parse(readFileSync(`${holders}.expected.json`, 'utf8'));
const [R0] = VPCD_READERS;

/** Starts pcscd again as CI does, and waits for vpcd's readers (.ci/services.sh is idempotent). */
async function restartPcscd(): Promise<void> {
  if (servingPcscd() !== null) return;
  await promisify(execFile)('bash', [join(ROOT, '.ci', 'services.sh')], { timeout: 60_000 });
}

describe('a reader unplugged (pcscd stopped) under a running pcsc station', () => {
  let db: TestDb;
  let ds: DataSource;
  let env: Record<string, string>;
  let worker: Service | null = null;
  const slot = new VpcdSlot(R0);

  const stationOf = async () =>
    (await ds.query(`SELECT id, state, cards_done FROM encoder_station WHERE reader = $1 AND driver = 'pcsc'`, [R0.name]))[0] as
      | { id: string; state: string; cards_done: number }
      | undefined;
  const personalizing = async (): Promise<Array<{ id: string }>> => ds.query(`SELECT id FROM card_order WHERE status = 'personalizing'`);

  beforeAll(async () => {
    db = await createTestDb('pcsc-unplugged');
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('pcsc-unplugged'),
      ENCODER_DRIVER: 'pcsc',
      ENCODER_READERS: R0.name,
      ENCODER_HEARTBEAT_SECONDS: '1',
    };
    ds = await new DataSource(dataSourceOptions(appDataSourceParts(db.url, 'test-pcsc-unplugged'))).initialize();
    expect((await runCli(['rpps:import', registry, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    expect((await runCli(['renewals:run', '--as-of', expected.asOf, '--json'], env)).code).toBe(0);
  });

  afterAll(async () => {
    await worker?.stop();
    await slot.remove();
    await restartPcscd();
    await ds?.destroy();
    await db?.drop();
  });

  it('takes the station offline, gives its order back, and completes it on a fresh card once pcscd is back', async () => {
    // A slow card (each APDU answered after 250 ms): pcscd stops while the card is being written.
    const first = new SimulatedCard();
    await slot.insert(first, { delayMs: 250 });
    worker = startWorker(env);
    const [inFlight] = await eventually(
      async () => {
        const rows = await personalizing();
        return rows.length ? rows : undefined;
      },
      30_000,
      'an order claimed by the station',
    );
    const station = await eventually(stationOf, 10_000, 'the station row');

    // Only the pcscd serving the vpcd readers (named by its pid file), not any other pcscd of the machine.
    const pcscd = servingPcscd();
    if (pcscd === null) throw new Error(`no live pcscd named by ${PCSCD_PID_FILE}: is pcscd running (bash .ci/services.sh)?`);
    process.kill(pcscd, 'SIGTERM');
    await eventually(async () => !isLivePcscd(pcscd), 10_000, `pcscd (pid ${pcscd}) to stop`);

    // The slot goes away with its reader: the fleet stops the station and marks it offline.
    await eventually(async () => (await stationOf())?.state === 'offline', 20_000, `the station offline (${worker.output().slice(-2000)})`);
    // The claim in flight is released (at the failure of the card): no order is left personalizing.
    await eventually(async () => (await personalizing()).length === 0, 20_000, 'no order personalizing');
    const [order] = await ds.query(`SELECT status FROM card_order WHERE id = $1`, [inFlight.id]);
    expect(order.status).toBe('approved');
    expect(await ds.query(`SELECT 1 FROM card WHERE chip_serial = $1`, [first.inspect().serial])).toEqual([]);
    await slot.remove();

    await restartPcscd();
    const readers = PcscReaders.open({ readers: [R0.name] });
    try {
      await readers.waitForReader(R0.name, 15_000);
    } finally {
      readers.close();
    }
    const fresh = new SimulatedCard();
    await slot.insert(fresh);
    const chip = fresh.inspect().serial as string;
    const [card] = await eventually(
      async () => {
        const rows = await ds.query(`SELECT order_id FROM card WHERE chip_serial = $1`, [chip]);
        return rows.length ? rows : undefined;
      },
      30_000,
      `the fresh card personalized (${worker.output().slice(-2000)})`,
    );
    // The oldest approved order: the one given back (it was the oldest, claimed first).
    expect(card.order_id).toBe(inFlight.id);
    const [done] = await ds.query(`SELECT status FROM card_order WHERE id = $1`, [inFlight.id]);
    expect(done.status).toBe('personalized');
    expect((await stationOf())?.id).toBe(station.id);
    expect(await personalizing()).toEqual([]);
  });
});
