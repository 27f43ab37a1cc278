import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { makeZip } from '../support/extract-files';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testDataDir, testImportDir, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');
/** src/orders/card-base-import.service.ts CARD_BASE_LOCK: cards:import exclusive, an expiry sweep shared. */
const CARD_BASE_LOCK = 7_264_022;

/**
 * What a confirmation confirms and who gives it, through the built CLI, API and worker on
 * 2026-11-30 in Paris (CLOCK_NOW): an import's date that no stamp backs holds any cessation,
 * stamps that disagree are refused; a confirmed expiry sweep applies what was held, not
 * whatever is due by then, and closes every run held up to its day; cards:import and a sweep
 * never overlap; the CLI's actor names only the person the kernel vouches for.
 */
describe('what a confirmation confirms, and who gives it (CLOCK_NOW 2026-11-30)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let worker: Service;
  let pg: Client;
  let importDir: string;
  const tokens: Record<string, string> = {};

  const call = apiCaller(() => api.url, tokens);
  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await pg.query(sql, params)).rows[0].n;
  const imports = () => count(`SELECT count(*)::int AS n FROM rpps_import`);
  const importJobs = () => count(`SELECT count(*)::int AS n FROM job_run WHERE kind = 'rpps-import'`);
  const opposedByExpiry = () => count(`SELECT count(*)::int AS n FROM opposition WHERE reason = 'expiry'`);
  const due = (asOf: string) => count(`SELECT count(*)::int AS n FROM card WHERE state <> 'opposed' AND valid_until < $1`, [asOf]);
  const jobRun = (id: string, state: string) =>
    eventually(
      async () => (await pg.query(`SELECT * FROM job_run WHERE id = $1 AND state = $2`, [id, state])).rows[0],
      60_000,
      `job run ${id} ${state} (worker output: ${worker.output().slice(-2000)})`,
    );

  beforeAll(async () => {
    db = await createTestDb('confirmations');
    importDir = testImportDir(db.name);
    mkdirSync(importDir, { recursive: true });
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('confirmations'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      CLOCK_NOW: '2026-11-30T10:00:00Z',
    };
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    api = await startApi(env);
    worker = startWorker(env);
    tokens.batch = (await createToken(env, 'batch', 'nightly-feed')).token;
    tokens.alice = (await createToken(env, 'operator', 'Alice Martin')).token;
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
    expect((await runCli(['cards:import', holders, '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    await db?.drop();
  });

  describe("registry imports: the extract's date", () => {
    it('refuses a zip whose name and extract inside carry different stamps, or a date given against the inner stamp (exit 2, 400)', async () => {
      // The extract of 2026-11-25, zipped again under today's name, and under a name without a stamp.
      const inner = 'PS_LibreAcces_Personne_activite_202611250600.txt';
      const zipped = makeZip([{ name: inner, data: readFileSync(day1), deflate: true }]);
      const today = 'PS_LibreAcces_Personne_activite_202611300600.zip';
      writeFileSync(join(importDir, today), zipped);
      writeFileSync(join(importDir, 'extract.zip'), zipped);
      const [importsBefore, jobsBefore] = [await imports(), await importJobs()];

      const both = new RegExp(
        `"${today.replace('.', '\\.')}" \\(2026-11-30\\) contradicts .*"${inner.replace('.', '\\.')}" \\(2026-11-25\\)`,
      );
      const cli = await runCli(['rpps:import', join(importDir, today), '--json'], env);
      expect(cli.code).toBe(2);
      expect(cli.json.error).toEqual({ code: 'unusable_input', message: expect.stringMatching(both) });
      const http = await call('POST', '/api/v1/imports', 'batch', { files: [today] });
      expect(http.status).toBe(400);
      expect((await http.json()).detail).toMatch(both);

      const given = /2026-11-30 contradicts the date in the file name "PS_LibreAcces_Personne_activite_202611250600\.txt" \(2026-11-25\)/;
      const renamed = await runCli(['rpps:import', join(importDir, 'extract.zip'), '--as-of', '2026-11-30', '--json'], env);
      expect(renamed.code).toBe(2);
      expect(renamed.json.error.message).toMatch(given);
      const renamedHttp = await call('POST', '/api/v1/imports', 'batch', { files: ['extract.zip'], asOf: '2026-11-30' });
      expect(renamedHttp.status).toBe(400);
      expect((await renamedHttp.json()).detail).toMatch(given);

      expect(await imports()).toBe(importsBefore);
      expect(await importJobs()).toBe(jobsBefore);
    });

    it('holds an import dated by asOf alone that would cease anyone, whatever the share, until another person confirms it', async () => {
      // The extract of 2026-11-26 (it ceases one professional of 60: far under RPPS_MASS_CHANGE_RATIO), renamed.
      copyFileSync(day2, join(importDir, 'renamed-extract.txt'));
      const active = () => count(`SELECT count(*)::int AS n FROM rpps_professional WHERE ceased_at IS NULL`);
      const activeBefore = await active();
      const submitted = await call('POST', '/api/v1/imports', 'batch', { files: ['renamed-extract.txt'], asOf: '2026-11-26' });
      expect(submitted.status).toBe(201);
      const heldRunId = (await submitted.json()).jobRunId as string;
      const held = await jobRun(heldRunId, 'held');
      expect(held.result).toEqual(
        expect.objectContaining({
          status: 'held',
          asOf: '2026-11-26',
          asOfGiven: true,
          heldReason: expect.stringMatching(
            /would cease 1 professionals, and its date 2026-11-26 was given, not read from the agency's stamp .* Held, nothing applied\./,
          ),
          confirmWith: `POST /api/v1/imports/${held.result.importId}/confirm`,
        }),
      );
      expect(held.result.preview).toEqual(expect.objectContaining({ ceased: 1 }));
      expect(await active()).toBe(activeBefore);

      const confirmed = await call('POST', `/api/v1/imports/${held.result.importId}/confirm`, 'alice');
      expect(confirmed.status).toBe(202);
      const applyRunId = (await confirmed.json()).jobRunId as string;
      const applied = await jobRun(applyRunId, 'succeeded');
      expect(applied.result).toEqual(
        expect.objectContaining({
          status: 'applied',
          asOf: '2026-11-26',
          massChangeConfirmed: expect.stringMatching(/confirmed over the API by principal:Alice Martin$/),
        }),
      );
      expect(await active()).toBe(activeBefore - 1 + applied.result.events.NEW_PROFESSIONAL);
      // The held run is decided: it no longer waits in GET /api/v1/jobs?state=held.
      const decided = await jobRun(heldRunId, 'succeeded');
      expect(decided.result).toEqual(expect.objectContaining({ status: 'confirmed', confirmedByRun: applyRunId }));
      const stillHeld = await (await call('GET', '/api/v1/jobs?state=held', 'alice')).json();
      expect(stillHeld.runs.map((r: { id: string }) => r.id)).not.toContain(heldRunId);
    });
  });

  describe('expiry sweeps', () => {
    it('never overlap with cards:import: the second one is refused (409, exit 1), and does nothing', async () => {
      const locker = new Client({ connectionString: db.url });
      await locker.connect();
      try {
        // A card base import running (the lock it takes exclusively).
        await locker.query('SELECT pg_advisory_lock($1)', [CARD_BASE_LOCK]);
        const sweep = await runCli(['expiry:run', '--json'], env);
        expect(sweep.code).toBe(1);
        expect(sweep.json.error).toEqual({
          code: 'card_import_in_progress',
          message: expect.stringMatching(/cards:import.*nothing opposed/),
        });
        expect(await count(`SELECT count(*)::int AS n FROM job_run WHERE kind = 'expiry'`)).toBe(0);
        await locker.query('SELECT pg_advisory_unlock($1)', [CARD_BASE_LOCK]);

        // A sweep running (the lock it takes shared).
        await locker.query('SELECT pg_advisory_lock_shared($1)', [CARD_BASE_LOCK]);
        const before = await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'cards.import'`);
        const cards = await runCli(['cards:import', holders, '--json'], env);
        expect(cards.code).toBe(1);
        expect(cards.json.error).toEqual({
          code: 'expiry_in_progress',
          message: expect.stringMatching(/expiry sweep is running.*nothing imported/),
        });
        expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'cards.import'`)).toBe(before);
      } finally {
        await locker.end();
      }
      expect(await opposedByExpiry()).toBe(0);
    });

    it('applies what the held run showed: a confirmation is refused, naming both counts, when more cards are due since', async () => {
      // The first sweep after the card base import is past EXPIRY_MAX_SHARE: held (for the 29th, say).
      const first = await runCli(['expiry:run', '--as-of', '2026-11-29', '--json'], env);
      expect(first.code).toBe(1);
      expect(first.json).toEqual(expect.objectContaining({ status: 'held', cardsDue: await due('2026-11-29') }));

      // Then a card base with mangled dates: cards valid for years now "end" on 2026-11-01.
      const [header, ...rows] = readFileSync(holders, 'utf8').trimEnd().split('\n');
      const mangled = rows.map((line) => {
        const f = line.split('|');
        if (f[14] > '20261130' && !f[15] && f[13] <= '20261101') f[14] = '20261101';
        return f.join('|');
      });
      const bad = join(testDataDir(db.name), 'Porteurs_CPS_CPF_202611300600.txt');
      writeFileSync(bad, [header, ...mangled].join('\n'));
      expect((await runCli(['cards:import', bad, '--json'], env)).json.cardsUpdated).toBeGreaterThan(0);
      const dueNow = await due('2026-11-30');
      expect(dueNow).toBeGreaterThan(first.json.cardsDue + Math.floor(0.01 * first.json.validCards));

      // The habitual confirmation does not oppose them: it confirms what was held.
      const refused = await runCli(['expiry:run', '--confirm-mass-change', '--json'], env);
      expect(refused.code).toBe(1);
      expect(refused.json.error.code).toBe('expiry_grew_since_held');
      expect(refused.json.error.message).toContain(`would oppose ${dueNow} cards now, but held run ${first.json.jobRunId}`);
      expect(refused.json.error.message).toContain(`showed ${first.json.cardsDue}`);
      expect(refused.stdout + refused.stderr).not.toMatch(/\n\s+at /);
      expect(await opposedByExpiry()).toBe(0);

      // Held again with the cards due now, then confirmed: applied, naming the run it confirms.
      const again = await runCli(['expiry:run', '--json'], env);
      expect(again.code).toBe(1);
      expect(again.json).toEqual(expect.objectContaining({ status: 'held', asOf: '2026-11-30', cardsDue: dueNow }));
      const confirmed = await runCli(['expiry:run', '--confirm-mass-change', '--json'], env);
      expect(confirmed.code).toBe(0);
      expect(confirmed.json).toEqual(
        expect.objectContaining({
          status: 'applied',
          cardsExpired: dueNow,
          confirmsHeldRun: { id: again.json.jobRunId, asOf: '2026-11-30', cardsDue: dueNow },
        }),
      );
      expect(await opposedByExpiry()).toBe(dueNow);
      const [audit] = (
        await pg.query(`SELECT details FROM audit_log WHERE action = 'opposition.expiry.confirmed' AND entity_id = $1`, [
          confirmed.json.jobRunId,
        ])
      ).rows;
      expect(audit.details.confirmsHeldRun).toEqual(confirmed.json.confirmsHeldRun);

      // Every run held for that day or an earlier one (the 29th's too) is decided.
      const runs = (
        await pg.query(
          `SELECT id::text AS id, state, result->>'status' AS status, result->>'confirmedByRun' AS by FROM job_run
            WHERE id = ANY($1::uuid[]) ORDER BY created_at`,
          [[first.json.jobRunId, again.json.jobRunId]],
        )
      ).rows;
      expect(runs).toEqual(
        [first.json.jobRunId, again.json.jobRunId].map((id) => ({
          id,
          state: 'succeeded',
          status: 'confirmed',
          by: confirmed.json.jobRunId,
        })),
      );
      expect(await count(`SELECT count(*)::int AS n FROM job_run WHERE kind = 'expiry' AND state = 'held'`)).toBe(0);
    });
  });

  describe('the audit actor of a CLI command', () => {
    /** The actor of an expiry run (nothing is due any more: it is applied at once). */
    const actorOf = async (extra: Record<string, string>, opts: { loginUid?: number } = {}) => {
      const r = await runCli(['expiry:run', '--json'], { ...env, ...extra }, opts);
      expect(r.code).toBe(0);
      return (await pg.query(`SELECT actor FROM job_run WHERE id = $1`, [r.json.jobRunId])).rows[0].actor as string;
    };

    it('marks a SUDO_USER it cannot check as unverified, and names the login user the kernel gives instead', async () => {
      // The CLI inherits this process's login uid.
      const own = readFileSync('/proc/self/loginuid', 'utf8').trim();
      const withSudoUser = await actorOf({ SUDO_USER: 'alice' });
      if (own === '4294967295') expect(withSudoUser).toMatch(/^host:[^ ]+@[^ ]+ \(sudo: alice, unverified\)$/);
      else expect(withSudoUser).not.toContain('(sudo: alice');
      // A login session (pam_loginuid sets the login uid at login; root may set it where none was set): its user is
      // named, whatever SUDO_USER says.
      if (own === '4294967295' && process.getuid?.() === 0) {
        const nobody = await actorOf({ SUDO_USER: 'alice' }, { loginUid: 65534 });
        expect(nobody).toMatch(/^host:root@[^ ]+ \(login: nobody\)$/);
      }
    });
  });
});
