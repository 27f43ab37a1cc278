import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { parisDate } from '../../src/common/clock/clock';
import type { CardCodes } from '../../src/mailing/pin-codes';
import { codeLeakNames, codeLeakPatterns, findCodeLeaks, plantedCodeForms } from '../support/code-leaks';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { dumpRedis } from '../support/redis-dump';
import { createTestDb, REDIS_URL, type TestDb, testDataDir, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
/** First issues ordered over the API and approved by a second operator. */
const ORDERS = 12;

/** Every file under `dir`, with its path. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}
const pdfText = (file: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });

/**
 * The letters of the codes through the built processes (issue 11, item 1): orders approved over
 * the API, personalized by the worker's simulated station, their card letters batched by the
 * CLI and printed, then their PIN letters two days later. The codes are read out of the PIN
 * letters' PDF with pdftotext; none is found in a dump of the database, in any Redis key or
 * job, in the processes' logs, in the manifests, in the card letters, or in any other file of
 * the spool. The PIN letters' batch is recorded printed on its day (an API whose clock is two
 * days on: CLOCK_NOW), not before, and its PDF is then deleted. A returned letter of the codes
 * opposes its card, destroys its codes and orders a replacement.
 */
describe('the codes leave the system only in the letters of the codes', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let prefix: string;
  let api: Service & { url: string };
  let worker: Service;
  let pg: Client;
  let redis: IORedis;
  const cliLogs: string[] = [];
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => api.url, tokens);
  let pinPdf: string;
  /** The codes read out of the letters of the codes, by the last 4 digits of their card. */
  const read = new Map<string, CardCodes>();

  const cli = async (args: string[]) => {
    const r = await runCli(args, env);
    cliLogs.push(r.stdout, r.stderr);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    return r.json;
  };
  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await pg.query(sql, params)).rows[0].n;

  beforeAll(async () => {
    db = await createTestDb('mailing-leaks');
    prefix = testQueuePrefix('mailing-leaks');
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      OUTBOX_RELAY_INTERVAL_MS: '100',
      LOG_LEVEL: 'debug',
      HELPDESK_PHONE: '01 45 67 89 10',
    };
    api = await startApi(env);
    worker = startWorker({ ...env, ENCODER_DRIVER: 'simulated' });
    for (const who of ['alice', 'bob']) tokens[who] = (await createToken(env, 'operator', who)).token;
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    redis?.disconnect();
    await db?.drop();
  });

  it('mails the card letters, then the letters of the codes two days later, each holding its own codes', async () => {
    await cli(['rpps:import', day1, '--json']);
    const pairs = (
      await pg.query(`SELECT DISTINCT ON (national_id) national_id AS "nationalId", profession_code AS "professionCode"
                        FROM rpps_profession ORDER BY national_id, profession_code LIMIT ${ORDERS}`)
    ).rows;
    for (const p of pairs) {
      const r = await call('POST', '/api/v1/orders', 'alice', { ...p, cardType: 'CPS', reason: 'first-issue' });
      expect(r.status).toBe(201);
      const approved = await call('POST', `/api/v1/orders/${(await r.json()).id}/approve`, 'bob');
      expect(approved.status).toBe(200);
    }
    // Personalized by the worker's station; their card letters waiting (the card.personalized event consumed).
    await eventually(
      async () =>
        (await count(`SELECT count(*)::int AS n FROM mailing_letter WHERE kind = 'card-letter' AND state = 'waiting'`)) === ORDERS,
      60_000,
      'the card letters of the personalized cards',
    );

    const cards = await cli(['mailing:batch', '--kind', 'card-letter', '--json']);
    expect(cards).toMatchObject({ kind: 'card-letter', letters: ORDERS });
    const printed = await call('POST', `/api/v1/mailing/batches/${cards.batchId}/printed`, 'alice');
    expect([printed.status, (await printed.json()).cardsSent]).toEqual([200, ORDERS]);

    const inTwoDays = parisDate(new Date(Date.now() + 2 * 24 * 3600 * 1000));
    const pins = await cli(['mailing:batch', '--kind', 'pin-letter', '--as-of', inTwoDays, '--json']);
    expect(pins).toMatchObject({ kind: 'pin-letter', letters: ORDERS });
    pinPdf = pins.path;
    for (const page of pdfText(pinPdf)
      .split('\f')
      .filter((p) => p.trim())) {
      const flat = page.replace(/\s+/g, ' ');
      const last4 = /se terminant par ([0-9]{4})/.exec(flat)?.[1];
      const pin = /Code porteur \(4 chiffres\) ([0-9]{4})(?![0-9])/.exec(flat)?.[1];
      const puk = /Code de déblocage \(8 chiffres\) ([0-9]{8})(?![0-9])/.exec(flat)?.[1];
      expect([last4, pin, puk]).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
      read.set(last4!, { pin: pin!, puk: puk! });
    }
    expect(read.size).toBe(ORDERS);
    expect(new Set([...read.values()].map((c) => c.puk)).size).toBe(ORDERS);
  });

  it('finds none of those codes in the database, Redis, the logs, the manifests, the card letters or any other file of the spool', async () => {
    expect(read.size).toBe(ORDERS);
    const dump = execFileSync('pg_dump', ['--inserts', db.url], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1');
    expect(dump).toMatch(/INSERT INTO public\.mailing_letter /); // the letters are in the dump
    const queue = await dumpRedis(redis, prefix);
    expect(queue.text).toMatch(/card\.personalized/); // the mailing module's jobs are in the dump
    const logs = [worker.output(), api.output(), ...cliLogs].join('\n');
    expect(logs).toMatch(/"msg":"card personalized"/); // the worker's debug lines were written, and are searched
    // Byte counts in the access log's headers are masked (a 4-digit one may equal some code by chance); nothing else is.
    const searchedLogs = logs.replace(/"content-length":"[0-9]+"/g, '"content-length":"N"');
    const spool = filesUnder(testDataDir(db.name)).filter((f) => f !== pinPdf);
    const kinds = spool.map((f) => f.replace(/.*\//, '').replace(/[0-9]+/g, 'N'));
    expect(kinds).toEqual(
      expect.arrayContaining([
        'batch-N-card-letter.pdf',
        'batch-N-card-letter.manifest.csv',
        'batch-N-pin-letter.manifest.csv',
        'vault.keys',
      ]),
    );
    const places: Record<string, string> = { 'the database dump': dump, Redis: queue.text, 'the logs': searchedLogs };
    for (const f of spool) {
      places[f] = f.endsWith('.pdf') ? `${pdfText(f)}\n${readFileSync(f).toString('latin1')}` : readFileSync(f).toString('latin1');
      expect(statSync(f).size).toBeGreaterThan(0);
    }
    const found: string[] = [];
    for (const c of read.values()) {
      for (const [where, text] of Object.entries(places)) for (const leak of findCodeLeaks(text, c)) found.push(`${leak} in ${where}`);
      // The search finds each form it looks for when it is there.
      expect(codeLeakNames(findCodeLeaks(`${dump}${plantedCodeForms(c)}`, c))).toEqual(codeLeakPatterns(c).map(([name]) => name));
    }
    expect(found).toEqual([]);
    // And the one file that holds them, does.
    const pinText = pdfText(pinPdf);
    for (const c of read.values()) expect(pinText).toContain(c.puk);
  });

  it('records the letters of the codes printed on their day, not before, and then deletes their PDF (the manifest stays)', async () => {
    const [pinBatch] = (
      await pg.query(`SELECT id, number::int AS number, pdf_path, manifest_path FROM mailing_batch WHERE kind = 'pin-letter'`)
    ).rows;
    expect(pinBatch.pdf_path).toBe(pinPdf);
    const early = await call('POST', `/api/v1/mailing/batches/${pinBatch.id}/printed`, 'alice');
    expect([early.status, (await early.json()).code]).toEqual([409, 'batch_not_due']);
    expect(existsSync(pinPdf)).toBe(true);
    // Two days on (an API whose clock says so; CLOCK_NOW is refused in production).
    const later = await startApi({ ...env, CLOCK_NOW: new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString() });
    try {
      const printed = await apiCaller(() => later.url, tokens)('POST', `/api/v1/mailing/batches/${pinBatch.id}/printed`, 'alice');
      expect([printed.status, await printed.json()]).toEqual([
        200,
        expect.objectContaining({ kind: 'pin-letter', letters: ORDERS, pullOut: [], pdf: 'removed' }),
      ]);
    } finally {
      await later.stop();
    }
    expect(existsSync(pinPdf)).toBe(false);
    expect(existsSync(pinBatch.manifest_path)).toBe(true);
    const [after] = (await pg.query(`SELECT pdf_path FROM mailing_batch WHERE id = $1`, [pinBatch.id])).rows;
    expect(after.pdf_path).toBeNull();
    const removal = (await pg.query(`SELECT actor, details FROM audit_log WHERE action = 'mailing.batch.pdf-removed'`)).rows;
    expect(removal).toEqual([
      {
        actor: 'principal:alice',
        details: { number: pinBatch.number, kind: 'pin-letter', file: `batch-${pinBatch.number}-pin-letter.pdf` },
      },
    ]);
    // No file of the spool holds a code any more.
    for (const f of filesUnder(testDataDir(db.name)).filter((x) => x.endsWith('.pdf'))) {
      const text = pdfText(f);
      for (const c of read.values()) expect(findCodeLeaks(text, c)).toEqual([]);
    }
  });

  it('a returned letter of the codes opposes its card (non-receipt), destroys its codes and orders a replacement', async () => {
    const [letter] = (
      await pg.query(`SELECT id, card_number, order_id FROM mailing_letter WHERE kind = 'pin-letter' ORDER BY sequence LIMIT 1`)
    ).rows;
    const r = await call('POST', `/api/v1/mailing/letters/${letter.id}/returned`, 'alice');
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toMatchObject({ cardNumber: letter.card_number, oppositionRequested: true, replacementOrderId: expect.any(String) });
    // The worker opposes the card, and the codes are destroyed at once.
    await eventually(
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM card c JOIN order_codes k ON k.order_id = c.order_id
            WHERE c.card_number = $1 AND c.state = 'opposed' AND k.destroyed_at IS NOT NULL`,
          [letter.card_number],
        )) === 1,
      30_000,
      'the card opposed and its codes destroyed',
    );
    const [opposition] = (await pg.query(`SELECT reason FROM opposition WHERE card_number = $1`, [letter.card_number])).rows;
    expect(opposition).toEqual({ reason: 'non-receipt' });
    const [replacement] = (await pg.query(`SELECT reason, replaces_card FROM card_order WHERE id = $1`, [body.replacementOrderId])).rows;
    expect(replacement).toEqual({ reason: 'replacement', replaces_card: letter.card_number });
    // A second return of the same letter changes nothing.
    expect((await call('POST', `/api/v1/mailing/letters/${letter.id}/returned`, 'alice')).status).toBe(409);
    // Nor is a returned letter reprinted.
    const reprint = await call('POST', `/api/v1/mailing/letters/${letter.id}/reprint`, 'alice', { reason: 'the holder moved' });
    expect([reprint.status, (await reprint.json()).code]).toEqual([409, 'letter_not_printed']);
  });
});
