import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { pdfInfo } from '../support/letters';
import { eventually, runCli, spawnCli } from '../support/processes';
import { createTestDb, REDIS_URL, type TestDb, testDataDir, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
/** Enough letters for the drawing to last a few seconds, so that the CLI is killed while it draws. */
const LETTERS = 1000;

/**
 * A card-letter batch whose CLI process is killed (SIGKILL) while it draws the PDF (issue 11,
 * item 3): the batch stays unfinished; the next run finishes it, resumed, with the same letters
 * in the same order, each once, none missing, and a PDF of one page per letter.
 */
describe('mailing:batch killed while it draws its letters', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDb('mailing-interrupted');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('mailing-interrupted'), HELPDESK_PHONE: '01 45 67 89 10' };
    const imported = await runCli(['rpps:import', day1, '--json'], env);
    expect(imported.code).toBe(0);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    // LETTERS personalized cards of the registry's professionals (closed orders: several per holder), their card letters waiting.
    await pg.query(
      `WITH holder AS (SELECT row_number() OVER (ORDER BY national_id) - 1 AS i, national_id, profession_code
                         FROM (SELECT DISTINCT ON (p.national_id) p.national_id, p.profession_code FROM rpps_profession p
                                 JOIN rpps_professional r ON r.national_id = p.national_id WHERE r.ceased_at IS NULL
                                ORDER BY p.national_id, p.profession_code) h),
            o AS (INSERT INTO card_order (national_id, profession_code, card_type, reason, status, generation, requested_by)
                  SELECT h.national_id, h.profession_code, 'CPS', 'manual', 'closed', 'CPS4', 'test'
                    FROM generate_series(0, $1 - 1) g JOIN holder h ON h.i = g % (SELECT count(*) FROM holder)
                  RETURNING id, national_id, profession_code),
            c AS (INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code,
                                    valid_from, valid_until, state, order_id, source)
                  SELECT lpad((800000000 + row_number() OVER (ORDER BY id))::text, 10, '0'), 'CPS', 'CPS4', national_id, national_id,
                         profession_code, DATE '2026-11-30', DATE '2032-11-29', 'personalized', id, 'order' FROM o
                  RETURNING card_number, order_id)
       INSERT INTO mailing_letter (kind, card_number, order_id, state) SELECT 'card-letter', card_number, order_id, 'waiting' FROM c`,
      [LETTERS],
    );
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('finishes the batch on the next run: the same letters, once each, none missing', async () => {
    const child = spawnCli(['mailing:batch', '--kind', 'card-letter', '--json'], env);
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const spool = join(testDataDir(db.name), 'mailing');
    const drawing = () => (existsSync(spool) ? readdirSync(spool).filter((f) => f.endsWith('.part')) : []);
    // Killed once its PDF (a temporary file until it is finished) has some pages' worth of bytes.
    const [part] = await eventually(
      async () => {
        const parts = drawing();
        return parts.length === 1 && statSync(join(spool, parts[0])).size > 64 * 1024 && parts;
      },
      60_000,
      `the CLI drawing its letters in ${spool} (${output})`,
    );
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    const [before] = (await pg.query(`SELECT id, state, letters FROM mailing_batch`)).rows;
    expect(before).toMatchObject({ state: 'rendering', letters: LETTERS });
    const order = (await pg.query(`SELECT card_number, sequence FROM mailing_letter WHERE batch_id = $1 ORDER BY sequence`, [before.id]))
      .rows;
    expect(order).toHaveLength(LETTERS);
    expect(drawing()).toEqual([part]); // what it was drawing is still there

    await sleep(100);
    const again = await runCli(['mailing:batch', '--kind', 'card-letter', '--json'], env);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ batchId: before.id, resumed: true, letters: LETTERS, pages: LETTERS });
    expect(Number(pdfInfo(again.json.path).Pages)).toBe(LETTERS);
    expect(readdirSync(spool).sort()).toEqual(['batch-1-card-letter.manifest.csv', 'batch-1-card-letter.pdf']);
    // The same letters in the same order, each once.
    expect(
      (await pg.query(`SELECT card_number, sequence FROM mailing_letter WHERE batch_id = $1 ORDER BY sequence`, [before.id])).rows,
    ).toEqual(order);
    const [letters] = (
      await pg.query(`SELECT count(*)::int AS n, count(DISTINCT card_number)::int AS cards, count(*) FILTER (WHERE state = 'batched')::int
                        AS batched FROM mailing_letter WHERE kind = 'card-letter'`)
    ).rows;
    expect(letters).toEqual({ n: LETTERS, cards: LETTERS, batched: LETTERS });
    const manifest = readFileSync(again.json.manifestPath, 'utf8').trim().split(/\r?\n/).slice(1);
    expect(manifest).toHaveLength(LETTERS);
    const sequences = manifest.map((row) => Number(row.split(/[;,]/)[1]));
    expect(new Set(sequences).size).toBe(LETTERS);
    expect(Math.min(...sequences)).toBe(1);
    expect(Math.max(...sequences)).toBe(LETTERS);
    // Nothing more is due.
    const third = await runCli(['mailing:batch', '--kind', 'card-letter', '--json'], env);
    expect(third.json).toMatchObject({ batchId: null, letters: 0 });
  });
});
