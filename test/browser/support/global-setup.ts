import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, withDatabase } from '../../../src/common/database/database-url';
import { ROOT, type Service, startApi, startWorker } from '../../support/processes';
import { assertPostgres, assertRedis, BASE_DATABASE_URL, REDIS_URL, TEST_DB_PREFIX, testQueuePrefix } from '../../support/services';
import { assertChromium, CHROMIUM_PATH } from './chromium';
import { createTokens, importCards, importRegistry, seedOrders, writeSeed } from './seed';

/** The env variable giving the console's URL to playwright.config.ts in the tests' workers (use.baseURL). */
export const CONSOLE_URL_VARIABLE = 'CPS_CONSOLE_URL';

function assertBuilt(): void {
  for (const f of ['dist/src/main.js', 'dist/src/worker.js', 'web/dist/index.html']) {
    if (!existsSync(join(ROOT, f))) {
      throw new Error(`${f} is missing: the browser tier runs the built API and console (npm run build; npm test does it first)`);
    }
  }
}

/**
 * The browser tier's one API and worker, for all its tests: fails loudly (never skips) when
 * PostgreSQL, Redis, chromium or the build is missing; a fresh database (created and migrated
 * by the first CLI command) and a DATA_DIR in a temporary directory; the registry, cards and
 * orders of the seed (seed.ts); the API on a free port, the worker with the simulated
 * encoder. Returns the teardown: both processes stopped, the database and directory removed.
 */
/** Writes a process's output under test-results/ (git-ignored). */
function writeLogFile(name: string, text: string): void {
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results', name), text);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const t0 = Date.now();
  await assertPostgres();
  await assertRedis();
  const chromium = assertChromium();
  assertBuilt();

  const dir = mkdtempSync(join(tmpdir(), 'cps-browser-'));
  const database = `${TEST_DB_PREFIX}browser_${process.pid}_${randomBytes(3).toString('hex')}`;
  const env = {
    DATABASE_URL: withDatabase(BASE_DATABASE_URL, database),
    REDIS_URL,
    QUEUE_PREFIX: testQueuePrefix('browser'),
    DATA_DIR: join(dir, 'data'),
    // The first CLI command creates the database (created by default in development only).
    DATABASE_CREATE: 'true',
    OUTBOX_RELAY_INTERVAL_MS: '100',
    // The card base's oppositions ask for a delta CRL: published at once, not 20 s later (the seed waits for the worker to be idle).
    CRL_DELTA_DELAY_MS: '200',
  };
  let api: (Service & { url: string }) | undefined;
  let worker: Service | undefined;
  const teardown = async () => {
    for (const [name, svc] of [
      ['worker', worker],
      ['API', api],
    ] as const) {
      if (svc && svc.child.exitCode !== null)
        console.error(`the browser tier's ${name} stopped early (${svc.child.exitCode}):\n${svc.output()}`);
      await svc?.stop();
      // Kept for a failure's diagnosis (test-results/ is where Playwright leaves a failed test's screenshot and trace).
      if (svc) writeLogFile(`browser-${name === 'API' ? 'api' : 'worker'}.log`, svc.output());
    }
    await dropDatabase(env.DATABASE_URL);
    rmSync(dir, { recursive: true, force: true });
  };

  const steps: string[] = [];
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const s0 = Date.now();
    const v = await f();
    steps.push(`${name} ${((Date.now() - s0) / 1000).toFixed(1)} s`);
    return v;
  };
  try {
    await step('registry', () => importRegistry(env));
    // Then, at once: the API starting, the tokens made, the cards imported and then the worker started.
    const [started, made, cards] = await Promise.allSettled([
      step('API start', () => startApi(env)),
      step('tokens', () => createTokens(env)),
      step('cards', () => importCards(env)).then(() => startWorker({ ...env, ENCODER_DRIVER: 'simulated' })),
    ]);
    if (started.status === 'fulfilled') api = started.value;
    if (cards.status === 'fulfilled') worker = cards.value;
    if (started.status === 'rejected') throw started.reason;
    if (made.status === 'rejected') throw made.reason;
    if (cards.status === 'rejected') throw cards.reason;
    const consoleUrl = `${started.value.url}/console/`;
    const seed = await step('orders', () => seedOrders({ apiUrl: started.value.url, consoleUrl, env }, made.value));
    if (cards.value.child.exitCode !== null) throw new Error(`the worker exited (${cards.value.child.exitCode})`);
    writeSeed(join(dir, 'seed.json'), seed);
    process.env[CONSOLE_URL_VARIABLE] = consoleUrl;
  } catch (e) {
    for (const [name, svc] of [
      ['API', api],
      ['worker', worker],
    ] as const) {
      if (svc) (e as Error).message += `\n${name} output:\n${svc.output().slice(-4000)}`;
    }
    await teardown();
    throw e;
  }
  process.stdout.write(
    `browser tier: ${chromium} (${CHROMIUM_PATH}); API and console at ${api!.url}, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${steps.join(', ')})\n`,
  );
  return teardown;
}
