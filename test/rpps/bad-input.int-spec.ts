import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ExtractStager } from '../../src/rpps/extract-stager';
import { RppsError } from '../../src/rpps/rpps.errors';
import { RppsImportService } from '../../src/rpps/rpps-import.service';
import { openContext, registrySnapshot, TestContext } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');
const day1Text = readFileSync(join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt'), 'utf8');
const [header, ...lines] = day1Text.trimEnd().split('\n');

describe(`${RppsImportService.name} with bad input`, () => {
  let ctx: TestContext;
  let dir: string;
  let n = 0;
  /** Writes a variant of the day-1 extract; each gets a later date so none is "older than the registry". */
  const file = (content: string | Buffer, day = 25) => {
    n += 1;
    const p = join(dir, `v${n}`, `PS_LibreAcces_Personne_activite_202611${String(day).padStart(2, '0')}0600.txt`);
    require('node:fs').mkdirSync(join(dir, `v${n}`));
    writeFileSync(p, content);
    return p;
  };
  const events = async () => (await ctx.ds.query(`SELECT count(*)::int AS n FROM rpps_event`))[0].n as number;

  beforeAll(async () => {
    ctx = await openContext('bad-input');
    dir = mkdtempSync(join(tmpdir(), 'cps-bad-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ctx.close();
  });

  it('refuses an empty file, naming the problem, and commits nothing', async () => {
    await expect(ctx.imports.run({ files: [file('')], actor: 't' })).rejects.toThrow(/empty file/);
    expect((await registrySnapshot(ctx.ds)).professionals).toEqual([]);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM rpps_import`))[0].n).toBe(0);
  });

  it('refuses a header alone (no usable line) and commits nothing', async () => {
    const err = await ctx.imports.run({ files: [file(`${header}\n`)], actor: 't' }).catch((e) => e);
    expect(err).toBeInstanceOf(RppsError);
    expect(err.code).toBe('unusable_input');
    expect(err.message).toMatch(/no usable line/);
    expect((await registrySnapshot(ctx.ds)).professionals).toEqual([]);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM rpps_import`))[0].n).toBe(0);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM job_run`))[0].n).toBe(0);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n).toBe(0);
  });

  it('refuses a file whose required column is missing, naming the column, and commits nothing', async () => {
    const cols = header.split('|');
    const drop = cols.indexOf('Code profession');
    const cut = (l: string) =>
      l
        .split('|')
        .filter((_, i) => i !== drop)
        .join('|');
    const err = await ctx.imports.run({ files: [file([cut(header), ...lines.map(cut)].join('\n'))], actor: 't' }).catch((e) => e);
    expect(err.code).toBe('unusable_input');
    expect(err.message).toContain('"Code profession"');
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM rpps_import`))[0].n).toBe(0);
  });

  it('reads a Latin-1 file as the same registry as its UTF-8 original', async () => {
    const r = await ctx.imports.run({ files: [file(Buffer.from(day1Text, 'latin1'))], actor: 't' });
    expect(r.status).toBe('baseline');
    expect(r.rejects).toEqual([]);
    const p = await ctx.ds.query(`SELECT last_name FROM rpps_professional WHERE last_name LIKE 'LEF%'`);
    expect(p[0].last_name).toBe('LEFÈVRE');
  });

  it('reads BOM and CRLF line ends as the same content (unchanged)', async () => {
    const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(day1Text.replace(/\n/g, '\r\n'), 'utf8')]);
    const r = await ctx.imports.run({ files: [file(crlf)], actor: 't' });
    expect(r.status).toBe('unchanged');
    expect(r.rejects).toEqual([]);
  });

  it('rejects bad lines with their line number and reason, keeps them, and imports the rest', async () => {
    const bad = [...lines];
    bad[0] = `${bad[0].split('|').slice(0, 30).join('|')}|`; // too few fields → line 2
    bad[1] = `${bad[1]}extra|more|`; // too many → line 3
    bad[2] = bad[2].replace(/^8\|10000000\d{3}\|810000000\d{3}/, '8|10000000999|810000000999'); // Luhn → line 4
    bad[3] = bad[3].replace('|', '|\u0000\u0001\u0002'); // binary → line 5
    const cols = bad[4].split('|');
    cols[24] = 'X'.repeat(10_000); // 10 000-character field → line 6
    bad[4] = cols.join('|');
    const r = await ctx.imports.run({ files: [file([header, ...bad].join('\n'), 26)], actor: 't' });
    expect(r.rejects.map((x) => x.line)).toEqual([2, 3, 4, 5, 6]);
    expect(r.rejects[0].reason).toMatch(/field/);
    expect(r.rejects[1].reason).toMatch(/field/);
    expect(r.rejects[2].reason).toMatch(/RPPS|Luhn/);
    expect(r.rejects[3].reason).toMatch(/binary|control/);
    expect(r.rejects[4].reason).toMatch(/10000 characters/);
    expect(r.rowsRejected).toBe(5);
    expect(r.rowsAccepted).toBe(lines.length - 5);
    const kept = await ctx.ds.query(`SELECT line_no, reason FROM rpps_reject WHERE import_id = $1 ORDER BY line_no`, [r.importId]);
    expect(kept.map((k: { line_no: number }) => k.line_no)).toEqual([2, 3, 4, 5, 6]);
  });

  it('holds a truncated next-day file instead of ceasing the professionals missing from it', async () => {
    const before = await registrySnapshot(ctx.ds);
    const eventsBefore = await events();
    const truncated = [header, ...lines.slice(0, Math.floor(lines.length / 2))].join('\n');
    const path = file(truncated, 27);
    const r = await ctx.imports.run({ files: [path], actor: 't' });
    expect(r.status).toBe('held');
    // Run in the foreground (at the host): confirmed there, by running it again with --confirm-mass-change.
    // File names only: the result is kept in the job run and the import, which the API shows.
    expect(r.confirmWith).toBe(`rpps:import ${basename(path)} --confirm-mass-change`);
    const [kept] = await ctx.ds.query(
      `SELECT i.error, j.state, j.result::text AS result FROM rpps_import i JOIN job_run j ON j.id = i.job_run_id WHERE i.id = $1`,
      [r.importId],
    );
    expect(kept.state).toBe('held');
    expect(kept.error).toBe(r.heldReason);
    for (const text of [kept.error, kept.result]) expect(text).not.toContain(dir);
    expect(r.heldReason).toMatch(/more than the 5\.0% allowed by RPPS_MASS_CHANGE_RATIO\): held, nothing applied\./);
    expect(r.heldReason).toContain(`someone at the host confirms it: ${r.confirmWith}`);
    expect(r.events.CEASED).toBeGreaterThan(0);
    // What applying would do is kept with the held import: counts by kind of change, and a sample, ceased first.
    const [row] = await ctx.ds.query(`SELECT preview FROM rpps_import WHERE id = $1`, [r.importId]);
    expect(row.preview).toEqual(r.preview);
    expect(r.preview).toMatchObject({ professionalsBefore: r.professionals.before, ceased: r.events.CEASED, events: r.events });
    expect(r.preview!.sample.length).toBe(
      Math.min(
        20,
        Object.values(r.events).reduce((a, b) => a + b, 0),
      ),
    );
    expect(r.preview!.sample[0].kind).toBe('CEASED');
    const ceasedIds = r.preview!.sample.filter((x) => x.kind === 'CEASED').map((x) => x.nationalId);
    expect(ceasedIds).toEqual([...ceasedIds].sort());
    const after = await registrySnapshot(ctx.ds);
    expect(after.professionals).toEqual(before.professionals);
    expect(after.situations).toEqual(before.situations);
    expect(await events()).toBe(eventsBefore);

    const confirmed = await ctx.imports.run({ files: [path], actor: 't', confirmMassChange: true });
    expect(confirmed.status).toBe('applied');
    // The held run no longer waits for a person: the newer import superseded it.
    const [decided] = await ctx.ds.query(
      `SELECT j.state, j.result->>'status' AS status, j.result->>'supersededByImport' AS "byImport", j.result->>'supersededByRun' AS "byRun"
         FROM rpps_import i JOIN job_run j ON j.id = i.job_run_id WHERE i.id = $1`,
      [r.importId],
    );
    expect(decided).toEqual({ state: 'succeeded', status: 'superseded', byImport: confirmed.importId, byRun: confirmed.jobRunId });
    expect(confirmed.events.CEASED).toBe(r.events.CEASED);
    const ceased = await ctx.ds.query(
      `SELECT national_id FROM rpps_event WHERE import_id = $1 AND kind = 'CEASED' ORDER BY national_id LIMIT $2`,
      [confirmed.importId, ceasedIds.length],
    );
    expect(ceased.map((x: { national_id: string }) => x.national_id)).toEqual(ceasedIds);
    expect(await events()).toBe(eventsBefore + Object.values(confirmed.events).reduce((a, b) => a + b, 0));
  });

  it("keeps no raw error text (a host path, a value quoted by PostgreSQL) in a failed import's error, which GET /api/v1/imports shows", async () => {
    const stager = ExtractStager.prototype;
    for (const [raw, shown] of [
      [
        Object.assign(new Error(`EACCES: permission denied, open '${dir}/secret/PS_x.txt'`), {
          code: 'EACCES',
          syscall: 'open',
          path: `${dir}/secret/PS_x.txt`,
        }),
        '"PS_x.txt": cannot open (EACCES: permission denied)',
      ],
      [
        Object.assign(new Error('invalid input syntax for type integer: "LEFÈVRE Jeanne"'), { code: '22P02' }),
        "unexpected error (Error): the worker's log has the details",
      ],
    ] as const) {
      const spy = jest.spyOn(stager, 'readPersonneActivite').mockRejectedValueOnce(raw);
      try {
        await expect(ctx.imports.run({ files: [file(day1Text, 28)], actor: 't' })).rejects.toBe(raw);
      } finally {
        spy.mockRestore();
      }
      const [failed] = await ctx.ds.query(
        `SELECT i.error, j.error AS "jobError" FROM rpps_import i JOIN job_run j ON j.id = i.job_run_id
          WHERE i.status = 'failed' ORDER BY i.started_at DESC LIMIT 1`,
      );
      expect(failed).toEqual({ error: shown, jobError: shown });
    }
  });

  it('refuses an extract older than the registry', async () => {
    await expect(ctx.imports.run({ files: [file(day1Text, 20)], actor: 't' })).rejects.toThrow(/older than the registry/);
  });
});
