import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditCheck } from '../../src/common/audit/audit-check.service';
import { AuditCheckpoints } from '../../src/common/audit/audit-checkpoints.service';
import { AuditSequencer } from '../../src/common/audit/audit-sequencer.service';
import { Clock } from '../../src/common/clock/clock';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { openContext, TestContext } from '../support/context';

/** The check of the audit trail as the API runs it (GET /api/v1/audit/verification). */
describe(AuditCheck.name, () => {
  let ctx: TestContext;
  let dataDir: string;
  let emptyDir: string;
  let cfg: AppConfig;
  const check = (c: AppConfig = cfg) => new AuditCheck(ctx.audit, new AuditCheckpoints(ctx.ds, c), c, Clock.system());
  const append = (n: number) =>
    ctx.ds.transaction((em) => ctx.audit.append(em, { actor: 'test', action: 'test.entry', entity: 'job_run', entityId: String(n) }));

  beforeAll(async () => {
    ctx = await openContext('audit-check');
    dataDir = mkdtempSync(join(tmpdir(), 'cps-audit-check-'));
    emptyDir = mkdtempSync(join(tmpdir(), 'cps-audit-check-nokey-'));
    cfg = loadConfig({ DATA_DIR: dataDir });
    await append(1);
    // Signed with the development key, generated under dataDir: its public half is there too.
    await new AuditSequencer(ctx.ds, new AuditCheckpoints(ctx.ds, cfg), cfg).checkpointNow();
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(emptyDir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  it("answers with the checkpoints file's base name only, in its problems too, never where DATA_DIR is", async () => {
    appendFileSync(join(dataDir, 'audit', 'checkpoints.jsonl'), 'not a checkpoint\n');
    const r = await check().checkForApi();
    expect(r.checkpoints.file).toBe('checkpoints.jsonl');
    expect(r.problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint-unreadable', message: expect.stringMatching(/^checkpoints\.jsonl, line 2: /) }),
    ]);
    expect(JSON.stringify(r)).not.toContain(dataDir);
    // The CLI names the file in full: it is the host's own path.
    expect((await check().run({ signingKeyAllowed: false })).problems[0].message).toContain(dataDir);
  });

  it('answers 503 audit_public_key_missing, naming AUDIT_PUBLIC_KEY_FILE, when no public key is there to check the signed checkpoints', async () => {
    // No development key under this DATA_DIR and no AUDIT_PUBLIC_KEY_FILE; the table holds the checkpoint signed above.
    const bare = loadConfig({ DATA_DIR: emptyDir });
    await expect(check(bare).checkForApi()).rejects.toMatchObject({
      status: 503,
      code: 'audit_public_key_missing',
      message: expect.stringContaining('AUDIT_PUBLIC_KEY_FILE'),
    });
    // The CLI still reports what it cannot check, as before.
    expect((await check(bare).run({ signingKeyAllowed: false })).problems.map((p) => p.kind)).toContain('checkpoint-forged');
  });

  it('keeps an answer 60 seconds, with when it was made: requests meanwhile, even under way, do not read the trail again', async () => {
    const checks = check();
    const reads = jest.spyOn(ctx.audit, 'verify');
    const [first, concurrent] = await Promise.all([checks.checkForApi(), checks.checkForApi()]);
    expect(concurrent).toBe(first);
    expect(first.checkedAt).toBeInstanceOf(Date);
    await append(2);
    const again = await checks.checkForApi();
    expect(again).toBe(first);
    expect(reads).toHaveBeenCalledTimes(1);
    // A minute on, a new check sees the new entry.
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 60_001);
    const later = await checks.checkForApi();
    expect(reads).toHaveBeenCalledTimes(2);
    expect(later.entries).toBe(first.entries + 1);
    expect(later.checkedAt.getTime()).toBeGreaterThan(first.checkedAt.getTime());
  });
});
