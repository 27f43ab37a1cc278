import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RppsImportService } from '../../src/rpps/rpps-import.service';
import { openContext, registrySnapshot, TestContext } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const day3 = join(FIX, 'PS_LibreAcces_Personne_activite_202611270600.txt');
const sf3 = join(FIX, 'PS_LibreAcces_SavoirFaire_202611270600.txt');
const expected = JSON.parse(readFileSync(`${day2}.expected.json`, 'utf8')) as {
  ceased: string[];
  new: string[];
  site_changed: string[];
  identity_changed: string[];
};

describe(RppsImportService.name, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openContext('registry-import');
  });
  afterAll(async () => ctx.close());

  it('takes the first import into an empty registry as the baseline, with no event', async () => {
    const r = await ctx.imports.run({ files: [day1], actor: 'test' });
    expect(r.status).toBe('baseline');
    expect(r.rejects).toEqual([]);
    expect(r.rowsRead).toBe(61);
    expect(Object.values(r.events).every((n) => n === 0)).toBe(true);
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM rpps_event`);
    expect(n).toBe(0);
    const [{ p }] = await ctx.ds.query(`SELECT count(*)::int AS p FROM rpps_professional`);
    expect(p).toBe(r.professionals.after);
    const [{ s }] = await ctx.ds.query(`SELECT count(*)::int AS s FROM rpps_situation`);
    expect(s).toBe(61);
  });

  it('finds exactly the changes listed beside the next-day fixture', async () => {
    const r = await ctx.imports.run({ files: [day2], actor: 'test' });
    expect(r.status).toBe('applied');
    const rows: Array<{ kind: string; national_id: string }> = await ctx.ds.query(
      `SELECT kind, national_id FROM rpps_event WHERE import_id = $1 ORDER BY kind, national_id`,
      [r.importId],
    );
    const of = (kind: string) =>
      rows
        .filter((x) => x.kind === kind)
        .map((x) => x.national_id)
        .sort();
    expect(of('NEW_PROFESSIONAL')).toEqual([...expected.new].sort());
    expect(of('CEASED')).toEqual([...expected.ceased].sort());
    expect(of('SITUATION_CHANGED')).toEqual([...expected.site_changed].sort());
    expect(of('IDENTITY_CHANGED')).toEqual([...expected.identity_changed].sort());
    expect(of('PROFESSION_ADDED')).toEqual([]);
    expect(of('PROFESSION_REMOVED')).toEqual([]);
    expect(of('IDENTIFIER_MIGRATED')).toEqual([]);
    expect(r.events).toEqual({
      NEW_PROFESSIONAL: expected.new.length,
      PROFESSION_ADDED: 0,
      PROFESSION_REMOVED: 0,
      IDENTITY_CHANGED: expected.identity_changed.length,
      SITUATION_CHANGED: expected.site_changed.length,
      IDENTIFIER_MIGRATED: 0,
      CEASED: expected.ceased.length,
    });
    // every event went to the outbox in the same transaction, payload ids only
    const outbox: Array<{ topic: string; payload: Record<string, string> }> = await ctx.ds.query(
      `SELECT topic, payload FROM outbox ORDER BY id`,
    );
    expect(outbox).toHaveLength(rows.length);
    for (const o of outbox) {
      expect(o.topic).toBe('registry.event');
      expect(Object.keys(o.payload).sort()).toEqual(['eventId', 'kind']);
    }
    // the registry now holds the day-2 state
    const renamed = await ctx.rpps.getProfessional(expected.identity_changed[0]);
    expect(renamed.lastName).toBe('ZOLA-BERTRAND');
    const gone = await ctx.rpps.getProfessional(expected.ceased[0]);
    expect(gone.status).toBe('ceased');
    expect(gone.situations).toEqual([]);
    const moved = await ctx.rpps.getProfessional(expected.site_changed[0]);
    expect(moved.situations.map((s) => s.siteName)).toContain('CABINET MÜLLER');
  });

  it('gives "unchanged" and no event when the same file is imported again', async () => {
    const before = await registrySnapshot(ctx.ds);
    const r = await ctx.imports.run({ files: [day2], actor: 'test' });
    expect(r.status).toBe('unchanged');
    expect(Object.values(r.events).every((n) => n === 0)).toBe(true);
    expect(await registrySnapshot(ctx.ds)).toEqual(before);
  });

  it('imports the 56-column layout with its SavoirFaire file, specialties attached', async () => {
    const r = await ctx.imports.run({ files: [day3, sf3], actor: 'test', confirmMassChange: true });
    expect(r.layout).toBe('personne-activite-56');
    expect(r.rejects).toEqual([]);
    const sf = readFileSync(sf3, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('|'));
    expect(sf.length).toBeGreaterThan(0);
    for (const [nationalId, profession, type, , code] of sf) {
      const p = await ctx.rpps.getProfessional(nationalId);
      expect(p.professions).toContainEqual(
        expect.objectContaining({ professionCode: profession, specialtyTypeCode: type, specialtyCode: code }),
      );
    }
  });

  it('leaves the schema as the migrations made it (the swapped situation table keeps its key)', async () => {
    const sql = await ctx.ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
    const leftovers = await ctx.ds.query(
      `SELECT tablename FROM pg_tables WHERE tablename LIKE 'rpps\\_stage\\_%' OR tablename LIKE 'rpps\\_situation\\_next\\_%'`,
    );
    expect(leftovers).toEqual([]);
  });

  it('writes each import to the audit trail', async () => {
    const { items: entries } = await ctx.audit.list({ entity: 'rpps_import' });
    expect(entries.map((e) => e.action)).toEqual([
      'rpps.import.baseline',
      'rpps.import.applied',
      'rpps.import.unchanged',
      'rpps.import.applied',
    ]);
    expect((await ctx.audit.verify()).ok).toBe(true);
  });
});
