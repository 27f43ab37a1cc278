import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { newKeyLine } from '../../src/mailing/vault-keys';
import { generateDevelopmentIssuer } from '../../src/opposition/crl-signer';
import { crlText, verifyCrl } from '../support/openssl';
import { eventually, logLines, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');

/**
 * The production layout: the worker signs CRLs on its host (key and certificate files,
 * DATA_DIR A); the API runs on another host (DATA_DIR B, no shared disk) where the key
 * and certificate paths (and the vault's key file, VAULT_KEY_FILE) are FIFOs that nobody writes to. Opening one for reading would
 * block the API for ever (or, non-blocking, fail its start): it must start, serve the
 * CRLs from PostgreSQL, and never hold any of these paths open.
 */
describe('CRLs signed by the worker on one host, served by an API on another', () => {
  let db: TestDb;
  let pg: Client;
  let api: Service & { url: string };
  let worker: Service | undefined;
  let root: string;
  let apiEnv: Record<string, string>;
  let workerEnv: Record<string, string>;
  let keyFile: string;
  let certFile: string;
  let certPem: string;
  const fifos: string[] = [];
  const seenByApi = new Set<string>();
  let fdWatch: NodeJS.Timeout | undefined;
  let token: string;

  /** Every path the API process holds open, sampled every 10 ms while the tests run. */
  const sampleApiFds = () => {
    const dir = `/proc/${api.child.pid}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch {
      return;
    }
    for (const fd of fds) {
      try {
        seenByApi.add(readlinkSync(join(dir, fd)));
      } catch {
        // closed meanwhile
      }
    }
  };
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });
  const bytesOf = async (r: Response) => Buffer.from(await r.arrayBuffer());
  const publication = async (n: string) =>
    (
      await pg.query(
        `SELECT crl_number::text AS n, kind, path, sha256, this_update AS "thisUpdate", next_update AS "nextUpdate"
           FROM crl_publication WHERE crl_number = $1`,
        [n],
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDb('crl-hosts');
    root = mkdtempSync(join(tmpdir(), 'cps-crl-hosts-'));
    const hostA = join(root, 'worker-host');
    const hostB = join(root, 'api-host');
    const secrets = mkdtempSync(join(root, 'secrets-'));
    const issuer = await generateDevelopmentIssuer('CN=CPx test production issuer,O=Test agency,C=FR');
    certPem = issuer.certPem;
    keyFile = join(secrets, 'crl-key.pem');
    certFile = join(secrets, 'crl-issuer.crt');
    writeFileSync(keyFile, issuer.keyPem, { mode: 0o600 });
    writeFileSync(certFile, certPem);
    // The worker signs audit checkpoints too: in production it needs that key as well.
    const auditKeyFile = join(secrets, 'audit-key.pem');
    writeFileSync(auditKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    // ... and the vault's master keys, to issue the codes of the orders it approves.
    const vaultKeyFile = join(secrets, 'vault.keys');
    writeFileSync(vaultKeyFile, newKeyLine('prod-1'), { mode: 0o600 });
    for (const name of ['key.fifo', 'cert.fifo', 'vault.fifo']) {
      const f = join(root, name);
      execFileSync('mkfifo', ['-m', '600', f]);
      fifos.push(f);
    }
    const common = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('crl-hosts'), NODE_ENV: 'production' };
    apiEnv = {
      ...common,
      DATA_DIR: hostB,
      CRL_SIGNING_KEY_FILE: fifos[0],
      CRL_ISSUER_CERT_FILE: fifos[1],
      VAULT_KEY_FILE: fifos[2],
      CRL_REFRESH_SECONDS: '1',
    };
    workerEnv = {
      ...common,
      DATA_DIR: hostA,
      CRL_SIGNING_KEY_FILE: keyFile,
      CRL_ISSUER_CERT_FILE: certFile,
      CRL_DELTA_DELAY_MS: '500',
      AUDIT_SIGNING_KEY_FILE: auditKeyFile,
      VAULT_KEY_FILE: vaultKeyFile,
    };
    api = await startApi(apiEnv);
    fdWatch = setInterval(sampleApiFds, 10);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    clearInterval(fdWatch);
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('starts the API in production without a readable key or certificate; /health names the profile; before any CRL, 503 crl_unavailable', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual(expect.objectContaining({ status: 'ok', profile: 'production' }));
    for (const path of ['/opposition/crl', '/opposition/delta-crl', '/opposition/issuer.crt']) {
      const r = await get(path);
      expect([path, r.status]).toEqual([path, 503]);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(await r.json()).toEqual(
        expect.objectContaining({ status: 503, code: 'crl_unavailable', detail: expect.stringMatching(/none has been published yet/) }),
      );
    }
    // The CLI's commands that do not sign run on the API's host too (same FIFOs): they never read the key either.
    const created = await runCli(['tokens:create', '--role', 'helpdesk', '--name', 'hd', '--json'], apiEnv, { timeoutMs: 60_000 });
    expect(created.code).toBe(0);
    token = created.json.token;
    expect((await runCli(['rpps:import', join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt'), '--json'], apiEnv)).code).toBe(0);
    expect((await runCli(['cards:import', join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'), '--json'], apiEnv)).code).toBe(0);
  });

  it('refuses to sign with a key file readable by its group (the worker stops at start) or by others (crl:publish fails)', async () => {
    const loose = join(root, 'loose-key.pem');
    copyFileSync(keyFile, loose);
    chmodSync(loose, 0o640);
    const bad = startWorker({ ...workerEnv, CRL_SIGNING_KEY_FILE: loose });
    const code = await new Promise<number | null>((resolve) => bad.child.once('exit', resolve));
    expect(code).toBe(1);
    // Its lines are JSON, the start-up failure's too: the message is read from them.
    expect(logLines(bad.output()).find((l) => l.level === 'fatal')?.msg).toContain(
      `CRL_SIGNING_KEY_FILE: "${loose}" is accessible to its group or others (mode 640); a private key must be readable by its owner only: chmod 600 ${loose}`,
    );
    chmodSync(loose, 0o604);
    const cli = await runCli(['crl:publish', '--json'], { ...workerEnv, CRL_SIGNING_KEY_FILE: loose });
    expect(cli.code).toBe(1);
    expect(cli.json.error.message).toContain(`"${loose}" is accessible to its group or others (mode 604)`);
    expect(cli.stderr).toContain(`chmod 600 ${loose}`);
    expect((await pg.query(`SELECT count(*)::int AS n FROM crl_publication`)).rows[0].n).toBe(0);
  });

  it('serves the full CRL the worker published at its start, byte for byte, with ETag, Last-Modified, Expires, X-CRL-Number and 304', async () => {
    worker = startWorker(workerEnv);
    const crl = await eventually(
      async () => {
        const r = await get('/opposition/crl');
        return r.status === 200 ? r : undefined;
      },
      60_000,
      'the full CRL published by the worker, served by the API',
    );
    const served = await bytesOf(crl);
    const pub = await publication(crl.headers.get('x-crl-number')!);
    expect(pub.kind).toBe('full');
    expect(served.equals(readFileSync(join(workerEnv.DATA_DIR, pub.path)))).toBe(true);
    const sha = createHash('sha256').update(served).digest('hex');
    expect(pub.sha256).toBe(sha);
    expect(crl.headers.get('etag')).toBe(`"${sha}"`);
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
    expect(crl.headers.get('last-modified')).toBe(new Date(pub.thisUpdate).toUTCString());
    expect(crl.headers.get('expires')).toBe(new Date(pub.nextUpdate).toUTCString());
    const again = await get('/opposition/crl', { 'if-none-match': crl.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect((await bytesOf(again)).length).toBe(0);
    expect(again.headers.get('etag')).toBe(crl.headers.get('etag'));

    const issuer = await get('/opposition/issuer.crt');
    expect(issuer.status).toBe(200);
    expect(await issuer.text()).toBe(certPem);
    writeFileSync(join(root, 'served.crl'), served);
    expect(verifyCrl(join(root, 'served.crl'), certFile)).toMatch(/verify OK/);
    expect(existsSync(join(apiEnv.DATA_DIR, 'crl'))).toBe(false); // nothing shared, nothing written on the API's host
  });

  it('serves the delta CRL the worker published after a declaration, byte for byte, and 304 on its ETag', async () => {
    const [{ card_number: n }] = (
      await pg.query(`SELECT card_number FROM card WHERE state = 'active' AND valid_until >= current_date ORDER BY card_number LIMIT 1`)
    ).rows;
    const declared = await fetch(`${api.url}/api/v1/cards/${n}/oppositions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'theft', channel: 'phone', verification: 'date of birth checked', invalidityDate: '2026-11-24' }),
    });
    expect(declared.status).toBe(201);
    const file = join(root, 'served-delta.crl');
    const delta = await eventually(
      async () => {
        const r = await get('/opposition/delta-crl');
        if (r.status !== 200) return undefined;
        writeFileSync(file, await bytesOf(r));
        return crlText(file).reasons.has(n) ? r : undefined;
      },
      60_000,
      `a delta CRL listing ${n}`,
    );
    const pub = await publication(delta.headers.get('x-crl-number')!);
    expect(pub.kind).toBe('delta');
    expect(readFileSync(file).equals(readFileSync(join(workerEnv.DATA_DIR, pub.path)))).toBe(true);
    expect(delta.headers.get('etag')).toBe(`"${pub.sha256}"`);
    expect(verifyCrl(file, certFile)).toMatch(/verify OK/);
    expect((await get('/opposition/delta-crl', { 'if-none-match': delta.headers.get('etag')! })).status).toBe(304);
  });

  it('never had the CRL key, the certificate or the vault key path open in the API process', async () => {
    sampleApiFds();
    expect(seenByApi.size).toBeGreaterThan(5); // the sampling saw the API's sockets and files
    for (const f of fifos) expect([...seenByApi].filter((p) => p === f)).toEqual([]);
    // A FIFO with no reader refuses a non-blocking writer (ENXIO): nobody holds any of them open now.
    for (const f of fifos) expect(() => openSync(f, constants.O_WRONLY | constants.O_NONBLOCK)).toThrow(/ENXIO/);
    expect(api.child.exitCode).toBeNull();
  });
});
