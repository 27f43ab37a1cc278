import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { deflatedRepeat, makeZip } from '../support/extract-files';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testDataDir, testImportDir, testQueuePrefix } from '../support/services';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const [header, ...lines] = readFileSync(day1, 'utf8').trimEnd().split('\n');
const MiB = 1 << 20;

/** Held imports confirmed by a person other than the submitter; files read from IMPORT_DIR only; zip bombs refused. */
describe('imports submitted over the API (POST /api/v1/imports, POST /api/v1/imports/:id/confirm)', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let api: Service & { url: string };
  let worker: Service;
  let pg: Client;
  let importDir: string;
  const tokens: Record<string, string> = {};

  const call = apiCaller(() => api.url, tokens);
  const submit = (files: string[], who = 'batch') => call('POST', '/api/v1/imports', who, { files });
  const confirm = (id: string, who: string) => call('POST', `/api/v1/imports/${id}/confirm`, who);
  const jobRun = (id: string, state: string) =>
    eventually(
      async () => (await pg.query(`SELECT * FROM job_run WHERE id = $1 AND state = $2`, [id, state])).rows[0],
      60_000,
      `job run ${id} ${state}`,
    );
  /** A truncated extract (half the professionals gone: a mass change), dated `day`, in IMPORT_DIR. */
  const truncated = (day: number, keep = 0.5) => {
    const name = `PS_LibreAcces_Personne_activite_202611${day}0600.txt`;
    writeFileSync(join(importDir, name), [header, ...lines.slice(0, Math.floor(lines.length * keep))].join('\n'));
    return name;
  };
  /** The job run of import `importId`: its state and what decided it (confirmed or superseded, by which run and import). */
  const heldImportRun = async (importId: string) =>
    (
      await pg.query(
        `SELECT j.state, j.result->>'status' AS status,
                COALESCE(j.result->>'confirmedByRun', j.result->>'supersededByRun') AS "byRun",
                COALESCE(j.result->>'confirmedByImport', j.result->>'supersededByImport') AS "byImport"
           FROM rpps_import i JOIN job_run j ON j.id = i.job_run_id WHERE i.id = $1`,
        [importId],
      )
    ).rows[0];
  /** Submits `name` and waits until its import is held; gives its id. */
  const heldImport = async (name: string): Promise<string> => {
    const r = await submit([name]);
    expect(r.status).toBe(201);
    const run = await jobRun((await r.json()).jobRunId, 'held');
    expect(run.result.status).toBe('held');
    expect(run.error).toBeNull();
    // Queued: confirmed over the API, as the result says (like a held expiry sweep's confirmWith).
    expect(run.result.confirmWith).toBe(`POST /api/v1/imports/${run.result.importId}/confirm`);
    expect(run.result.heldReason).toContain(`an operator other than its submitter confirms it: ${run.result.confirmWith}`);
    return run.result.importId;
  };

  beforeAll(async () => {
    db = await createTestDb('import-confirm');
    importDir = testImportDir(db.name);
    mkdirSync(importDir, { recursive: true });
    env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('import-confirm'),
      OUTBOX_RELAY_INTERVAL_MS: '100',
      IMPORT_ZIP_MAX_BYTES: String(4 * MiB),
    };
    api = await startApi(env);
    worker = startWorker(env);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const make = async (key: string, role: string, name: string, ...more: string[]) => {
      tokens[key] = (await createToken(env, role, name, more)).token;
    };
    // A person who submits imports with a batch token and also holds admin and operator tokens
    // (a system account may hold neither).
    await make('batch', 'batch', 'nightly-feed', '--kind', 'person');
    await make('batchAdmin', 'admin', 'nightly-feed'); // the submitter's principal, with an admin token
    await make('batchOperator', 'operator', 'nightly-feed');
    await make('alice', 'operator', 'Alice Martin');
    await make('auditor', 'auditor', 'Audrey');
    expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await pg?.end();
    await db?.drop();
  });

  describe('a held import', () => {
    let heldId: string;

    beforeAll(async () => {
      heldId = await heldImport(truncated(26));
    });

    it('shows what applying it would do: counts of ceased and changed professionals, and a sample', async () => {
      const r = await call('GET', `/api/v1/imports/${heldId}`, 'alice');
      expect(r.status).toBe(200);
      const view = await r.json();
      expect(view).toMatchObject({ importId: heldId, status: 'held', submittedBy: 'nightly-feed', confirmedBy: null });
      expect(view.preview.ceased).toBe(view.events.CEASED);
      const { rows } = await pg.query(`SELECT count(*)::int AS n FROM rpps_professional WHERE ceased_at IS NULL`);
      expect(view.preview.professionalsBefore).toBe(rows[0].n);
      expect(view.preview.ceased).toBeGreaterThan(rows[0].n * 0.05);
      expect(view.preview.sample).toHaveLength(20);
      expect(view.preview.sample.every((x: { kind: string }) => x.kind === 'CEASED')).toBe(true);
      const list = await (await call('GET', '/api/v1/imports', 'alice')).json();
      expect(list).toMatchObject({ page: 1, pageSize: 20, total: expect.any(Number) });
      expect(list.items.find((x: { importId: string }) => x.importId === heldId).preview).toEqual(view.preview);
      // What an alert reads: the held run on /metrics (docs/operations.md, "Held import").
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(Number(/^cps_job_runs\{kind="rpps-import",state="held"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
      expect(metrics).toMatch(/^cps_job_runs\{kind="expiry",state="held"\} 0$/m);
    });

    it('cannot be confirmed by its submitter: not with its batch token, nor an admin or operator token of the same principal', async () => {
      const byRole = await confirm(heldId, 'batch');
      expect(byRole.status).toBe(403);
      expect((await byRole.json()).code).toBe('forbidden');
      for (const who of ['batchAdmin', 'batchOperator']) {
        const r = await confirm(heldId, who);
        expect(r.status).toBe(403);
        const p = await r.json();
        expect(p.code).toBe('confirmer_is_submitter');
        expect(p.detail).toMatch(/never its submitter/);
      }
      const { rows } = await pg.query(`SELECT confirmed_at FROM rpps_import WHERE id = $1`, [heldId]);
      expect(rows[0].confirmed_at).toBeNull();
    });

    it('is applied once another operator confirms it: the events appear, and the audit names who confirmed', async () => {
      const before = await (await call('GET', `/api/v1/imports/${heldId}`, 'alice')).json();
      const r = await confirm(heldId, 'alice');
      expect(r.status).toBe(202);
      const answer = await r.json();
      expect(answer).toMatchObject({ importId: heldId, confirmedBy: 'principal:Alice Martin', state: 'queued' });
      const run = await jobRun(answer.jobRunId, 'succeeded');
      expect(run.result.status).toBe('applied');
      const applied = run.result.importId as string;
      const { rows } = await pg.query(`SELECT kind, count(*)::int AS n FROM rpps_event WHERE import_id = $1 GROUP BY kind ORDER BY kind`, [
        applied,
      ]);
      expect(rows).toContainEqual({ kind: 'CEASED', n: before.preview.ceased });
      const view = await (await call('GET', `/api/v1/imports/${applied}`, 'alice')).json();
      expect(view).toMatchObject({ status: 'applied', confirmsImportId: heldId, submittedBy: 'nightly-feed' });
      const held = await (await call('GET', `/api/v1/imports/${heldId}`, 'alice')).json();
      expect(held).toMatchObject({ status: 'held', confirmedBy: 'Alice Martin', confirmationJobRunId: answer.jobRunId });
      // Its job run is decided (confirmed, by which run and import): it no longer waits in ?state=held.
      expect(await heldImportRun(heldId)).toEqual({
        state: 'succeeded',
        status: 'confirmed',
        byRun: answer.jobRunId,
        byImport: applied,
      });
      const waiting = await (await call('GET', '/api/v1/jobs?kind=rpps-import&state=held', 'alice')).json();
      expect(waiting.runs.map((r: { result: { importId: string } }) => r.result.importId)).not.toContain(heldId);

      const audit = async (entityId: string, action: string) =>
        eventually(
          async () => {
            const a = await (await call('GET', `/api/v1/audit?entity=rpps_import&id=${entityId}`, 'auditor')).json();
            return a.entries.find((e: { action: string }) => e.action === action);
          },
          30_000,
          action,
        );
      expect(await audit(heldId, 'rpps.import.confirmed')).toMatchObject({ actor: 'principal:Alice Martin' });
      const entry = await audit(applied, 'rpps.import.applied');
      expect(entry.actor).toBe('principal:Alice Martin');
      expect(entry.details.massChangeConfirmed).toMatch(/confirmed over the API by principal:Alice Martin/);
      expect(entry.details.confirmsImportId).toBe(heldId);
    });

    it('answers 409 when confirmed again, or when the import is not held', async () => {
      const again = await confirm(heldId, 'alice');
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ code: 'import_not_held', detail: expect.stringMatching(/already confirmed/) });
      const { rows } = await pg.query(`SELECT id FROM rpps_import WHERE status = 'baseline'`);
      const baseline = await confirm(rows[0].id, 'alice');
      expect(baseline.status).toBe(409);
      expect((await baseline.json()).code).toBe('import_not_held');
      const unknown = await confirm('00000000-0000-4000-8000-000000000000', 'alice');
      expect(unknown.status).toBe(404);
    });

    it('answers 409 for a held import superseded by a newer one', async () => {
      const older = await heldImport(truncated(27, 0.25));
      const newer = await heldImport(truncated(28, 0.2));
      const r = await confirm(older, 'alice');
      expect(r.status).toBe(409);
      expect(await r.json()).toMatchObject({ code: 'import_superseded', detail: expect.stringContaining(newer) });
      // The superseded import's run is decided too (nothing can apply it any more); the newer one still waits.
      const [newerRun] = (await pg.query(`SELECT job_run_id::text AS id FROM rpps_import WHERE id = $1`, [newer])).rows;
      expect(await heldImportRun(older)).toEqual({ state: 'succeeded', status: 'superseded', byRun: newerRun.id, byImport: newer });
      expect(await heldImportRun(newer)).toEqual({ state: 'held', status: 'held', byRun: null, byImport: null });
    });

    it('is not run again when its queue message is delivered again: its run stays held, with one import', async () => {
      const id = await heldImport(truncated(29, 0.15));
      const [{ jobRunId }] = (await pg.query(`SELECT job_run_id::text AS "jobRunId" FROM rpps_import WHERE id = $1`, [id])).rows;
      const [message] = (
        await pg.query(`SELECT id, attempts FROM outbox WHERE topic = 'rpps.import.requested' AND payload->>'jobRunId' = $1`, [jobRunId])
      ).rows;
      // As after a crash between the hold and the message's consumption: relayed again past OUTBOX_REDELIVERY_SECONDS.
      await pg.query(`UPDATE outbox SET consumed_at = NULL WHERE id = $1`, [message.id]);
      await eventually(
        async () => {
          // Made due again until the relay delivers it anew: while the first delivery's job is still
          // finishing (active just after its consumption was marked), the relay leaves the message
          // for another OUTBOX_REDELIVERY_SECONDS, stamping it as looked at now.
          await pg.query(
            `UPDATE outbox SET published_at = now() - interval '1 hour' WHERE id = $1 AND attempts = $2 AND consumed_at IS NULL`,
            [message.id, message.attempts],
          );
          return (
            (await pg.query(`SELECT attempts FROM outbox WHERE id = $1 AND consumed_at IS NOT NULL`, [message.id])).rows[0]?.attempts >
            message.attempts
          );
        },
        60_000,
        'the second delivery, consumed',
      );
      expect(await heldImportRun(id)).toEqual({ state: 'held', status: 'held', byRun: null, byImport: null });
      expect((await pg.query(`SELECT count(*)::int AS n FROM rpps_import WHERE job_run_id = $1`, [jobRunId])).rows[0].n).toBe(1);
    });
  });

  it('refuses confirmMassChange in the request that submits an import, naming the route that confirms', async () => {
    const r = await call('POST', '/api/v1/imports', 'batch', { files: [truncated(29)], confirmMassChange: true });
    expect(r.status).toBe(400);
    expect((await r.json()).detail).toMatch(/POST \/api\/v1\/imports\/:id\/confirm/);
  });

  describe('files named over the API', () => {
    let outside: string;

    beforeAll(() => {
      outside = join(testDataDir(db.name), 'outside');
      mkdirSync(outside, { recursive: true });
      writeFileSync(join(outside, 'PS_LibreAcces_Personne_activite_202611300600.txt'), readFileSync(day1));
      symlinkSync(join(outside, 'PS_LibreAcces_Personne_activite_202611300600.txt'), join(importDir, 'link-to-existing.txt'));
      symlinkSync(join(outside, 'missing.txt'), join(importDir, 'link-to-missing.txt'));
    });

    it('are refused the same way outside IMPORT_DIR, whether or not they exist', async () => {
      const pairs: Array<[string, string]> = [
        [join(outside, 'PS_LibreAcces_Personne_activite_202611300600.txt'), join(outside, 'missing.txt')],
        ['/etc/passwd', '/etc/no-such-file.txt'],
        ['../outside/PS_LibreAcces_Personne_activite_202611300600.txt', '../outside/missing.txt'],
        ['link-to-existing.txt', 'link-to-missing.txt'],
      ];
      const refusal = async (file: string) => {
        const r = await submit([file]);
        const p = await r.json();
        return { status: r.status, code: p.code, title: p.title, detail: p.detail };
      };
      for (const [existing, missing] of pairs) {
        const a = await refusal(existing);
        expect(a).toEqual({
          status: 400,
          code: 'file_outside_import_dir',
          title: expect.any(String),
          detail: 'files are read from the import directory only (IMPORT_DIR): give names relative to it',
        });
        expect(await refusal(missing)).toEqual(a);
      }
      const inside = await submit(['no-such-extract.txt']);
      expect(inside.status).toBe(400);
      expect(await inside.json()).toMatchObject({
        code: 'unusable_input',
        detail: '"no-such-extract.txt": no such file in the import directory',
      });
      const { rows } = await pg.query(`SELECT count(*)::int AS n FROM job_run WHERE params->>'source' = 'api' AND state = 'queued'`);
      expect(rows[0].n).toBe(0);
    });
  });

  describe('a zip bomb', () => {
    const inflated = 256 * MiB;
    let bomb: Buffer;

    beforeAll(async () => {
      bomb = await deflatedRepeat(`${lines[0]}\n`, inflated, `${header}\n`);
    });

    const noLargeFile = (dir: string) => {
      const big: string[] = [];
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile() && statSync(p).size > 4 * MiB) big.push(p);
        }
      };
      walk(dir);
      return big;
    };
    const counts = async () =>
      (
        await pg.query(
          `SELECT (SELECT count(*) FROM rpps_import)::int AS imports, (SELECT count(*) FROM rpps_event)::int AS events,
                  (SELECT count(*) FROM rpps_reject)::int AS rejects, (SELECT count(*) FROM rpps_professional)::int AS professionals`,
        )
      ).rows[0];

    it('is refused from its central directory, over the API (400) and by the CLI (exit 2), naming the limit', async () => {
      const name = 'PS_LibreAcces_Personne_activite_202611300700.zip';
      writeFileSync(
        join(importDir, name),
        makeZip([{ name: name.replace('.zip', '.txt'), data: Buffer.alloc(0), deflated: bomb, declaredSize: inflated }]),
      );
      const before = await counts();
      const r = await submit([name]);
      expect(r.status).toBe(400);
      expect((await r.json()).detail).toMatch(/more than IMPORT_ZIP_MAX_BYTES \(4194304 bytes/);
      const cli = await runCli(['rpps:import', join(importDir, name), '--json'], env);
      expect(cli.code).toBe(2);
      expect(cli.stderr + cli.stdout).toMatch(/IMPORT_ZIP_MAX_BYTES/);
      expect(await counts()).toEqual(before);
    });

    it('whose headers lie is stopped while it inflates: the job fails, nothing is committed, no disk filled, memory bounded', async () => {
      const name = 'PS_LibreAcces_Personne_activite_202611300800.zip';
      writeFileSync(
        join(importDir, name),
        makeZip([{ name: name.replace('.zip', '.txt'), data: Buffer.alloc(0), deflated: bomb, declaredSize: 3 * MiB }]),
      );
      const before = await counts();
      const r = await submit([name]);
      expect(r.status).toBe(201); // its central directory looks honest
      const run = await jobRun((await r.json()).jobRunId, 'failed');
      expect(run.error).toMatch(/inflates past the 3145728 bytes its header declares/);
      expect(await counts()).toEqual(before);
      expect(noLargeFile(testDataDir(db.name))).toEqual([]);
      const status = readFileSync(`/proc/${worker.child.pid}/status`, 'utf8');
      const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
      expect(peakKb).toBeGreaterThan(0);
      expect(peakKb).toBeLessThan(400 * 1024); // far below the 256 MiB it would inflate to, plus the worker itself

      const cli = await runCli(['rpps:import', join(importDir, name), '--json'], env);
      expect(cli.code).toBe(2);
      expect(cli.json.error).toMatchObject({ code: 'unusable_input', message: expect.stringMatching(/its header declares/) });
      expect(await counts()).toEqual(before);
    });
  });

  it('audits a mass change confirmed at the host (rpps:import --confirm-mass-change) with the host actor', async () => {
    const name = truncated(30, 0.1);
    const r = await runCli(['rpps:import', join(importDir, name), '--confirm-mass-change', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('applied');
    expect(r.json.massChangeConfirmed).toMatch(/^mass change confirmed at the host by host:/);
    const entry = await eventually(
      async () => {
        const a = await (await call('GET', `/api/v1/audit?entity=rpps_import&id=${r.json.importId}`, 'auditor')).json();
        return a.entries.find((e: { action: string }) => e.action === 'rpps.import.applied');
      },
      30_000,
      'the audit entry',
    );
    expect(entry.actor).toMatch(/^host:[^@]+@.+/);
    expect(entry.details.massChangeConfirmed).toBe(`mass change confirmed at the host by ${entry.actor} (--confirm-mass-change)`);
    // The result and the audit entry say the same thing, the same way.
    expect(r.json.massChangeConfirmed).toBe(entry.details.massChangeConfirmed);
  });
});
