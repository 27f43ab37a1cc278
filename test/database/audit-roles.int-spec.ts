import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/common/audit/audit.service';
import { AuditCheckpoints } from '../../src/common/audit/audit-checkpoints.service';
import { applicationRoleGrants } from '../../src/common/audit/audit-database-role';
import { AuditSequencer } from '../../src/common/audit/audit-sequencer.service';
import { loadConfig } from '../../src/common/config/config';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { withDatabase } from '../../src/common/database/database-url';
import { appDataSourceParts } from '../../src/data-source-parts';
import { BASE_DATABASE_URL, createTestDb, TestDb } from '../support/services';

/** The README's "Database roles": the application connects as a role that can add audit rows, never change them. */
describe('the application database role', () => {
  const role = `cps_app_t_${process.pid}_${randomBytes(3).toString('hex')}`;
  let db: TestDb;
  let owner: Client;
  let app: DataSource;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDb('audit-roles');
    owner = new Client({ connectionString: db.url });
    await owner.connect();
    await owner.query(`CREATE ROLE ${role} LOGIN`);
    for (const sql of applicationRoleGrants(role, db.name)) await owner.query(sql);
    const url = new URL(db.url);
    url.username = role;
    url.password = '';
    app = await new DataSource(dataSourceOptions(appDataSourceParts(url.toString(), 'test-audit-role'))).initialize();
    dataDir = mkdtempSync(join(tmpdir(), 'cps-audit-role-'));
  });
  afterAll(async () => {
    await app?.destroy();
    await owner?.end();
    await db?.drop();
    const admin = new Client({ connectionString: withDatabase(BASE_DATABASE_URL, 'postgres') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is who the connection runs as, and not a superuser', async () => {
    const [r] = await app.query(`SELECT current_user AS who, rolsuper FROM pg_roles WHERE rolname = current_user`);
    expect(r).toEqual({ who: role, rolsuper: false });
  });

  it('appends audit entries, and the sequencer links and signs them under it', async () => {
    const audit = new AuditService(app);
    await app.transaction((em) => audit.append(em, { actor: 'system', action: 'test.as-role', entity: 'job_run', entityId: '1' }));
    const cfg = loadConfig({ DATA_DIR: dataDir });
    const cp = await new AuditSequencer(app, new AuditCheckpoints(app, cfg), cfg).checkpointNow();
    expect(cp).toMatchObject({ size: 1, integrated: 1 });
    // the rest of the application's tables stay writable
    await app.query(`INSERT INTO job_run (kind, state, actor) VALUES ('test', 'queued', 'x')`);
    expect((await app.query(`UPDATE job_run SET state = 'running' RETURNING id`)).length).toBeGreaterThan(0);
  });

  it.each([
    `UPDATE audit_log SET actor = 'someone else'`,
    `DELETE FROM audit_log`,
    `TRUNCATE audit_log`,
    `UPDATE audit_chain SET hash = 'x'`,
    `DELETE FROM audit_chain`,
    `UPDATE audit_checkpoint SET size = 0`,
    `DELETE FROM audit_checkpoint`,
    `DELETE FROM audit_signing_key`,
  ])('is refused by permission, before any trigger: %s', async (sql) => {
    await expect(app.query(sql)).rejects.toThrow(/permission denied for table audit_/);
  });

  it('cannot switch the append-only triggers off', async () => {
    await expect(app.query(`SET session_replication_role = replica`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`)).rejects.toThrow(/must be owner/);
  });
});
