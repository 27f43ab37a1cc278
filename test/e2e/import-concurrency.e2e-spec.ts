import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { generateRegistryDay1 } from '../../bench/generators/rpps-generator';
import { registrySnapshot } from '../support/context';
import { CliRun, runCli, spawnCli } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const PERSONS = 40_000;
const STAMP = '202601040600'; // a day past: an extract is never dated after today

/** The registry in comparable form: per part, the sorted digests of its rows (events and outbox included). */
async function comparable(pg: Client) {
  const ds = { query: async (sql: string, params?: unknown[]) => (await pg.query(sql, params)).rows } as unknown as DataSource;
  const s = await registrySnapshot(ds);
  const digest = (rows: unknown[]) => rows.map((r) => createHash('sha1').update(JSON.stringify(r)).digest('base64')).sort();
  return {
    rows: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length])),
    digests: createHash('sha1')
      .update(JSON.stringify(Object.entries(s).map(([k, v]) => [k, digest(v)])))
      .digest('hex'),
  };
}

/** Runs the CLI to its end, keeping what it printed (as runCli does), from a child we spawn ourselves. */
function started(args: string[], env: Record<string, string>): { done: Promise<CliRun> } {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
  return { done };
}

describe('rpps:import run twice at once, and from a .zip', () => {
  let dir: string;
  let txt: string;
  /** A database that gets a single import (the reference), and the one both imports race for. */
  let single: TestDb;
  let raced: TestDb;
  let pgSingle: Client;
  let pg: Client;
  let env: Record<string, string>;
  let reference: Awaited<ReturnType<typeof comparable>>;

  const count = async (table: string) => (await pg.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cps-import-concurrency-'));
    txt = join(dir, `PS_LibreAcces_Personne_activite_${STAMP}.txt`);
    await generateRegistryDay1({ persons: PERSONS, seed: 20270104, layout: 52, out: txt });
    [single, raced] = await Promise.all([createTestDb('import-single'), createTestDb('import-raced')]);
    pgSingle = new Client({ connectionString: single.url });
    pg = new Client({ connectionString: raced.url });
    await Promise.all([pgSingle.connect(), pg.connect()]);
    env = { DATABASE_URL: raced.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('import-concurrency') };
  });

  afterAll(async () => {
    await pgSingle?.end().catch(() => undefined);
    await pg?.end().catch(() => undefined);
    await single?.drop();
    await raced?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets one of two imports started at once run; the other exits 1 with import_in_progress, and the registry is as after one import', async () => {
    // Holding rpps_professional stops whichever import takes the import lock at its comparison,
    // lock still held, until the other one has ended: the two runs overlap however they are scheduled.
    const locker = new Client({ connectionString: raced.url });
    await locker.connect();
    let results: CliRun[];
    let alone: CliRun;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE rpps_professional IN ACCESS EXCLUSIVE MODE');
      const runs = [started(['rpps:import', txt, '--json'], env), started(['rpps:import', txt, '--json'], env)];
      const single1 = runCli(['rpps:import', txt, '--json'], { ...env, DATABASE_URL: single.url });
      // (Should both wait at the lock, that is, both run, they are let go after a while and both succeed: the test fails.)
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([...runs.map((r) => r.done), new Promise((r) => (timer = setTimeout(r, 60_000)))]);
      clearTimeout(timer);
      await locker.query('ROLLBACK');
      results = await Promise.all(runs.map((r) => r.done));
      alone = await single1;
    } finally {
      await locker.end();
    }

    expect(alone.json?.status).toBe('baseline');
    expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
    const ok = results.find((r) => r.code === 0)!;
    const refused = results.find((r) => r.code === 1)!;
    expect(ok.json.status).toBe('baseline');
    expect(ok.json.rowsRead).toBe(alone.json.rowsRead);
    expect(refused.json).toEqual({
      error: { code: 'import_in_progress', message: expect.stringMatching(/another registry import is running/) },
    });
    expect(refused.stderr).toContain('another registry import is running');

    // The refused run left nothing: one import, one job run.
    expect(await count('rpps_import')).toBe(1);
    expect(await count('job_run')).toBe(1);
    reference = await comparable(pgSingle);
    expect(reference.rows.professionals).toBe(PERSONS);
    expect(await comparable(pg)).toEqual(reference);
  });

  it('finds the same extract as a .zip unchanged after the .txt', async () => {
    const zip = join(dir, `PS_LibreAcces_Personne_activite_${STAMP}.zip`);
    execFileSync('zip', ['-j', '-q', zip, txt]);
    const imports = await count('rpps_import');
    const r = await runCli(['rpps:import', zip, '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('unchanged');
    expect(r.json.rowsRead).toBe(reference.rows.situations);
    expect(r.json.rowsRejected).toBe(0);
    expect(Object.values(r.json.events).every((n) => n === 0)).toBe(true);
    expect(await count('rpps_import')).toBe(imports + 1);
    expect(await comparable(pg)).toEqual(reference);
  });

  it('exits 2 on a .zip holding two .txt entries, naming them, and commits nothing', async () => {
    const other = join(dir, `PS_LibreAcces_Personne_activite_202601050600.txt`);
    copyFileSync(txt, other);
    const zip = join(dir, `PS_LibreAcces_Personne_activite_202601050600.zip`);
    execFileSync('zip', ['-j', '-q', zip, txt, other]);
    const before = { imports: await count('rpps_import'), jobs: await count('job_run'), audit: await count('audit_log') };
    const r = await runCli(['rpps:import', zip, '--json'], env);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('unusable_input');
    expect(r.json.error.message).toContain(`"PS_LibreAcces_Personne_activite_${STAMP}.txt"`);
    expect(r.json.error.message).toContain('"PS_LibreAcces_Personne_activite_202601050600.txt"');
    expect(r.stderr).toContain('PS_LibreAcces_Personne_activite_202601050600.txt');
    expect({ imports: await count('rpps_import'), jobs: await count('job_run'), audit: await count('audit_log') }).toEqual(before);
  });
});
