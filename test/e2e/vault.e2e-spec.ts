import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { newKeyLine } from '../../src/mailing/vault-keys';
import { generateDevelopmentIssuer } from '../../src/opposition/crl-signer';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testDataDir, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

/**
 * The PIN/PUK vault in the built processes: the worker issues the codes of approved orders
 * (sealed under the development key it generates in DATA_DIR outside production), vault:rotate
 * re-wraps them under a key added to VAULT_KEY_FILE, and production refuses to run without one.
 */
describe('the PIN/PUK vault (worker and vault:rotate)', () => {
  let db: TestDb;
  let pg: Client;
  let api: Service & { url: string };
  let worker: Service | undefined;
  let env: Record<string, string>;
  let root: string;
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => api.url, tokens);
  const count = async (sql: string, params: unknown[] = []) => (await pg.query(sql, params)).rows[0].n as number;
  /** A key file of these lines, mode 600 (unless told). */
  const keyFile = (name: string, text: string, mode = 0o600) => {
    const f = join(root, name);
    writeFileSync(f, text, { mode });
    chmodSync(f, mode);
    return f;
  };

  beforeAll(async () => {
    db = await createTestDb('vault');
    root = mkdtempSync(join(tmpdir(), 'cps-vault-'));
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('vault'), OUTBOX_RELAY_INTERVAL_MS: '100' };
    api = await startApi(env);
    for (const who of ['alice', 'bob']) tokens[who] = (await createToken(env, 'operator', who)).token;
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('gives every approved order its codes (by policy, and one approved over the API), sealed under a development key made in DATA_DIR, mode 600', async () => {
    const created = await call('POST', '/api/v1/orders', 'alice', {
      nationalId: '810000000355',
      professionCode: '80',
      cardType: 'CPS',
      reason: 'manual',
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    expect((await call('POST', `/api/v1/orders/${id}/approve`, 'bob')).status).toBe(200);
    expect(await count(`SELECT count(*)::int AS n FROM order_codes`)).toBe(0); // no worker yet: nothing issued by the API
    worker = startWorker(env);
    await eventually(
      async () => (await count(`SELECT count(*)::int AS n FROM order_codes WHERE order_id = $1`, [id])) === 1,
      60_000,
      'the codes of the order approved over the API',
    );
    // the next day's newcomers and changed holders get orders approved by policy (registry events), and codes for each
    expect((await runCli(['rpps:import', day2, '--json'], env)).json.status).toBe('applied');
    const events = await count(`SELECT count(*)::int AS n FROM rpps_event`);
    await eventually(
      async () =>
        (await count(`SELECT count(*)::int AS n FROM consumed_registry_event`)) === events &&
        (await count(`SELECT count(*)::int AS n FROM outbox WHERE consumed_at IS NULL`)) === 0,
      60_000,
      'every message handled',
    );
    expect(await count(`SELECT count(*)::int AS n FROM card_order WHERE status = 'approved' AND approved_by = 'policy'`)).toBeGreaterThan(
      1,
    );
    expect(
      await count(
        `SELECT count(*)::int AS n FROM card_order o WHERE status = 'approved' AND NOT EXISTS (SELECT 1 FROM order_codes c WHERE c.order_id = o.id)`,
      ),
    ).toBe(0);
    const dir = join(testDataDir(db.name), 'keys');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'vault.keys')).mode & 0o777).toBe(0o600);
    const [devId] = readFileSync(join(dir, 'vault.keys'), 'utf8').match(/^dev-\d{8}-[0-9a-f]{6}(?= )/m)!;
    expect((await pg.query(`SELECT DISTINCT key_id FROM order_codes`)).rows).toEqual([{ key_id: devId }]);
  });

  it('vault:rotate re-wraps every order to the key appended to VAULT_KEY_FILE, then needs that key only, and refuses when the sealing key is gone; audited', async () => {
    const n = await count(`SELECT count(*)::int AS n FROM order_codes`);
    const devLines = readFileSync(join(testDataDir(db.name), 'keys', 'vault.keys'), 'utf8');
    const newLine = newKeyLine('prod-2026-12');
    const both = keyFile('both.keys', devLines + newLine);
    const r = await runCli(['vault:rotate', '--json'], { ...env, VAULT_KEY_FILE: both });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.json).toEqual({ rewrapped: n, alreadyCurrent: 0, remaining: 0, currentKeyId: 'prod-2026-12' });
    expect((await pg.query(`SELECT key_id, count(*)::int AS n FROM order_codes GROUP BY key_id`)).rows).toEqual([
      { key_id: 'prod-2026-12', n },
    ]);
    const onlyNew = keyFile('new.keys', newLine);
    const again = await runCli(['vault:rotate', '--json'], { ...env, VAULT_KEY_FILE: onlyNew });
    expect(again.json).toEqual({ rewrapped: 0, alreadyCurrent: n, remaining: 0, currentKeyId: 'prod-2026-12' });
    const audit = (await pg.query(`SELECT actor, entity_id, details FROM audit_log WHERE action = 'vault.rotate' ORDER BY id`)).rows;
    expect(audit).toHaveLength(2);
    expect(audit[0]).toEqual(
      expect.objectContaining({ entity_id: 'prod-2026-12', details: expect.objectContaining({ rewrapped: n, alreadyCurrent: 0 }) }),
    );
    expect(audit[0].actor).toMatch(/^host:/);

    // the key that sealed them all removed from the file: refused, naming the key and how many
    const lost = await runCli(['vault:rotate', '--json'], { ...env, VAULT_KEY_FILE: keyFile('lost.keys', newKeyLine('other')) });
    expect(lost.code).toBe(1);
    expect(lost.json.error.code).toBe('vault_key_missing');
    expect(lost.json.error.message).toContain(`${n} orders have codes sealed under vault key "prod-2026-12", which is not configured`);
  });

  it('refuses a VAULT_KEY_FILE its group may read, and a malformed one, naming the file, the line and the fix', async () => {
    const loose = keyFile('loose.keys', newKeyLine('a'), 0o640);
    const r = await runCli(['vault:rotate', '--json'], { ...env, VAULT_KEY_FILE: loose });
    expect(r.code).toBe(1);
    expect(r.json.error).toEqual({
      code: 'vault_keys_invalid',
      message: `VAULT_KEY_FILE: "${loose}" is accessible to its group or others (mode 640); a private key must be readable by its owner only: chmod 600 ${loose}`,
    });
    const bad = keyFile('bad.keys', `${newKeyLine('a')}a ${Buffer.alloc(32).toString('base64')}\n`);
    const twice = await runCli(['vault:rotate', '--json'], { ...env, VAULT_KEY_FILE: bad });
    expect(twice.json.error.message).toBe(`VAULT_KEY_FILE (${bad}), line 2: key id "a" is already used on line 1; key ids are unique`);
  });

  it('in production, refuses to start the worker without VAULT_KEY_FILE, and vault:rotate too', async () => {
    const issuer = await generateDevelopmentIssuer('CN=CPx test production issuer,O=Test agency,C=FR');
    const prod = {
      ...env,
      NODE_ENV: 'production',
      DATA_DIR: join(root, 'prod-data'),
      CRL_SIGNING_KEY_FILE: keyFile('crl-key.pem', issuer.keyPem),
      CRL_ISSUER_CERT_FILE: keyFile('crl.crt', issuer.certPem, 0o644),
      AUDIT_SIGNING_KEY_FILE: keyFile(
        'audit-key.pem',
        generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ),
    };
    const bad = startWorker(prod);
    const code = await new Promise<number | null>((resolve) => bad.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(bad.output()).toContain('VAULT_KEY_FILE is required in production');
    const cli = await runCli(['vault:rotate', '--json'], prod);
    expect(cli.code).toBe(1);
    expect(cli.json.error.code).toBe('vault_keys_required');
    expect(() => statSync(join(root, 'prod-data', 'keys'))).toThrow(/ENOENT/); // nothing generated
  });
});
