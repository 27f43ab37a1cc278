import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentifierMigrationsService } from '../../src/rpps/identifier-migrations.service';
import { luhnCheckDigit } from '../../src/rpps/identifiers';
import { openContext, TestContext } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const ADELI = '0259200186'; // ZOLA JEAN, orthoptiste, one site (structure S30000003642745)
const RPPS_ID = `1000000999${luhnCheckDigit('1000000999')}`;
const RPPS = `8${RPPS_ID}`;

/** Day 2: the ADELI professional now appears under an RPPS number, same name, profession and site. */
function migratedDay(dir: string, stamp: string): string {
  const text = readFileSync(day1, 'utf8')
    .split('\n')
    .map((l) => (l.startsWith(`0|259200186|${ADELI}|`) ? l.replace(`0|259200186|${ADELI}|`, `8|${RPPS_ID}|${RPPS}|`) : l))
    .join('\n');
  const sub = join(dir, stamp);
  mkdirSync(sub);
  const p = join(sub, `PS_LibreAcces_Personne_activite_${stamp}.txt`);
  writeFileSync(p, text);
  return p;
}

async function eventsOf(ctx: TestContext, importId?: string) {
  const rows: Array<{ kind: string; national_id: string; details: Record<string, unknown> }> = await ctx.ds.query(
    `SELECT kind, national_id, details FROM rpps_event ${importId ? 'WHERE import_id = $1' : ''} ORDER BY id`,
    importId ? [importId] : [],
  );
  return rows;
}

