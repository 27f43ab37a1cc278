import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { appDataSourceParts } from '../../src/data-source-parts';
import { createTestDb, TestDb } from '../support/services';

describe('migrations and entities', () => {
  let db: TestDb;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDb('drift');
    ds = await new DataSource(dataSourceOptions(appDataSourceParts(db.url))).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('leave nothing for TypeORM to change: the entities describe exactly the migrated schema', async () => {
    const sql = await ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('have all been applied, in order, and none is pending', async () => {
    expect(await ds.showMigrations()).toBe(false);
    const applied = await ds.query(`SELECT name FROM schema_migrations ORDER BY id`);
    expect(applied.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('can be reverted and applied again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'rpps_professional'`,
    );
    expect(n).toBe(0);
    await ds.runMigrations();
    expect(await ds.showMigrations()).toBe(false);
  });
});
