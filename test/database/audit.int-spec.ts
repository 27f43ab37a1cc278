import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/common/audit/audit.service';
import { entryHash, GENESIS_HASH, keyIdOf, signCheckpoint } from '../../src/common/audit/audit-chain';
import { loadAuditPublicKey } from '../../src/common/audit/audit-checkpoint.signer';
import { AuditCheckpoints } from '../../src/common/audit/audit-checkpoints.service';
import { AuditSequencer } from '../../src/common/audit/audit-sequencer.service';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { appDataSourceParts } from '../../src/data-source-parts';
import { openContext, TestContext } from '../support/context';

describe(AuditService.name, () => {
  let ctx: TestContext;
  let dataDir: string;
  let cfg: AppConfig;
  let checkpoints: AuditCheckpoints;
  let sequencer: AuditSequencer;
  beforeAll(async () => {
    ctx = await openContext('audit');
    dataDir = mkdtempSync(join(tmpdir(), 'cps-audit-'));
    cfg = loadConfig({ DATA_DIR: dataDir, AUDIT_SEQUENCE_INTERVAL_MS: '100' });
    checkpoints = new AuditCheckpoints(ctx.ds, cfg);
    sequencer = new AuditSequencer(ctx.ds, checkpoints, cfg);
  });
  afterAll(async () => {
    await sequencer.stop();
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The full check audit:verify makes: every checkpoint of the file and the table, with the key's public half. */
  async function verifyAll() {
    const file = await checkpoints.readFile();
    return ctx.audit.verify({
      checkpoints: [...file.checkpoints, ...(await checkpoints.all())],
      publicKey: await loadAuditPublicKey({ dataDir }),
      lateAfterMs: 60_000,
    });
  }

  const queued = async () => (await ctx.ds.query(`SELECT count(*)::int AS n FROM audit_queue`))[0].n as number;

  it('queues entries, then links them exactly as the verifier recomputes them, whatever the text', async () => {
    await ctx.ds.transaction(async (em) => {
      await ctx.audit.appendMany(em, [
        {
          actor: 'operator:Hélène',
          action: 'test.one',
          entity: 'job_run',
          entityId: '1',
          details: { name: "D'ALMEIDA « Œ » 😀", n: 1.5, deep: { b: [1, 'é'], a: null } },
        },
        { actor: 'operator:bob', action: 'test.two', entity: 'job_run', entityId: '2', details: { quote: '"\\\n\t', list: [] } },
      ]);
    });
    await ctx.audit.append(ctx.ds.manager, { actor: 'system', action: 'test.three', entity: 'job_run', entityId: '3' });
    expect(await queued()).toBe(3);
    expect((await ctx.audit.list({ entity: 'job_run' })).items.map((e) => e.seq)).toEqual([null, null, null]);

    const cp = await sequencer.checkpointNow();
    expect(cp).toMatchObject({ size: 3, integrated: 3 });
    expect(await queued()).toBe(0);
    const { items: entries } = await ctx.audit.list({ entity: 'job_run' });
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0].prevHash).toBe(GENESIS_HASH);
    expect(entries[2].hash).toBe(cp.head);
    expect(entries[1].hash).toBe(entryHash(entries[0].hash as string, entries[1]));

    const r = await verifyAll();
    expect(r).toMatchObject({ entries: 3, ok: true, firstBadEntry: null, sequenced: 3, queued: 0, problems: [] });
    expect(r.checkpoints).toMatchObject({ checked: 1, contradicted: 0, latest: { size: 3, head: cp.head } });
    expect((await checkpoints.readFile()).checkpoints).toEqual([
      { size: cp.size, head: cp.head, signedAt: cp.signedAt, keyId: cp.keyId, signature: cp.signature },
    ]);
  });

  it('lets 30 appenders queue at once, none waiting on a lock, and links each exactly once', async () => {
    const wide = await new DataSource({
      ...dataSourceOptions(appDataSourceParts(ctx.db.url, 'test-audit-wide')),
      extra: { max: 32 },
    }).initialize();
    try {
      const audit = new AuditService(wide);
      let appended = 0;
      let release!: () => void;
      const allAppended = new Promise<void>((r) => {
        release = r;
      });
      const locksWhileOpen: Array<{ locktype: string; granted: boolean }> = [];
      // Each transaction appends, then stays open until all 30 have appended: with a chain
      // lock, the second appender would wait for the first to commit, and this would hang.
      const txs = Array.from({ length: 30 }, (_, i) =>
        wide.transaction(async (em) => {
          await audit.append(em, { actor: `a${i}`, action: 'test.many', entity: 'crl', entityId: String(i) });
          appended += 1;
          if (appended === 30) {
            locksWhileOpen.push(
              ...(await ctx.ds.query(
                `SELECT l.locktype, l.granted FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                  WHERE a.datname = current_database() AND (l.locktype = 'advisory' OR NOT l.granted)`,
              )),
            );
            release();
          }
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            allAppended,
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`only ${appended} of 30 appended: a lock?`)), 15_000);
            }),
          ]).finally(() => clearTimeout(timer));
        }),
      );
      await Promise.all(txs);
      expect(locksWhileOpen).toEqual([]);
    } finally {
      await wide.destroy();
    }
    await sequencer.checkpointNow();
    const [{ n, distinct }] = await ctx.ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT c.entry_id)::int AS distinct FROM audit_chain c JOIN audit_log a ON a.id = c.entry_id
        WHERE a.entity = 'crl'`,
    );
    expect({ n, distinct }).toEqual({ n: 30, distinct: 30 });
    expect(await verifyAll()).toMatchObject({ entries: 33, ok: true, sequenced: 33 });
  });

  it('gives an entry whose transaction commits late a later place than a higher id committed before', async () => {
    const qr = ctx.ds.createQueryRunner();
    await qr.startTransaction();
    try {
      const early = await ctx.audit.append(qr.manager, { actor: 'slow', action: 'test.slow', entity: 'card_order', entityId: 'early' });
      const late = await ctx.audit.append(ctx.ds.manager, { actor: 'fast', action: 'test.fast', entity: 'card_order', entityId: 'late' });
      expect(BigInt(early)).toBeLessThan(BigInt(late));
      await sequencer.checkpointNow(); // sees only the committed one
      await qr.commitTransaction();
    } finally {
      await qr.release();
    }
    await sequencer.checkpointNow();
    const seq = Object.fromEntries((await ctx.audit.list({ entity: 'card_order' })).items.map((e) => [e.entityId, e.seq]));
    expect(seq.early).toBeGreaterThan(seq.late as number);
    expect((await verifyAll()).ok).toBe(true);
  });

  it('lets one process sequence at a time: sequencers racing with appenders link every entry once', async () => {
    const other = new AuditSequencer(ctx.ds, new AuditCheckpoints(ctx.ds, cfg), cfg);
    await Promise.all([sequencer.start(), other.start()]);
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          ctx.audit.append(ctx.ds.manager, { actor: 'racer', action: 'test.race', entity: 'rpps_event', entityId: String(i) }),
        ),
      );
      const deadline = Date.now() + 10_000;
      while ((await queued()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await Promise.all([sequencer.stop(), other.stop()]);
    }
    expect(await queued()).toBe(0);
    const [{ n }] = await ctx.ds.query(
      `SELECT count(*)::int AS n FROM audit_chain c JOIN audit_log a ON a.id = c.entry_id WHERE a.entity = 'rpps_event'`,
    );
    expect(n).toBe(60);
    const r = await verifyAll();
    expect(r).toMatchObject({ ok: true, queued: 0, problems: [] });
    expect(r.checkpoints.latest?.size).toBe(r.sequenced);
  });

  it('rolls the entry back with the transaction it records', async () => {
    await expect(
      ctx.ds.transaction(async (em) => {
        await ctx.audit.append(em, { actor: 'x', action: 'test.rolled-back', entity: 'job_run', entityId: 'never-committed' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await ctx.audit.list({ id: 'never-committed' })).items).toEqual([]);
    expect(await queued()).toBe(0);
  });

  it('reports a checkpoint not signed by the audit key, wherever it is found', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const state = await ctx.audit.chainState();
    const forged = signCheckpoint(
      { size: state.size, head: state.head as string, signedAt: new Date().toISOString() },
      privateKey,
      keyIdOf(publicKey),
    );
    appendFileSync(checkpoints.filePath, `${JSON.stringify(forged)}\n`);
    const r = await verifyAll();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint-forged', contradicts: { size: forged.size, signedAt: forged.signedAt } }),
    ]);
    expect(r.checkpoints.checked).toBeGreaterThan(0); // the genuine ones still count
  });

  it('keeps the chain and the checkpoints append-only', async () => {
    for (const sql of [
      `UPDATE audit_log SET actor = 'x'`,
      `DELETE FROM audit_chain`,
      `UPDATE audit_checkpoint SET size = 0`,
      `TRUNCATE audit_checkpoint`,
      `DELETE FROM audit_signing_key`,
    ]) {
      await expect(ctx.ds.query(sql)).rejects.toThrow(/is append-only/);
    }
  });

  describe('withEntry', () => {
    beforeAll(async () => {
      await ctx.ds.query(`CREATE TABLE with_entry_probe (id text PRIMARY KEY, label text NOT NULL UNIQUE)`);
    });
    const entriesOf = async (action: string) =>
      (await ctx.ds.query(
        `SELECT a.entity_id AS "entityId", a.actor, a.details, (q.entry_id IS NOT NULL OR c.entry_id IS NOT NULL) AS "queuedOrLinked"
           FROM audit_log a LEFT JOIN audit_queue q ON q.entry_id = a.id LEFT JOIN audit_chain c ON c.entry_id = a.id
          WHERE a.action = $1 ORDER BY a.entity_id`,
        [action],
      )) as Array<{ entityId: string; actor: string; details: unknown; queuedOrLinked: boolean }>;

    it('records one entry per row of the named expression, in the same statement, and returns those rows', async () => {
      const rows = await ctx.audit.withEntry<{ id: string; label: string }>(ctx.ds, {
        ctes: (p) => `ins AS (INSERT INTO with_entry_probe (id, label)
                              SELECT 'w' || g, ${p('label-')} || g FROM generate_series(1, 3) g RETURNING id, label)`,
        recorded: { cte: 'ins', idColumn: 'id' },
        entry: { actor: 'system:test', action: 'probe.create', entity: 'job_run', details: { k: 1 } },
      });
      expect(rows.map((r) => r.label).sort()).toEqual(['label-1', 'label-2', 'label-3']);
      expect(await entriesOf('probe.create')).toEqual(
        ['w1', 'w2', 'w3'].map((entityId) => ({ entityId, actor: 'system:test', details: { k: 1 }, queuedOrLinked: true })),
      );
    });

    it('leaves neither the change nor its entry when a part of the statement fails', async () => {
      await expect(
        ctx.audit.withEntry(ctx.ds, {
          ctes: (p) => `ins AS (INSERT INTO with_entry_probe (id, label) VALUES (${p('w9')}, ${p('fresh')}) RETURNING id),
                        dup AS (INSERT INTO with_entry_probe (id, label) SELECT 'w10', ${p('label-1')} FROM ins)`,
          recorded: { cte: 'ins', idColumn: 'id' },
          entry: { actor: 'system:test', action: 'probe.fail', entity: 'job_run' },
        }),
      ).rejects.toMatchObject({ code: '23505' });
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM with_entry_probe WHERE id IN ('w9', 'w10')`);
      expect(n).toBe(0);
      expect(await entriesOf('probe.fail')).toEqual([]);
    });

    it('refuses a recorded expression that is not a plain name of the caller', async () => {
      for (const recorded of [
        { cte: 'audit_entry', idColumn: 'id' },
        { cte: 'ins; DROP TABLE x', idColumn: 'id' },
        { cte: 'ins', idColumn: 'id"' },
      ]) {
        await expect(
          ctx.audit.withEntry(ctx.ds, {
            ctes: () => `ins AS (SELECT 1 AS id)`,
            recorded,
            entry: { actor: 'a', action: 'b', entity: 'crl' },
          }),
        ).rejects.toThrow(/not a plain SQL name/);
      }
    });
  });
});
