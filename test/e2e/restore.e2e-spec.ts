import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/common/database/database-url';
import { runCli } from '../support/processes';
import { BASE_DATABASE_URL, createTestDb, REDIS_URL, TEST_DB_PREFIX, TestDb, testDataDir, testQueuePrefix } from '../support/services';

const run = promisify(execFile);
const FIX = join(__dirname, '..', 'fixtures');

/** What a backup must bring back: the business rows and the audit trail with its checkpoints. */
async function counts(url: string) {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    const n = async (table: string) => Number((await pg.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    return {
      professionals: await n('rpps_professional'),
      orders: await n('card_order'),
      oppositions: await n('opposition'),
      auditEntries: await n('audit_log'),
      chain: await n('audit_chain'),
      checkpoints: await n('audit_checkpoint'),
    };
  } finally {
    await pg.end();
  }
}

/**
 * Backups and restore (issue 13, item 6): a database with some activity is dumped with pg_dump,
 * restored into a NEW database, and the built CLI's audit:verify passes against it with the same
 * DATA_DIR (the audit key and the checkpoints file are there, not in the database).
 */
describe('backup and restore', () => {
  let src: TestDb;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'cps-restore-'));
  const made: string[] = [];
  let atFirstDump: Awaited<ReturnType<typeof counts>>;

  /** A new, empty database of this run's test prefix (the global teardown drops it if the test cannot). */
  async function newDatabase(label: string): Promise<string> {
    const url = withDatabase(BASE_DATABASE_URL, `${TEST_DB_PREFIX}${label}_${process.pid}`);
    await dropDatabase(url);
    await ensureDatabase(url, 'template0');
    made.push(url);
    return url;
  }

  const cli = async (args: string[], e: Record<string, string> = env) => {
    const r = await runCli([...args, '--json'], e);
    if (r.code !== 0) throw new Error(`${args[0]} exited ${r.code}: ${r.stderr}`);
    return r.json;
  };

  beforeAll(async () => {
    src = await createTestDb('restore-src');
    env = { DATABASE_URL: src.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('restore') };
    // Some activity: two registry imports (events), the card base, orders, oppositions, audit checkpoints.
    await cli(['rpps:import', join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt')]);
    await cli(['rpps:import', join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt')]);
    await cli(['cards:import', join(FIX, 'Porteurs_CPS_CPF_202611250600.txt')]);
    expect((await cli(['renewals:run', '--as-of', '2026-11-30'])).ordersCreated).toBeGreaterThan(0);
    expect((await cli(['expiry:run', '--as-of', '2026-11-30', '--confirm-mass-change'])).oppositionsCreated).toBeGreaterThan(0);
    await cli(['audit:checkpoint']);
    await run('pg_dump', ['--format=custom', `--file=${join(dir, 'first.dump')}`, src.url]);
    atFirstDump = await counts(src.url);
    // Activity after that backup, checkpointed: the checkpoints file (DATA_DIR) now signs a longer chain.
    await cli(['tokens:create', '--role', 'auditor', '--name', 'Restore Check']);
    await cli(['audit:checkpoint']);
    await run('pg_dump', ['--format=custom', `--file=${join(dir, 'latest.dump')}`, src.url]);
    await run('pg_dump', [
      '--data-only',
      '--format=custom',
      ...['audit_log', 'audit_chain', 'audit_checkpoint', 'audit_signing_key'].flatMap((t) => ['-t', t]),
      `--file=${join(dir, 'audit.dump')}`,
      src.url,
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const url of made) await dropDatabase(url).catch(() => undefined);
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores the latest dump into a new database, where audit:verify passes with the same DATA_DIR', async () => {
    const url = await newDatabase('restored');
    await run('pg_restore', ['--exit-on-error', '--no-owner', `--dbname=${url}`, join(dir, 'latest.dump')]);
    const before = await counts(src.url);
    expect(before.orders).toBeGreaterThan(0);
    expect(before.oppositions).toBeGreaterThan(0);
    expect(before.checkpoints).toBeGreaterThanOrEqual(2);
    expect(await counts(url)).toEqual(before);
    const v = await runCli(['audit:verify', '--json'], { DATABASE_URL: url, DATA_DIR: testDataDir(src.name) });
    expect(v.code).toBe(0);
    expect(v.json).toMatchObject({ entries: before.chain, ok: true, problems: [] });
    expect(v.json.checkpoints.checked).toBeGreaterThanOrEqual(2);
    // Without the DATA_DIR (its audit key), the restored checkpoints cannot be held to a key: the keys are backed up too.
    const elsewhere = await runCli(['audit:verify', '--json'], { DATABASE_URL: url, DATA_DIR: join(dir, 'another-data-dir') });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.json.problems.map((p: { kind: string }) => p.kind)).toContain('checkpoint-forged');
  });

  it('says so when an older backup is restored: the checkpoints signed after it are longer than its chain (tail-deleted)', async () => {
    const url = await newDatabase('restored_old');
    await run('pg_restore', ['--exit-on-error', '--no-owner', `--dbname=${url}`, join(dir, 'first.dump')]);
    expect(await counts(url)).toEqual(atFirstDump);
    const v = await runCli(['audit:verify', '--json'], { DATABASE_URL: url, DATA_DIR: testDataDir(src.name) });
    expect(v.code).toBe(1);
    expect(v.json.ok).toBe(false);
    expect(v.json.problems.map((p: { kind: string }) => p.kind)).toContain('tail-deleted');
  });

  it('checks an archive of the audit trail alone, restored into a migrated database', async () => {
    const archive = await createTestDb('restore-audit');
    try {
      await run('pg_restore', ['--exit-on-error', '--data-only', '--disable-triggers', `--dbname=${archive.url}`, join(dir, 'audit.dump')]);
      const v = await runCli(['audit:verify', '--json'], { DATABASE_URL: archive.url, DATA_DIR: testDataDir(src.name) });
      expect(v.code).toBe(0);
      expect(v.json).toMatchObject({ entries: (await counts(src.url)).chain, ok: true, problems: [] });
    } finally {
      await archive.drop();
    }
  });
});
