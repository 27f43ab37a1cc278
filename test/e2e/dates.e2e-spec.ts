import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testImportDir, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const day3 = join(FIX, 'PS_LibreAcces_Personne_activite_202611270600.txt');
const day3SavoirFaire = join(FIX, 'PS_LibreAcces_SavoirFaire_202611270600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

/**
 * Dates that cannot be undone, through the built CLI, API and worker, on 2026-11-30 in Paris
 * (CLOCK_NOW): no expiry sweep or import after today, a sweep past EXPIRY_MAX_SHARE held until
 * confirmed, an extract's date from its name or given (never the clock), one strict date parser.
 */
describe('dates given to expiry:run, rpps:import and renewals:run (CLOCK_NOW 2026-11-30)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let worker: Service | undefined;
  let pg: Client;
  let redis: IORedis;
  let dir: string;
  let importDir: string;
  const tokens: Record<string, string> = {};

  const call = apiCaller(() => api.url, tokens);
  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await pg.query(sql, params)).rows[0].n;
  const opposedByExpiry = () => count(`SELECT count(*)::int AS n FROM opposition WHERE reason = 'expiry'`);
  const imports = () => count(`SELECT count(*)::int AS n FROM rpps_import`);
  /** The cards a sweep today would oppose (not opposed, ended before 2026-11-30) and the valid ones. */
  const due = () => count(`SELECT count(*)::int AS n FROM card WHERE state <> 'opposed' AND valid_until < '2026-11-30'`);
  const valid = () => count(`SELECT count(*)::int AS n FROM card WHERE state <> 'opposed'`);

  beforeAll(async () => {
    db = await createTestDb('dates');
    dir = mkdtempSync(join(tmpdir(), 'cps-dates-'));
    importDir = testImportDir(db.name);
    mkdirSync(importDir, { recursive: true });
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('dates'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      CLOCK_NOW: '2026-11-30T10:00:00Z',
    };
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    api = await startApi(env);
    for (const [who, role] of [
      ['batch', 'batch'],
      ['op', 'operator'],
    ]) {
      tokens[who] = (await createToken(env, role, who)).token;
    }
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    redis?.disconnect();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('expiry:run', () => {
    it('refuses a future --as-of with exit 2, naming the date and today, and opposes nothing', async () => {
      const r = await runCli(['expiry:run', '--as-of', '2099-01-01', '--json'], env);
      expect(r.code).toBe(2);
      expect(r.json.error.code).toBe('validation_failed');
      expect(r.json.error.message).toMatch(/--as-of 2099-01-01 is after today \(2026-11-30, Europe\/Paris\)/);
      expect(r.stderr).toContain('2099-01-01');
      for (const bad of ['2026-02-30', '06/01/2026']) {
        const b = await runCli(['expiry:run', '--as-of', bad, '--json'], env);
        expect(b.code).toBe(2);
        expect(b.json.error.message).toContain('YYYY-MM-DD');
      }
      expect(await opposedByExpiry()).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM job_run WHERE kind = 'expiry'`)).toBe(0);
    });

    it("records the worker's daily sweep past EXPIRY_MAX_SHARE as held in /api/v1/jobs, and opposes nothing", async () => {
      const [cardsDue, validCards] = [await due(), await valid()];
      expect(cardsDue / validCards).toBeGreaterThan(0.01); // the first sweep after the card base import
      worker = startWorker(env);
      const queue = new Queue('opposition', { connection: redis, prefix: env.QUEUE_PREFIX });
      try {
        await queue.add('expiry.run', {});
      } finally {
        await queue.close();
      }
      const run = await eventually(
        async () => {
          const r = await call('GET', '/api/v1/jobs?kind=expiry', 'op');
          return ((await r.json()).runs as any[]).find((x) => x.state === 'held');
        },
        60_000,
        `a held expiry run (worker output: ${worker.output().slice(-2000)})`,
      );
      expect(run).toEqual(
        expect.objectContaining({
          actor: 'system:scheduler',
          error: null,
          result: expect.objectContaining({
            status: 'held',
            cardsDue,
            validCards,
            cardsExpired: 0,
            maxShare: 0.01,
            heldReason: expect.stringMatching(/would oppose .* EXPIRY_MAX_SHARE/),
            confirmWith: expect.stringMatching(/expiry:run --as-of 2026-11-30 --confirm-mass-change/),
          }),
        }),
      );
      expect(await opposedByExpiry()).toBe(0);
      expect(await due()).toBe(cardsDue);
    });

    it('holds a sweep past the share over the CLI (JSON and text say why, how many, the share, the threshold, how to confirm)', async () => {
      const cardsDue = await due();
      const validCards = await valid();
      const r = await runCli(['expiry:run', '--json'], env);
      expect(r.code).toBe(1);
      expect(r.json).toEqual(
        expect.objectContaining({
          status: 'held',
          asOf: '2026-11-30',
          asOfGiven: false,
          cardsExpired: 0,
          oppositionsCreated: 0,
          cardsDue,
          validCards,
          share: Math.round((cardsDue / validCards) * 1e6) / 1e6,
          maxShare: 0.01,
          confirmWith: 'expiry:run --as-of 2026-11-30 --confirm-mass-change',
        }),
      );
      expect(r.json).not.toHaveProperty('heldCards'); // the same number as cardsDue, said once
      const text = await runCli(['expiry:run'], env);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/HELD, \d+ cards not opposed/);
      expect(text.stdout).toContain(`would oppose ${cardsDue} of ${validCards} valid cards`);
      expect(text.stdout).toMatch(/more than the 1\.0% allowed by EXPIRY_MAX_SHARE/);
      expect(text.stdout).toContain('expiry:run --as-of 2026-11-30 --confirm-mass-change');
      expect(await opposedByExpiry()).toBe(0);
      expect(await due()).toBe(cardsDue);
    });

    it('applies the held sweep when someone at the host confirms it, audited as the host actor', async () => {
      const cardsDue = await due();
      const r = await runCli(['expiry:run', '--as-of', '2026-11-30', '--confirm-mass-change', '--json'], env);
      expect(r.code).toBe(0);
      expect(r.json).toEqual(
        expect.objectContaining({
          status: 'applied',
          asOfGiven: true,
          cardsExpired: cardsDue,
          oppositionsCreated: cardsDue,
          massChangeConfirmed: expect.stringMatching(new RegExp(`^expiry sweep of ${cardsDue} cards confirmed at the host by host:`)),
        }),
      );
      expect(await opposedByExpiry()).toBe(cardsDue);
      expect(await due()).toBe(0);
      const [audit] = (
        await pg.query(`SELECT actor, details FROM audit_log WHERE action = 'opposition.expiry.confirmed' AND entity_id = $1`, [
          r.json.jobRunId,
        ])
      ).rows;
      expect(audit.actor).toMatch(/^host:/);
      expect(audit.details).toEqual(expect.objectContaining({ cardsDue, massChangeConfirmed: r.json.massChangeConfirmed }));
      expect(audit.details.massChangeConfirmed).toContain(audit.actor);
      // The sweeps held earlier for that day (the worker's, the CLI's) are decided: none waits any more.
      const runs = (
        await pg.query(
          `SELECT state, result->>'status' AS status, result->>'confirmedByRun' AS by FROM job_run
            WHERE kind = 'expiry' AND params->>'asOf' = '2026-11-30' AND id <> $1`,
          [r.json.jobRunId],
        )
      ).rows;
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs.filter((x) => x.status !== 'applied')).toEqual(
        runs.filter((x) => x.status !== 'applied').map(() => ({ state: 'succeeded', status: 'confirmed', by: r.json.jobRunId })),
      );
      expect(runs.filter((x) => x.status === 'confirmed').length).toBeGreaterThanOrEqual(2);
      // The next sweep is small again: applied without a confirmation.
      const again = await runCli(['expiry:run', '--json'], env);
      expect(again.code).toBe(0);
      expect(again.json).toEqual(expect.objectContaining({ status: 'applied', cardsExpired: 0, oppositionsCreated: 0 }));
    });
  });

  // (before the imports below: day 3's extract gives its people new identifiers, which leaves no card due)
  describe('renewals:run', () => {
    it('keeps a future --as-of for rehearsals and tests: orders for real, saying in its result, job run and audit entry that the date was given and is after today', async () => {
      const renewalOrders = async () =>
        (await pg.query(`SELECT id::text AS id, status FROM card_order WHERE reason = 'renewal'`)).rows as Array<{
          id: string;
          status: string;
        }>;
      const before = await renewalOrders();
      const given = { asOf: '2027-06-01', asOfGiven: true, asOfAfterToday: true };
      // An explicit dry run counts and orders nothing.
      const dry = await runCli(['renewals:run', '--as-of', '2027-06-01', '--dry-run', '--json'], env);
      expect(dry.code).toBe(0);
      expect(dry.json).toEqual(expect.objectContaining({ ...given, dryRun: true, ordersCreated: 0 }));
      expect(dry.json.ordersWouldCreate).toBeGreaterThan(0);
      expect(await renewalOrders()).toHaveLength(before.length);
      // Without --dry-run, the later day's sweep makes exactly the orders the dry run counted.
      const r = await runCli(['renewals:run', '--as-of', '2027-06-01', '--json'], env);
      expect(r.code).toBe(0);
      expect(r.json).toEqual(
        expect.objectContaining({
          ...given,
          dryRun: false,
          cardsDue: dry.json.cardsDue,
          ordersCreated: dry.json.ordersWouldCreate,
          alreadyOpen: dry.json.alreadyOpen,
        }),
      );
      expect(r.json).not.toHaveProperty('ordersWouldCreate');
      const made = (await renewalOrders()).filter((o) => !before.some((b) => b.id === o.id));
      expect(made).toHaveLength(r.json.ordersCreated);
      for (const o of made) expect(o.status).toBe('approved');
      const [entry] = (await pg.query(`SELECT details FROM audit_log WHERE action = 'renewal.run' AND entity_id = $1`, [r.json.runId]))
        .rows;
      expect(entry.details).toEqual(expect.objectContaining({ ...given, dryRun: false, ordersCreated: made.length }));
      const ordered = (
        await pg.query(`SELECT details FROM audit_log WHERE action = 'renewal.orders' AND entity_id = $1`, [r.json.runId])
      ).rows.flatMap((e) => e.details.orders as string[]);
      expect(ordered.sort()).toEqual(made.map((o) => o.id).sort());
      const [job] = (
        await pg.query(`SELECT j.params FROM job_run j JOIN renewal_run r ON r.job_run_id = j.id WHERE r.id = $1`, [r.json.runId])
      ).rows;
      expect(job.params).toEqual(expect.objectContaining({ ...given, dryRun: false }));
      // The same day again: every due card now has its open order.
      const again = await runCli(['renewals:run', '--as-of', '2027-06-01', '--dry-run', '--json'], env);
      expect(again.json).toEqual(
        expect.objectContaining({ cardsDue: r.json.cardsDue, ordersWouldCreate: 0, alreadyOpen: r.json.cardsDue }),
      );
      for (const bad of ['2026-02-30', '06/01/2026']) {
        const b = await runCli(['renewals:run', '--as-of', bad, '--json'], env);
        expect(b.code).toBe(2);
        expect(b.json.error.message).toContain('YYYY-MM-DD');
      }
    });
  });

  describe('rpps:import and POST /api/v1/imports', () => {
    it('refuses a future --as-of with exit 2 and imports nothing', async () => {
      const before = await imports();
      const r = await runCli(['rpps:import', day2, '--as-of', '2099-12-31', '--json'], env);
      expect(r.code).toBe(2);
      expect(r.json.error.message).toMatch(/--as-of 2099-12-31 is after today \(2026-11-30/);
      expect(await imports()).toBe(before);
    });

    it('never dates a renamed extract from the clock: exit 2 naming both ways to give a date', async () => {
      const before = await imports();
      const renamed = join(dir, 'extract.txt');
      copyFileSync(day2, renamed);
      const r = await runCli(['rpps:import', renamed, '--json'], env);
      expect(r.code).toBe(2);
      expect(r.json.error.code).toBe('unusable_input');
      expect(r.json.error.message).toMatch(/cannot tell the date of the extract "extract\.txt"/);
      expect(r.json.error.message).toMatch(/_YYYYMMDDhhmm/);
      expect(r.json.error.message).toMatch(/--as-of YYYY-MM-DD/);
      expect(await imports()).toBe(before);
    });

    it.each(['2026-02-30', '06/01/2026'])('refuses the impossible date %s with exit 2 naming YYYY-MM-DD (no stack trace)', async (bad) => {
      const before = await imports();
      const r = await runCli(['rpps:import', day2, '--as-of', bad, '--json'], env);
      expect(r.code).toBe(2);
      expect(r.json.error.code).toBe('validation_failed');
      expect(r.json.error.message).toContain(`--as-of "${bad}"`);
      expect(r.json.error.message).toContain('YYYY-MM-DD');
      expect(r.stderr).not.toMatch(/QueryFailedError|\n\s+at /);
      expect(await imports()).toBe(before);
    });

    it('refuses the same dates over the API with a 400 problem naming asOf, and queues nothing', async () => {
      copyFileSync(day2, join(importDir, 'extract.txt'));
      copyFileSync(day2, join(importDir, 'PS_LibreAcces_Personne_activite_202611260600.txt'));
      const jobs = () => count(`SELECT count(*)::int AS n FROM job_run WHERE kind = 'rpps-import'`);
      const [jobsBefore, importsBefore] = [await jobs(), await imports()];
      const name = 'PS_LibreAcces_Personne_activite_202611260600.txt';
      for (const [body, detail] of [
        [{ files: [name], asOf: '2026-02-30' }, /asOf: expected an existing date YYYY-MM-DD/],
        [{ files: [name], asOf: '06/01/2026' }, /asOf: expected an existing date YYYY-MM-DD/],
        [{ files: [name], asOf: '2099-12-31' }, /asOf 2099-12-31 is after today \(2026-11-30/],
        [{ files: ['extract.txt'] }, /"extract\.txt".*no stamp.*give asOf YYYY-MM-DD/],
      ] as const) {
        const r = await call('POST', '/api/v1/imports', 'batch', body);
        expect(r.status).toBe(400);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect((await r.json()).detail).toMatch(detail);
      }
      expect(await jobs()).toBe(jobsBefore);
      expect(await imports()).toBe(importsBefore);
    });

    it('takes a renamed extract with an explicit --as-of; a wrong one is corrected with rpps:import:redate', async () => {
      // The operator imports the 2026-11-26 extract, renamed, and types the wrong date.
      const renamed = join(dir, 'renamed-extract.txt');
      copyFileSync(day2, renamed);
      // No stamp backs the date: the one cessation it would apply waits for a confirmation (well under the ratio).
      const held = await runCli(['rpps:import', renamed, '--as-of', '2026-11-29', '--json'], env);
      expect(held.code).toBe(1);
      expect(held.json).toEqual(
        expect.objectContaining({
          status: 'held',
          asOf: '2026-11-29',
          asOfGiven: true,
          heldReason: expect.stringContaining('its date 2026-11-29 was given, not read from the agency'),
          confirmWith: 'rpps:import renamed-extract.txt --as-of 2026-11-29 --confirm-mass-change',
        }),
      );
      expect(held.json.events.CEASED).toBe(1);
      const wrong = await runCli(['rpps:import', renamed, '--as-of', '2026-11-29', '--confirm-mass-change', '--json'], env);
      expect(wrong.code).toBe(0);
      expect(wrong.json).toEqual(expect.objectContaining({ status: 'applied', asOf: '2026-11-29', asOfGiven: true }));
      const [entry] = (
        await pg.query(`SELECT details FROM audit_log WHERE action = 'rpps.import.applied' AND entity_id = $1`, [wrong.json.importId])
      ).rows;
      expect(entry.details).toEqual(expect.objectContaining({ asOf: '2026-11-29', asOfGiven: true }));
      // The next real extract is refused as older than the registry...
      const refused = await runCli(['rpps:import', day3, day3SavoirFaire, '--json'], env);
      expect(refused.code).toBe(2);
      expect(refused.json.error.message).toMatch(/dated 2026-11-27, older than the registry \(as of 2026-11-29\)/);
      // ... until the date of the wrongly dated import is corrected, at the host, with a reason.
      const id = wrong.json.importId;
      const future = await runCli(['rpps:import:redate', id, '--as-of', '2099-01-01', '--reason', 'typo', '--json'], env);
      expect(future.code).toBe(2);
      expect(future.json.error.message).toContain('2099-01-01');
      const noReason = await runCli(['rpps:import:redate', id, '--as-of', '2026-11-26', '--json'], env);
      expect(noReason.code).toBe(2);
      expect(noReason.json.error.message).toContain('--reason');
      // A refused correction commits nothing: the import keeps its date, the trail has no redate entry.
      const asOfAndRedates = async () =>
        (
          await pg.query(
            `SELECT to_char(i.as_of, 'YYYY-MM-DD') AS "asOf",
                    (SELECT count(*)::int FROM audit_log a WHERE a.action = 'rpps.import.redated' AND a.entity_id = $1) AS redates
               FROM rpps_import i WHERE i.id = $2::uuid`,
            [id, id],
          )
        ).rows[0];
      expect(await asOfAndRedates()).toEqual({ asOf: '2026-11-29', redates: 0 });
      const [first] = (await pg.query(`SELECT id::text AS id FROM rpps_import WHERE as_of = '2026-11-25'`)).rows;
      const notLatest = await runCli(['rpps:import:redate', first.id, '--as-of', '2026-11-24', '--reason', 'x', '--json'], env);
      // A conflict with the registry's state (not a malformed argument): exit 1, a 409-class code.
      expect(notLatest.code).toBe(1);
      expect(notLatest.json.error).toEqual({ code: 'import_not_latest', message: expect.stringMatching(/not the latest import/) });
      const same = await runCli(['rpps:import:redate', id, '--as-of', '2026-11-29', '--reason', 'x', '--json'], env);
      expect(same.code).toBe(1);
      expect(same.json.error).toEqual({ code: 'import_already_dated', message: expect.stringMatching(/already dated 2026-11-29/) });
      const before = await runCli(['rpps:import:redate', id, '--as-of', '2026-11-24', '--reason', 'x', '--json'], env);
      expect(before.code).toBe(2);
      expect(before.json.error.message).toMatch(/before the import preceding it .* as of 2026-11-25/);
      expect(await asOfAndRedates()).toEqual({ asOf: '2026-11-29', redates: 0 });
      const fixed = await runCli(
        ['rpps:import:redate', id, '--as-of', '2026-11-26', '--reason', 'extract of 2026-11-26 imported as 2026-11-29', '--json'],
        env,
      );
      expect(fixed.code).toBe(0);
      expect(fixed.json).toEqual({
        importId: id,
        status: 'applied',
        from: '2026-11-29',
        to: '2026-11-26',
        reason: 'extract of 2026-11-26 imported as 2026-11-29',
        fileStamp: null,
        stampWasWrong: false,
      });
      const [redated] = (
        await pg.query(`SELECT actor, details FROM audit_log WHERE action = 'rpps.import.redated' AND entity_id = $1`, [id])
      ).rows;
      expect(redated.actor).toMatch(/^host:/);
      expect(redated.details).toEqual({
        from: '2026-11-29',
        to: '2026-11-26',
        reason: 'extract of 2026-11-26 imported as 2026-11-29',
        fileStamp: null,
      });
      const next = await runCli(['rpps:import', day3, day3SavoirFaire, '--confirm-mass-change', '--json'], env);
      expect(next.code).toBe(0);
      expect(next.json).toEqual(expect.objectContaining({ asOf: '2026-11-27', asOfGiven: false }));
    });

    it("refuses to redate an import against its file's stamp, unless the command says the stamp was wrong (audited)", async () => {
      const [latest] = (
        await pg.query(
          `SELECT id::text AS id, to_char(as_of, 'YYYY-MM-DD') AS "asOf" FROM rpps_import
            WHERE status IN ('baseline', 'applied', 'unchanged') ORDER BY as_of DESC NULLS LAST, started_at DESC LIMIT 1`,
        )
      ).rows;
      expect(latest.asOf).toBe('2026-11-27'); // PS_LibreAcces_Personne_activite_202611270600.txt
      const redates = () => count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'rpps.import.redated'`);
      const before = await redates();
      const typo = await runCli(['rpps:import:redate', latest.id, '--as-of', '2026-11-29', '--reason', 'typo', '--json'], env);
      expect(typo.code).toBe(2);
      expect(typo.json.error.code).toBe('unusable_input');
      expect(typo.json.error.message).toMatch(
        /--as-of 2026-11-29 contradicts the date in the file name "PS_LibreAcces_Personne_activite_202611270600\.txt" \(2026-11-27\).*--stamp-was-wrong/,
      );
      expect(await redates()).toBe(before);
      const stampWrong = await runCli(
        [
          'rpps:import:redate',
          latest.id,
          '--as-of',
          '2026-11-28',
          '--reason',
          'the agency dated it a day early',
          '--stamp-was-wrong',
          '--json',
        ],
        env,
      );
      expect(stampWrong.code).toBe(0);
      expect(stampWrong.json).toEqual(
        expect.objectContaining({ from: '2026-11-27', to: '2026-11-28', fileStamp: '2026-11-27', stampWasWrong: true }),
      );
      const [entry] = (
        await pg.query(`SELECT details FROM audit_log WHERE action = 'rpps.import.redated' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [
          latest.id,
        ])
      ).rows;
      expect(entry.details).toEqual({
        from: '2026-11-27',
        to: '2026-11-28',
        reason: 'the agency dated it a day early',
        fileStamp: '2026-11-27',
        stampWasWrong: true,
      });
      // Back to its stamp: no flag needed (and the flag is refused where the stamp is not contradicted).
      const flagNotNeeded = await runCli(
        ['rpps:import:redate', latest.id, '--as-of', '2026-11-27', '--reason', 'x', '--stamp-was-wrong', '--json'],
        env,
      );
      expect(flagNotNeeded.code).toBe(2);
      expect(flagNotNeeded.json.error.message).toMatch(/leave the flag out/);
      const back = await runCli(['rpps:import:redate', latest.id, '--as-of', '2026-11-27', '--reason', 'it was right', '--json'], env);
      expect(back.code).toBe(0);
      expect(back.json).toEqual(expect.objectContaining({ to: '2026-11-27', fileStamp: '2026-11-27', stampWasWrong: false }));
    });
  });
});