describe(IdentifierMigrationsService.name, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cps-mig-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('without a correspondence file', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await openContext('migration-candidate');
      await ctx.imports.run({ files: [day1], actor: 't' });
    });
    afterAll(async () => ctx.close());

    it('makes a candidate for an operator, not a cessation plus a newcomer', async () => {
      const r = await ctx.imports.run({ files: [migratedDay(dir, '202611260600')], actor: 't' });
      expect(r.status).toBe('applied');
      expect(r.migrationCandidates).toBe(1);
      expect(r.events.CEASED).toBe(0);
      expect(r.events.NEW_PROFESSIONAL).toBe(0);
      expect(await eventsOf(ctx, r.importId)).toEqual([]);
      const [m] = (await ctx.migrations.list({ status: 'pending' })).items;
      expect(m).toEqual(expect.objectContaining({ adeliNationalId: ADELI, rppsNationalId: RPPS, source: 'candidate', status: 'pending' }));
      // both identifiers stay usable until someone decides
      expect((await ctx.rpps.getProfessional(ADELI)).status).toBe('active');
      expect((await ctx.rpps.getProfessional(RPPS)).status).toBe('active');
      expect((await ctx.rpps.getProfessional(ADELI)).situations).toHaveLength(1);
    });

    it('waits for the decision across the next imports (no second candidate, no cessation)', async () => {
      const r = await ctx.imports.run({ files: [migratedDay(dir, '202611270600')], actor: 't' });
      expect(r.status).toBe('unchanged');
      expect((await ctx.migrations.list({ status: 'pending' })).items).toHaveLength(1);
    });

    it('emits IDENTIFIER_MIGRATED when an operator confirms, and the ADELI identifier leaves the registry', async () => {
      const [m] = (await ctx.migrations.list({ status: 'pending' })).items;
      // 600 newer migrations (made up, already applied): the one decided is far from the latest page.
      await ctx.ds.query(
        `INSERT INTO rpps_identifier_migration (import_id, adeli_national_id, rpps_national_id, source, status)
         SELECT import_id, 'X' || g, 'Y' || g, 'correspondence', 'applied' FROM rpps_identifier_migration, generate_series(1, 600) g
          WHERE id = $1`,
        [m.id],
      );
      expect((await ctx.migrations.list({ status: 'all' })).total).toBe(601);
      // A page past the end still says how many there are.
      expect(await ctx.migrations.list({ status: 'all', page: 100 })).toEqual({
        items: [],
        page: 100,
        pageSize: 50,
        total: 601,
        totalIsLowerBound: false,
      });
      const decided = await ctx.migrations.decide(m.id, 'confirm', 'operator:alice');
      expect(decided).toEqual({ ...m, status: 'confirmed', decidedBy: 'operator:alice', decidedAt: expect.any(Date) });
      const events = await eventsOf(ctx);
      expect(events).toEqual([
        { kind: 'IDENTIFIER_MIGRATED', national_id: RPPS, details: expect.objectContaining({ fromNationalId: ADELI }) },
      ]);
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'kind' = 'IDENTIFIER_MIGRATED'`);
      expect(n).toBe(1);
      const adeli = await ctx.rpps.getProfessional(ADELI);
      expect(adeli).toEqual(expect.objectContaining({ status: 'ceased', migratedTo: RPPS, situations: [] }));
      const audit = (await ctx.audit.list({ entity: 'rpps_identifier_migration' })).items;
      expect(audit[0]).toEqual(expect.objectContaining({ actor: 'operator:alice', action: 'rpps.migration.confirmed' }));
    });

    it('refuses a second decision on the same candidate with a 409', async () => {
      const [m] = (await ctx.migrations.list({ status: 'confirmed' })).items;
      await expect(ctx.migrations.decide(m.id, 'reject', 'operator:bob')).rejects.toMatchObject({
        code: 'migration_already_decided',
        status: 409,
      });
    });
  });

  describe('when the operator rejects the candidate', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await openContext('migration-reject');
      await ctx.imports.run({ files: [day1], actor: 't' });
      await ctx.imports.run({ files: [migratedDay(dir, '202611260601')], actor: 't' });
    });
    afterAll(async () => ctx.close());

    it('emits what the import held back: CEASED for the ADELI identifier, NEW_PROFESSIONAL for the RPPS one', async () => {
      const [m] = (await ctx.migrations.list({ status: 'pending' })).items;
      await ctx.migrations.decide(m.id, 'reject', 'operator:alice');
      const events = (await eventsOf(ctx)).map((e) => [e.kind, e.national_id]);
      expect(events).toEqual([
        ['CEASED', ADELI],
        ['NEW_PROFESSIONAL', RPPS],
      ]);
      expect((await ctx.rpps.getProfessional(ADELI)).status).toBe('ceased');
    });
  });

  describe('with a correspondence file', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await openContext('migration-correspondence');
      await ctx.imports.run({ files: [day1], actor: 't' });
    });
    afterAll(async () => ctx.close());

    it('takes the file as authoritative: IDENTIFIER_MIGRATED at once, nothing for an operator', async () => {
      const corr = join(dir, 'correspondence.txt');
      writeFileSync(corr, `adeli;rpps\n${ADELI.slice(1)};${RPPS_ID}\n`);
      const r = await ctx.imports.run({ files: [migratedDay(dir, '202611260602')], correspondence: corr, actor: 't' });
      expect(r.events).toEqual(expect.objectContaining({ IDENTIFIER_MIGRATED: 1, CEASED: 0, NEW_PROFESSIONAL: 0 }));
      expect(r.migrationCandidates).toBe(0);
      expect((await eventsOf(ctx, r.importId)).map((e) => [e.kind, e.national_id])).toEqual([['IDENTIFIER_MIGRATED', RPPS]]);
      expect((await ctx.migrations.list({ status: 'applied' })).items).toEqual([
        expect.objectContaining({ adeliNationalId: ADELI, rppsNationalId: RPPS, source: 'correspondence' }),
      ]);
      expect(await ctx.rpps.getProfessional(ADELI)).toEqual(expect.objectContaining({ status: 'ceased', migratedTo: RPPS }));
    });

    it('refuses a malformed correspondence file before doing anything', async () => {
      const bad = join(dir, 'bad-correspondence.txt');
      writeFileSync(bad, `${ADELI.slice(1)};123\n`);
      await expect(ctx.imports.run({ files: [migratedDay(dir, '202611270602')], correspondence: bad, actor: 't' })).rejects.toMatchObject({
        code: 'unusable_input',
        message: expect.stringContaining('line 1'),
      });
    });
  });
});
