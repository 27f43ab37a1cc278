import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/common/database/database-url';

export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cps';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The migrated template every test database is copied from (made once per run by global setup); TEST_TEMPLATE_DB lets two checkouts test at once. */
export const TEMPLATE_DB = process.env.TEST_TEMPLATE_DB ?? `cps_test_template`;
/**
 * Test databases start with this. Another checkout testing at once (its own TEST_TEMPLATE_DB)
 * gets its own prefix, so that the global teardown drops only the databases of its own runs.
 */
export const TEST_DB_PREFIX =
  TEMPLATE_DB === 'cps_test_template' ? 'cps_t_' : `cps_t${createHash('sha1').update(TEMPLATE_DB).digest('hex').slice(0, 4)}_`;

export async function assertPostgres(): Promise<void> {
  const c = new Client({ connectionString: withDatabase(BASE_DATABASE_URL, 'postgres'), connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } catch (e) {
    throw new Error(
      `PostgreSQL is not answering at ${withDatabase(BASE_DATABASE_URL, 'postgres')} (${(e as Error).message}). ` +
        `The integration, end-to-end and browser tiers need it: start it (see .ci/services.sh) — they never skip.`,
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function assertRedis(): Promise<void> {
  const r = new IORedis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await r.connect();
    if ((await r.ping()) !== 'PONG') throw new Error('no PONG');
  } catch (e) {
    throw new Error(
      `Redis is not answering at ${REDIS_URL} (${(e as Error).message}). ` +
        `The integration, end-to-end and browser tiers need it: start it (see .ci/services.sh) — they never skip.`,
    );
  } finally {
    r.disconnect();
  }
}

export interface TestDb {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, copied from the migrated template. */
export async function createTestDb(label: string): Promise<TestDb> {
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `${TEST_DB_PREFIX}${safe}_${suffix}`;
  const url = withDatabase(BASE_DATABASE_URL, name);
  await ensureDatabase(url, TEMPLATE_DB);
  return {
    url,
    name,
    drop: async () => {
      await dropDatabase(url);
      rmSync(testDataDir(name), { recursive: true, force: true });
    },
  };
}

/** The DATA_DIR the processes started on a test database use unless told otherwise (removed with the database). */
export function testDataDir(databaseName: string): string {
  return join(tmpdir(), 'cps-test-data', databaseName);
}

/** The IMPORT_DIR of the processes started on a test database (files named over the API are read there only). */
export function testImportDir(databaseName: string): string {
  return join(testDataDir(databaseName), 'import');
}

/** Copies files (fixtures) into the test database's IMPORT_DIR; gives their names there, as the API takes them. */
export function copyIntoImportDir(db: TestDb, ...files: string[]): string[] {
  const dir = testImportDir(db.name);
  mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    copyFileSync(f, join(dir, basename(f)));
    return basename(f);
  });
}

/** A queue prefix of its own, so test files never see each other's jobs. */
export function testQueuePrefix(label: string): string {
  return `t-${createHash('sha1')
    .update(label + process.pid + Math.random())
    .digest('hex')
    .slice(0, 10)}`;
}
