import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { apiCaller, createToken } from '../support/http';
import { crlText, openssl, verifyCrl } from '../support/openssl';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

describe('opposition through the API, the CLI and the worker', () => {
  let db: TestDb;
  let pg: Client;
  let api: Service & { url: string };
  let worker: Service;
  let env: Record<string, string>;
  let dataDir: string;
  const tokens: Record<string, string> = {};
  const declaration = { reason: 'loss', channel: 'phone', verification: 'caller named the card number and date of birth' };

  const call = apiCaller(() => api.url, tokens);
  const validCards = async (): Promise<string[]> =>
    (await pg.query(`SELECT card_number FROM card WHERE state = 'active' AND valid_until >= current_date ORDER BY card_number`)).rows.map(
      (r) => r.card_number,
    );

  beforeAll(async () => {
    db = await createTestDb('opposition-e2e');
    dataDir = mkdtempSync(join(tmpdir(), 'cps-opposition-e2e-'));
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('opposition-e2e'),
      DATA_DIR: dataDir,
      CRL_DELTA_DELAY_MS: '2000',
    };
    api = await startApi(env);
    for (const [who, role] of [
      ['hd', 'helpdesk'],
      ['op', 'operator'],
      ['auditor', 'auditor'],
      ['batch', 'batch'],
    ]) {
      tokens[who] = (await createToken(env, role, who)).token;
    }
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
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 50 concurrent declarations on one card with one opposition: one 201, 49 times 200, all naming it', async () => {
    const [n] = await validCards();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call('POST', `/api/v1/cards/${n}/oppositions`, i % 2 ? 'hd' : 'op', declaration)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies[0]).toEqual(expect.objectContaining({ cardNumber: n, reason: 'loss', channel: 'phone' }));
    expect((await pg.query(`SELECT count(*)::int AS n FROM opposition WHERE card_number = $1`, [n])).rows[0].n).toBe(1);
    const status = await (await call('GET', `/api/v1/cards/${n}/status`, 'batch')).json();
    expect(status).toEqual({ cardNumber: n, status: 'opposed', reason: 'loss', opposedAt: bodies[0].opposedAt });
  });

  it('answers the status route for any role: valid, opposed or unknown; 400 for a malformed number; 401 without a token', async () => {
    const [, valid] = await validCards();
    for (const who of ['hd', 'op', 'auditor', 'batch']) {
      expect(await (await call('GET', `/api/v1/cards/${valid}/status`, who)).json()).toEqual({ cardNumber: valid, status: 'valid' });
    }
    expect(await (await call('GET', `/api/v1/cards/0000000000/status`, 'batch')).json()).toEqual({
      cardNumber: '0000000000',
      status: 'unknown',
    });
    const bad = await call('GET', `/api/v1/cards/12ab/status`, 'batch');
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toMatch(/expected 10 digits/);
    expect((await call('GET', `/api/v1/cards/${valid}/status`, null)).status).toBe(401);
  });

  it('refuses a declaration from a role other than helpdesk and operator, and bad input with a problem naming it', async () => {
    const [, n] = await validCards();
    expect((await call('POST', `/api/v1/cards/${n}/oppositions`, 'auditor', declaration)).status).toBe(403);
    const bad = await call('POST', `/api/v1/cards/${n}/oppositions`, 'hd', { reason: 'lost', channel: 'phone' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(await bad.json()).toEqual(
      expect.objectContaining({ code: 'validation_failed', detail: expect.stringMatching(/reason: .*verification: required/) }),
    );
    expect((await call('GET', `/api/v1/cards/${n}/status`, 'hd').then((r) => r.json())).status).toBe('valid');
  });

  it('sweeps expired cards with expiry:run --as-of and publishes a verified CRL with crl:publish, served at /opposition/crl', async () => {
    // The first sweep after the card base import opposes more than EXPIRY_MAX_SHARE of the cards: confirmed once, at the host.
    const exp = await runCli(['expiry:run', '--as-of', '2026-11-26', '--confirm-mass-change', '--json'], env);
    expect(exp.code).toBe(0);
    expect(exp.json).toEqual(
      expect.objectContaining({ status: 'applied', cardsExpired: expect.any(Number), oppositionsCreated: expect.any(Number) }),
    );
    expect(exp.json.cardsExpired).toBeGreaterThan(0);
    expect((await runCli(['expiry:run', '--as-of', '2026-11-26', '--json'], env)).json).toEqual(
      expect.objectContaining({ status: 'applied', cardsExpired: 0, oppositionsCreated: 0 }),
    );
    const badDate = await runCli(['expiry:run', '--as-of', 'tomorrow', '--json'], env);
    expect(badDate.code).toBe(2);
    expect(badDate.json.error.message).toContain('YYYY-MM-DD');

    const pub = await runCli(['crl:publish', '--json'], env);
    expect(pub.code).toBe(0);
    expect(pub.json).toEqual({
      crlNumber: expect.any(Number),
      entries: expect.any(Number),
      thisUpdate: expect.any(String),
      nextUpdate: expect.any(String),
      path: expect.stringMatching(/full-\d+\.crl$/),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(new Date(pub.json.nextUpdate).getTime() - new Date(pub.json.thisUpdate).getTime()).toBe(24 * 3600_000);

    const crl = await call('GET', '/opposition/crl', null);
    expect(crl.status).toBe(200);
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
    const again = await fetch(`${api.url}/opposition/crl`, { headers: { 'if-none-match': crl.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(crl.headers.get('x-crl-number')).toBe(String(pub.json.crlNumber));
    const file = join(dataDir, 'served.crl');
    writeFileSync(file, Buffer.from(await crl.arrayBuffer()));
    const issuer = await call('GET', '/opposition/issuer.crt', null);
    expect(issuer.status).toBe(200);
    const issuerFile = join(dataDir, 'served-issuer.crt');
    writeFileSync(issuerFile, await issuer.text());
    expect(verifyCrl(file, issuerFile)).toMatch(/verify OK/);
    // the issuer generated outside production says so, and so does /health
    expect(openssl('x509', '-in', issuerFile, '-noout', '-subject')).toMatch(
      /^subject=CN\s*=\s*CPx development CRL issuer - not for production, O\s*=\s*CPx back-office \(development\)/,
    );
    expect(await (await call('GET', '/health', null)).json()).toEqual(expect.objectContaining({ status: 'ok', profile: 'test' }));
    const t = crlText(file);
    const metrics = await (await call('GET', '/metrics', null)).text();
    expect(metrics).toContain(`cps_crl_number{kind="full"} ${pub.json.crlNumber}`);
    expect(metrics).toContain(`cps_crl_next_update_timestamp_seconds{kind="full"} ${new Date(pub.json.nextUpdate).getTime() / 1000}`);
    expect(metrics).toContain(`cps_crl_entries{kind="delta"} 0`);
    expect(t.crlNumber).toBe(BigInt(pub.json.crlNumber));
    expect(t.entries).toBe(pub.json.entries);
    // the imported opposed cards (handed over by cards:import) and the loss declared above are on it
    expect([...t.reasons.values()]).toContain('Key Compromise');
  });

  it('has the worker publish a delta CRL shortly after a declaration, naming the full CRL as its base', async () => {
    worker = startWorker(env);
    const base = (await pg.query(`SELECT max(crl_number)::text AS n FROM crl_publication WHERE kind = 'full'`)).rows[0].n as string;
    const [, n] = await validCards();
    const r = await call('POST', `/api/v1/cards/${n}/oppositions`, 'hd', { ...declaration, reason: 'theft', invalidityDate: '2026-11-25' });
    expect(r.status).toBe(201);
    const file = join(dataDir, 'served-delta.crl');
    await eventually(
      async () => {
        const d = await call('GET', '/opposition/delta-crl', null);
        if (d.status !== 200) return false;
        writeFileSync(file, Buffer.from(await d.arrayBuffer()));
        return crlText(file).reasons.has(n);
      },
      30_000,
      `a delta CRL listing ${n}`,
    );
    const t = crlText(file);
    expect(t.deltaBase).toBe(BigInt(base));
    expect(t.reasons.get(n)).toBe('Key Compromise');
    expect(t.invalidityDates.get(n)).toMatch(/Nov 25 00:00:00 2026 GMT/);
    writeFileSync(join(dataDir, 'issuer2.crt'), await (await call('GET', '/opposition/issuer.crt', null)).text());
    expect(verifyCrl(file, join(dataDir, 'issuer2.crt'))).toMatch(/verify OK/);
  });

  it('folds the oppositions of one debounce window into a single delta CRL', async () => {
    const deltas = async () => (await pg.query(`SELECT count(*)::int AS n FROM crl_publication WHERE kind = 'delta'`)).rows[0].n as number;
    // the delta of the previous test has been published: nothing is pending
    await eventually(async () => (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n === 0);
    const before = await deltas();
    const three = (await validCards()).slice(0, 3);
    const answers = await Promise.all(
      three.map((n) => call('POST', `/api/v1/cards/${n}/oppositions`, 'hd', { ...declaration, reason: 'malfunction' })),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const [row] = await eventually(
      async () => {
        const r = (await pg.query(`SELECT path, entries FROM crl_publication WHERE kind = 'delta' ORDER BY crl_number DESC LIMIT 1`)).rows;
        return (await deltas()) > before ? r : undefined;
      },
      30_000,
      'a new delta CRL',
    );
    await new Promise((r) => setTimeout(r, 3000)); // a second delta would come by now
    expect(await deltas()).toBe(before + 1);
    const listed = crlText(join(dataDir, row.path)).reasons;
    for (const n of three) expect(listed.has(n)).toBe(true);
  });
});
