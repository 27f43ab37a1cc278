import { DataSource } from 'typeorm';
import { AuditService } from '../../src/common/audit/audit.service';
import { Clock } from '../../src/common/clock/clock';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { JobsService } from '../../src/common/jobs/jobs.service';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { appDataSourceParts } from '../../src/data-source-parts';
import { IdentifierMigrationsService } from '../../src/rpps/identifier-migrations.service';
import { RppsService } from '../../src/rpps/rpps.service';
import { RppsImportService } from '../../src/rpps/rpps-import.service';
import { createTestDb, TestDb } from './services';

/** The configuration services get in tests: the defaults, and what the test sets (never the developer's environment). */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig(env);
}

export interface TestContext {
  db: TestDb;
  cfg: AppConfig;
  /** The system clock; a test of dates makes its own with Clock.startingAt. */
  clock: Clock;
  ds: DataSource;
  audit: AuditService;
  jobs: JobsService;
  imports: RppsImportService;
  rpps: RppsService;
  migrations: IdentifierMigrationsService;
  close(): Promise<void>;
}

/** The services of the registry over a fresh database of this test file's own. */
export async function openContext(label: string): Promise<TestContext> {
  const db = await createTestDb(label);
  const ds = await new DataSource(dataSourceOptions(appDataSourceParts(db.url, `test-${label}`))).initialize();
  const audit = new AuditService(ds);
  const jobs = new JobsService(ds);
  const cfg = testConfig();
  const clock = Clock.system();
  const imports = new RppsImportService(ds, audit, jobs, cfg, clock, new OutboxService());
  const rpps = new RppsService(ds);
  const migrations = new IdentifierMigrationsService(ds, audit, new OutboxService());
  return {
    db,
    cfg,
    clock,
    ds,
    audit,
    jobs,
    imports,
    rpps,
    migrations,
    async close() {
      await ds.destroy();
      await db.drop();
    },
  };
}

/** The registry's content in a comparable form (no ids, no timestamps). */
export async function registrySnapshot(ds: DataSource) {
  const professionals = await ds.query(
    `SELECT national_id, id_type, identifier, civility_practice_code, civility_code, last_name, first_name,
            situations_digest, professions_digest, ceased_at IS NOT NULL AS ceased, migrated_to
       FROM rpps_professional ORDER BY national_id`,
  );
  const professions = await ds.query(`SELECT * FROM rpps_profession ORDER BY national_id, profession_code`);
  const situations = await ds.query(
    `SELECT national_id, profession_code, situation_hash, structure_id, site_name, raw_line
       FROM rpps_situation ORDER BY national_id, situation_hash, raw_line`,
  );
  const events = await ds.query(
    `SELECT e.kind, e.national_id, e.profession_code, e.details FROM rpps_event e ORDER BY e.kind, e.national_id, e.profession_code`,
  );
  const outbox = await ds.query(`SELECT topic, payload->>'kind' AS kind FROM outbox ORDER BY topic, kind`);
  return { professionals, professions, situations, events, outbox };
}
