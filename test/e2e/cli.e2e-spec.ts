import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runCli } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');

describe('the CLI (node dist/src/cli.js)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let pg: Client;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDb('cli');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('cli') };
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    dir = mkdtempSync(join(tmpdir(), 'cps-cli-'));
  });
  afterAll(async () => {
    await pg.end();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = async (table: string) => (await pg.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  it('exits 2 naming a missing required column, and commits nothing', async () => {
    const text = readFileSync(day1, 'utf8').replace("|Nom d'exercice|", '|Nom|');
    const p = join(dir, 'PS_LibreAcces_Personne_activite_202611250600.txt');
    writeFileSync(p, text);
    const r = await runCli(['rpps:import', p, '--json'], env);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('unusable_input');
    expect(r.json.error.message).toContain(`"Nom d'exercice"`);
    expect(r.stderr).toContain(`"Nom d'exercice"`);
    expect(await count('rpps_import')).toBe(0);
    expect(await count('rpps_professional')).toBe(0);
    expect(await count('audit_log')).toBe(0);
  });

  it('exits 2 on a file that does not exist and on an unknown option', async () => {
    expect((await runCli(['rpps:import', join(dir, 'nope.txt'), '--json'], env)).code).toBe(2);
    expect((await runCli(['rpps:import', day1, '--no-such-flag'], env)).code).toBe(2);
    expect((await runCli(['no:such:command'], env)).code).toBe(2);
  });

  it('stops at start-up naming a bad configuration variable', async () => {
    const r = await runCli(['audit:verify', '--json'], { ...env, ENCODER_DRIVER: 'usb', PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ENCODER_DRIVER');
    expect(r.stderr).toContain('PORT');
    // --json: the failure is one JSON object on stdout too
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.json.error).toEqual({ code: 'invalid_configuration', message: expect.stringContaining('ENCODER_DRIVER') });
  });

  it('imports day 1 then day 2 and prints one JSON object with the contract keys', async () => {
    const a = await runCli(['rpps:import', day1, '--json'], env);
    expect(a.code).toBe(0);
    expect(a.json.status).toBe('baseline');
    const b = await runCli(['rpps:import', day2, '--json'], env);
    expect(b.code).toBe(0);
    for (const k of ['importId', 'status', 'rowsRead', 'rowsAccepted', 'rowsRejected', 'rejects', 'events'])
      expect(b.json).toHaveProperty(k);
    expect(Object.keys(b.json.events).sort()).toEqual([
      'CEASED',
      'IDENTIFIER_MIGRATED',
      'IDENTITY_CHANGED',
      'NEW_PROFESSIONAL',
      'PROFESSION_ADDED',
      'PROFESSION_REMOVED',
      'SITUATION_CHANGED',
    ]);
    expect(b.json.status).toBe('applied');
    expect(b.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('creates a token shown once, keeping only its hash', async () => {
    const r = await runCli(['tokens:create', '--role', 'operator', '--name', 'desk-1', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json.token).toMatch(/^cps_/);
    const rows = await pg.query(`SELECT * FROM api_token`);
    expect(JSON.stringify(rows.rows)).not.toContain(r.json.token);
    expect((await runCli(['tokens:create', '--role', 'superuser', '--name', 'x', '--json'], env)).code).toBe(2);
  });

  it('has audit:verify name the audit entry that was changed in the database', async () => {
    // no worker here: audit:checkpoint links the queued entries and signs their checkpoint
    const cp = await runCli(['audit:checkpoint', '--json'], env);
    expect(cp.code).toBe(0);
    expect(cp.json).toMatchObject({
      size: expect.any(Number),
      head: expect.stringMatching(/^[0-9a-f]{64}$/),
      signedAt: expect.any(String),
    });
    const ok = await runCli(['audit:verify', '--json'], env);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ entries: cp.json.size, ok: true, firstBadEntry: null, checkpoints: { checked: 1 } });
    expect(ok.json.entries).toBeGreaterThanOrEqual(3);

    // The table refuses changes; someone with the database's own powers goes around it.
    await expect(pg.query(`UPDATE audit_log SET actor = 'x' WHERE id = (SELECT min(id) FROM audit_log)`)).rejects.toThrow(/append-only/);
    const { rows } = await pg.query(`SELECT id::text AS id FROM audit_log ORDER BY id OFFSET 1 LIMIT 1`);
    const victim = rows[0].id as string;
    await pg.query('BEGIN');
    await pg.query(`SET LOCAL session_replication_role = replica`);
    await pg.query(`UPDATE audit_log SET details = details || '{"rowsRead": 1}'::jsonb WHERE id = $1`, [victim]);
    await pg.query('COMMIT');

    const bad = await runCli(['audit:verify', '--json'], env);
    expect(bad.code).toBe(1);
    expect(bad.json).toMatchObject({ entries: ok.json.entries, ok: false, firstBadEntry: victim });
    expect(bad.json.problems[0]).toMatchObject({
      kind: 'entry-changed',
      entry: victim,
      contradicts: { size: cp.json.size, signedAt: cp.json.signedAt },
    });
  });
});
