import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { Foundation1764160000000 } from '../../migrations/1764160000000-Foundation';
import { AuditService } from '../../src/common/audit/audit.service';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import {
  MigrationRun,
  MigrationsError,
  migrationStatus,
  pendingMigrations,
  revertLastMigration,
  runPendingMigrations,
} from '../../src/common/database/migrations';
import { appDataSourceParts } from '../../src/data-source-parts';
import { createTestDb, TestDb } from '../support/services';

/** Issue 13 item 7: migrations applied (and timed), reverted, refused when a revert would destroy data. */
const LAST = MIGRATIONS[MIGRATIONS.length - 1].name;
const ALL = MIGRATIONS.map((m) => m.name);

describe('migrations', () => {
  let db: TestDb;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDb('migrations');
    ds = await new DataSource(dataSourceOptions(appDataSourceParts(db.url, 'test-migrations'))).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('says which are applied and which pending; reverts the last, and applies it again, timed', async () => {
    expect(await migrationStatus(ds)).toEqual({ applied: ALL, pending: [], unknown: [] });
    const reverted = await revertLastMigration(ds, { forceDataLoss: false });
    expect(reverted).toEqual({ name: LAST, ms: expect.any(Number) });
    expect(await pendingMigrations(ds)).toEqual([LAST]);
    expect(await migrationStatus(ds)).toEqual({ applied: ALL.slice(0, -1), pending: [LAST], unknown: [] });

    const seen: MigrationRun[] = [];
    const applied = await runPendingMigrations(ds, (m) => seen.push(m));
    expect(applied).toEqual([{ name: LAST, ms: expect.any(Number) }]);
    expect(applied[0].ms).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual(applied);
    expect(await pendingMigrations(ds)).toEqual([]);
    expect(await runPendingMigrations(ds)).toEqual([]);
  });

  it('lists a migration applied to the database but unknown to this release', async () => {
    await ds.query(`INSERT INTO schema_migrations (timestamp, name) VALUES (1799999999999, 'FromANewerRelease1799999999999')`);
    try {
      expect((await migrationStatus(ds)).unknown).toEqual(['FromANewerRelease1799999999999']);
    } finally {
      await ds.query(`DELETE FROM schema_migrations WHERE name = 'FromANewerRelease1799999999999'`);
    }
  });

  it('refuses a revert that would destroy data, naming it, and changes nothing; forced, reverts', async () => {
    const [{ id }] = await ds.query(`INSERT INTO principal (name, kind) VALUES ('Claire Martin', 'person') RETURNING id`);
    await ds.query(`INSERT INTO console_account (principal_id, roles, created_at) VALUES ($1, '{operator}', now())`, [id]);
    // The last migration drops a search key computed from the names: no refusal.
    expect((await revertLastMigration(ds, { forceDataLoss: false }))?.name).toBe(LAST);
    const refusal = await revertLastMigration(ds, { forceDataLoss: false }).catch((e) => e);
    expect(refusal).toBeInstanceOf(MigrationsError);
    expect(refusal.code).toBe('data_loss_refused');
    expect(refusal.message).toBe(
      'reverting ConsoleAccounts1764201800000 would destroy the console accounts (1 row of console_account); nothing was changed. ' +
        'Save them elsewhere first, then revert with --force-data-loss (cps migrations:revert --force-data-loss)',
    );
    expect(await ds.query(`SELECT count(*)::int AS n FROM console_account`)).toEqual([{ n: 1 }]);
    expect(await pendingMigrations(ds)).toEqual([LAST]);

    expect(await revertLastMigration(ds, { forceDataLoss: true })).toEqual({
      name: 'ConsoleAccounts1764201800000',
      ms: expect.any(Number),
    });
    expect(await ds.query(`SELECT to_regclass('console_account') AS t`)).toEqual([{ t: null }]);
    expect((await runPendingMigrations(ds)).map((m) => m.name)).toEqual(['ConsoleAccounts1764201800000', LAST]);
  });

  it("refuses the down step that drops the audit trail while it holds entries (even outside the CLI's revert)", async () => {
    await new AuditService(ds).append(ds.manager, { actor: 'system', action: 'test.migrations', entity: 'job_run', entityId: '1' });
    const qr = ds.createQueryRunner();
    await qr.startTransaction();
    try {
      const refused = await new Foundation1764160000000().down(qr).catch((e) => e);
      expect(refused.code).toBe('data_loss_refused');
      expect(refused.message).toMatch(/^reverting Foundation1764160000000 would destroy the audit trail \(\d+ rows? of audit_log\)/);
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
    expect(await ds.query(`SELECT to_regclass('audit_log') IS NOT NULL AS kept`)).toEqual([{ kept: true }]);
  });
});
