import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutPostalAddress, PostalAddressFields, postalCapitals } from '../../src/mailing/postal-address';
import { letterAddressee, MailingAddress } from '../../src/rpps/mailing-address';
import { addMod48, hashAdd, hashBegin, hashEnd } from '../../src/rpps/stable-hash';
import { openContext, TestContext } from '../support/context';

const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const day2 = join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt');
const day3 = join(FIX, 'PS_LibreAcces_Personne_activite_202611270600.txt');
const sf3 = join(FIX, 'PS_LibreAcces_SavoirFaire_202611270600.txt');
/** Synthetic lines with what the other fixtures lack: complements, repetition index, distribution mention, cedex, abroad. */
const addresses = join(FIX, 'addresses', 'PS_LibreAcces_Personne_activite_202611280600.txt');
const expectedDay2 = JSON.parse(readFileSync(`${day2}.expected.json`, 'utf8')) as { ceased: string[]; site_changed: string[] };

/** The columns this feature added to rpps_situation. */
const NEW_COLUMNS = ['recipient_complement', 'geo_complement', 'repetition_index', 'distribution_mention', 'country_code', 'country_label'];
/** Their names in the extract. */
const NEW_HEADERS = [
  'Complément destinataire (coord. structure)',
  'Complément point géographique (coord. structure)',
  'Indice répétition voie (coord. structure)',
  'Mention distribution (coord. structure)',
  'Code pays (coord. structure)',
  'Libellé pays (coord. structure)',
];

const MARTIN = '810000900018';
const MULLER = '810000900026';
const LEROY = '810000900034';
const PETIT = '810000900042';
const BERNARD = '810000900059';

const EMPTY_FIELDS = {
  recipientComplement: '',
  building: '',
  streetNumber: '',
  repetitionIndex: '',
  streetTypeLabel: '',
  streetLabel: '',
  distributionMention: '',
  cedexOffice: '',
  postalCode: '',
  town: '',
  countryCode: '',
  countryLabel: '',
};

async function newColumns(ctx: TestContext): Promise<Array<Record<string, string>>> {
  return ctx.ds.query(`SELECT national_id, source_line, ${NEW_COLUMNS.join(', ')} FROM rpps_situation ORDER BY national_id, source_line`);
}

/** The pre-upgrade state: the rows were written before the migration added the columns (their default, ''). */
async function blankNewColumns(ctx: TestContext): Promise<void> {
  await ctx.ds.query(`UPDATE rpps_situation SET ${NEW_COLUMNS.map((c) => `${c} = ''`).join(', ')}`);
}

async function eventCount(ctx: TestContext, kind?: string): Promise<number> {
  const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM rpps_event WHERE $1::text IS NULL OR kind = $1`, [kind ?? null]);
  return n;
}

describe('the address of the letters, from the registry (issue 11)', () => {
  let ctx: TestContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await openContext('mailing-address');
    dir = mkdtempSync(join(tmpdir(), 'cps-addresses-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ctx.close();
  });

  /** The addresses fixture, edited, under another stamp (the import dates an extract by its name). */
  function variant(stamp: string, edit: (lines: string[]) => string[]): string {
    const lines = readFileSync(addresses, 'utf8').split('\n').filter(Boolean);
    const path = join(dir, `PS_LibreAcces_Personne_activite_${stamp}.txt`);
    writeFileSync(path, `${edit(lines).join('\n')}\n`);
    return path;
  }

  it('stores the six address columns of every situation, the line as read kept beside them', async () => {
    const r = await ctx.imports.run({ files: [addresses], actor: 'test' });
    expect(r.status).toBe('baseline');
    expect(r.rejects).toEqual([]);
    const rows: Array<Record<string, string>> = await ctx.ds.query(
      `SELECT national_id, profession_code, ${NEW_COLUMNS.join(', ')}, street_number, cedex, raw_line
         FROM rpps_situation ORDER BY source_line`,
    );
    const lines = readFileSync(addresses, 'utf8').split('\n').filter(Boolean).slice(1);
    expect(rows.map((x) => x.raw_line)).toEqual(lines);
    expect(rows[0]).toMatchObject({
      national_id: MARTIN,
      recipient_complement: 'SERVICE DE CARDIOLOGIE',
      geo_complement: 'BÂTIMENT B ENTRÉE 2',
      repetition_index: 'B',
      distribution_mention: 'BP 123',
      country_code: '99000',
      country_label: 'France',
      street_number: '4',
      cedex: '69372 LYON CEDEX 08',
    });
    expect(rows[2]).toMatchObject({ national_id: MULLER, country_code: '99140', country_label: 'Suisse', cedex: '' });
    expect(rows[3]).toMatchObject({ national_id: LEROY, repetition_index: 'T', distribution_mention: 'LIEU-DIT LES PINS' });
    expect(rows[6]).toMatchObject({ national_id: BERNARD, recipient_complement: '', country_code: '', country_label: '' });
  });

  it("gives the addressee as printed and every field of the first situation of the card's profession", async () => {
    const martin = await ctx.rpps.mailingAddress(MARTIN, '10');
    expect(martin).toEqual({
      addressee: 'Dr PAUL MARTIN',
      fields: {
        recipientComplement: 'SERVICE DE CARDIOLOGIE',
        building: 'BÂTIMENT B ENTRÉE 2',
        streetNumber: '4',
        repetitionIndex: 'B',
        streetTypeLabel: 'Rue',
        streetLabel: 'DES ÉCOLES',
        distributionMention: 'BP 123',
        cedexOffice: '69372 LYON CEDEX 08',
        postalCode: '69008',
        town: 'LYON 8E ARRONDISSEMENT',
        countryCode: '99000',
        countryLabel: 'France',
      },
    });
    // what the letters call takes it as it is (checked by the compiler)
    const fields: PostalAddressFields = (martin as MailingAddress).fields;
    expect(layoutPostalAddress(martin!.addressee, fields)).toEqual({
      ok: true,
      lines: ['Dr PAUL MARTIN', 'SERVICE DE CARDIOLOGIE', 'BÂTIMENT B ENTRÉE 2', '4 BIS Rue DES ÉCOLES', 'BP 123', '69372 LYON CEDEX 08'],
    });

    const muller = await ctx.rpps.mailingAddress(MULLER, '60');
    expect(muller?.addressee).toBe('Mme ANNE MÜLLER');
    expect(layoutPostalAddress(muller!.addressee, muller!.fields)).toEqual({
      ok: true,
      lines: ['Mme ANNE MÜLLER', '12 Rue DU RHÔNE', '1204 GENÈVE', 'SUISSE'],
    });

    const leroy = await ctx.rpps.mailingAddress(LEROY, '10');
    expect(layoutPostalAddress(leroy!.addressee, leroy!.fields)).toEqual({
      ok: true,
      lines: ['Pr JEAN LEROY', '7 TER Avenue FOCH', 'LIEU-DIT LES PINS', '29200 BREST'],
    });

    // two professions: each its own first situation; MLLE written Mme
    const dentist = await ctx.rpps.mailingAddress(PETIT, '40');
    const pharmacist = await ctx.rpps.mailingAddress(PETIT, '21');
    expect(layoutPostalAddress(dentist!.addressee, dentist!.fields)).toEqual({
      ok: true,
      lines: ['Mme CLAIRE PETIT', 'RÉSIDENCE LES TILLEULS', "3 Rue D'ALSACE", '59000 LILLE'],
    });
    expect(layoutPostalAddress(pharmacist!.addressee, pharmacist!.fields)).toEqual({
      ok: true,
      lines: ['Mme CLAIRE PETIT', '25 Boulevard DE LA LIBERTÉ', '59000 LILLE'],
    });

    // a situation without an address: the letter waits, with the reason
    const bernard = await ctx.rpps.mailingAddress(BERNARD, '10');
    expect(bernard).toEqual({ addressee: 'Dr SOPHIE BERNARD', fields: EMPTY_FIELDS });
    expect(layoutPostalAddress(bernard!.addressee, bernard!.fields)).toEqual({ ok: false, reason: 'no postal code' });

    // unknown professional, profession not held
    expect(await ctx.rpps.mailingAddress('810000000000', '10')).toBeNull();
    expect(await ctx.rpps.mailingAddress(MARTIN, '21')).toBeNull();
  });

  it('reads many pairs in one query, in the order asked, and gives the same as SQL inside a set-based query', async () => {
    const pairs = [
      { nationalId: PETIT, professionCode: '21' },
      { nationalId: 'nobody', professionCode: '10' },
      { nationalId: MARTIN, professionCode: '10' },
      { nationalId: PETIT, professionCode: '40' },
      { nationalId: MULLER, professionCode: '60' },
    ];
    let queries = 0;
    const db = {
      query: (sql: string, params?: unknown[]) => {
        queries += 1;
        return ctx.ds.query(sql, params);
      },
    };
    const many = await ctx.rpps.mailingAddresses(pairs, db);
    expect(queries).toBe(1);
    const one = [];
    for (const p of pairs) one.push(await ctx.rpps.mailingAddress(p.nationalId, p.professionCode));
    expect(many).toEqual(one);
    expect(many[1]).toBeNull();
    expect(many[0]?.fields.streetLabel).toBe('DE LA LIBERTÉ');
    expect(many[3]?.fields.streetLabel).toBe("D'ALSACE");
    expect(await ctx.rpps.mailingAddresses([])).toEqual([]);

    const rows: Array<{ nid: string; prof: string; address: MailingAddress | null }> = await ctx.ds.query(
      `SELECT x.nid, x.prof, ${ctx.rpps.mailingAddressSql('x.nid', 'x.prof')} AS address
         FROM unnest($1::text[], $2::text[]) AS x(nid, prof)`,
      [pairs.map((p) => p.nationalId), pairs.map((p) => p.professionCode)],
    );
    for (const row of rows) {
      expect(row.address).toEqual(many[pairs.findIndex((p) => p.nationalId === row.nid && p.professionCode === row.prof)]);
    }
  });

  it('keeps the situation digests as they were before these columns: the hash covers the same 16 fields', async () => {
    // The pre-upgrade definition of a line's hash (extract-stager.ts); rpps_professional holds
    // digests made by it, which the first import after the upgrade compares with its own.
    const HASHED = [
      'Code profession',
      'Code mode exercice',
      "Code secteur d'activité",
      'Numéro SIRET site',
      'Numéro SIREN site',
      'Numéro FINESS site',
      'Numéro FINESS établissement juridique',
      'Identifiant technique de la structure',
      'Raison sociale site',
      'Numéro Voie (coord. structure)',
      'Libellé type de voie (coord. structure)',
      'Libellé Voie (coord. structure)',
      'Code postal (coord. structure)',
      'Libellé commune (coord. structure)',
      'Bureau cedex (coord. structure)',
      "Autorité d'enregistrement",
    ];
    const [head, ...lines] = readFileSync(addresses, 'utf8').split('\n').filter(Boolean);
    const names = head.split('|');
    const digests = new Map<string, { sum: number; count: number }>();
    for (const line of lines) {
      const f = line.split('|');
      hashBegin();
      for (const n of HASHED) hashAdd(f[names.indexOf(n)]);
      const d = digests.get(f[2]) ?? { sum: 0, count: 0 };
      digests.set(f[2], { sum: addMod48(d.sum, hashEnd()), count: d.count + 1 });
    }
    const stored: Array<{ national_id: string; situations_digest: string }> = await ctx.ds.query(
      `SELECT national_id, situations_digest FROM rpps_professional ORDER BY national_id`,
    );
    expect(stored).toEqual(
      [...digests].sort(([a], [b]) => a.localeCompare(b)).map(([id, d]) => ({ national_id: id, situations_digest: `${d.sum}:${d.count}` })),
    );
  });

  it('the first import after the upgrade (the columns empty in the database) emits no event and fills them', async () => {
    const filled = await newColumns(ctx);
    await blankNewColumns(ctx);
    expect((await ctx.rpps.mailingAddress(MARTIN, '10'))?.fields.recipientComplement).toBe('');
    const r = await ctx.imports.run({ files: [addresses], actor: 'test' });
    expect(r.status).toBe('unchanged');
    expect(Object.values(r.events).every((n) => n === 0)).toBe(true);
    expect(await eventCount(ctx)).toBe(0);
    expect(await newColumns(ctx)).toEqual(filled);
  });

  it('stores a change of these columns alone without a SITUATION_CHANGED (no card carries them)', async () => {
    const moved = variant('202611290600', (lines) =>
      lines.map((l) => l.replace('SERVICE DE CARDIOLOGIE|BÂTIMENT B ENTRÉE 2|4|B|', 'SERVICE DE RYTHMOLOGIE|BÂTIMENT C|4|T|')),
    );
    const r = await ctx.imports.run({ files: [moved], actor: 'test' });
    expect(r.status).toBe('unchanged');
    expect(await eventCount(ctx)).toBe(0);
    const martin = await ctx.rpps.mailingAddress(MARTIN, '10');
    expect(martin?.fields).toMatchObject({ recipientComplement: 'SERVICE DE RYTHMOLOGIE', building: 'BÂTIMENT C', repetitionIndex: 'T' });
  });

  it('imports an extract without these columns (matched by name), leaving them empty', async () => {
    const without = variant('202611300600', (lines) => {
      const names = lines[0].split('|');
      const drop = new Set(NEW_HEADERS.map((h) => names.indexOf(h)));
      expect(drop.has(-1)).toBe(false);
      return lines.map((l) =>
        l
          .split('|')
          .filter((_, i) => !drop.has(i))
          .join('|'),
      );
    });
    const r = await ctx.imports.run({ files: [without], actor: 'test' });
    expect(r.rejects).toEqual([]);
    expect(r.rowsAccepted).toBe(7);
    expect(r.status).toBe('unchanged');
    const rows = await newColumns(ctx);
    expect(rows).toHaveLength(7);
    for (const row of rows) for (const c of NEW_COLUMNS) expect(row[c]).toBe('');
    const martin = await ctx.rpps.mailingAddress(MARTIN, '10');
    expect(martin?.fields).toMatchObject({
      recipientComplement: '',
      streetNumber: '4',
      cedexOffice: '69372 LYON CEDEX 08',
      countryCode: '',
    });
    // no country given is France
    expect(layoutPostalAddress(martin!.addressee, martin!.fields)).toEqual({
      ok: true,
      lines: ['Dr PAUL MARTIN', '4 Rue DES ÉCOLES', '69372 LYON CEDEX 08'],
    });
  });
});

describe('the addresses of every professional of the registry fixtures', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openContext('mailing-address-fixtures');
  });
  afterAll(async () => ctx.close());

  /** Every (professional, profession) of the registry, its address, and its identity. */
  async function everyAddress() {
    const held: Array<{
      nationalId: string;
      professionCode: string;
      civilityPracticeCode: string;
      civilityCode: string;
      firstName: string;
      lastName: string;
    }> = await ctx.ds.query(
      `SELECT p.national_id AS "nationalId", pr.profession_code AS "professionCode", p.civility_practice_code AS "civilityPracticeCode",
                p.civility_code AS "civilityCode", p.first_name AS "firstName", p.last_name AS "lastName"
           FROM rpps_professional p JOIN rpps_profession pr ON pr.national_id = p.national_id
          WHERE p.ceased_at IS NULL ORDER BY 1, 2`,
    );
    const addresses = await ctx.rpps.mailingAddresses(held);
    return held.map((h, i) => ({ ...h, address: addresses[i] }));
  }

  /** The (professional, profession) pairs of an extract (both columns come before the savoir-faire slots of the 56-column lines). */
  function pairsIn(file: string): number {
    const [head, ...lines] = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const names = head.split('|');
    const [nid, prof] = [names.indexOf('Identification nationale PP'), names.indexOf('Code profession')];
    return new Set(lines.map((l) => l.split('|')).map((f) => `${f[nid]}:${f[prof]}`)).size;
  }

  /** Each laid out by the letters' layout: every one of these fixtures is a well-formed French address. */
  async function expectEveryAddressLaidOut(file: string) {
    const all = await everyAddress();
    expect(all).toHaveLength(pairsIn(file));
    for (const a of all) {
      expect(a.address).not.toBeNull();
      expect(a.address!.addressee).toBe(letterAddressee(a));
      const layout = layoutPostalAddress(a.address!.addressee, a.address!.fields);
      expect({ who: a.nationalId, layout }).toEqual({ who: a.nationalId, layout: { ok: true, lines: expect.any(Array) } });
      if (!layout.ok) continue;
      // France (code 99000): the distribution line last, no country line
      expect(layout.lines[layout.lines.length - 1]).toBe(postalCapitals(a.address!.fields.cedexOffice));
      expect(a.address!.fields.countryCode).toBe('99000');
    }
    return all;
  }

  it('after the upgrade, importing day 1 again over situations with empty new columns emits no SITUATION_CHANGED and fills them', async () => {
    expect((await ctx.imports.run({ files: [day1], actor: 'test' })).status).toBe('baseline');
    const filled = await newColumns(ctx);
    expect(filled.every((r) => r.country_code === '99000' && r.country_label === 'France')).toBe(true);
    await blankNewColumns(ctx);
    const r = await ctx.imports.run({ files: [day1], actor: 'test' });
    expect(r.status).toBe('unchanged');
    expect(r.events.SITUATION_CHANGED).toBe(0);
    expect(await eventCount(ctx, 'SITUATION_CHANGED')).toBe(0);
    expect(await eventCount(ctx)).toBe(0);
    expect(await newColumns(ctx)).toEqual(filled);
  });

  it('gives every professional of day 1 an address the letters lay out, the addressee with its civility', async () => {
    const all = await expectEveryAddressLaidOut(day1);
    const addressees = all.map((a) => a.address!.addressee);
    expect(addressees.some((a) => a.startsWith('Dr '))).toBe(true);
    expect(addressees.some((a) => a.startsWith('M. '))).toBe(true);
    expect(addressees.some((a) => a.startsWith('Mme '))).toBe(true);
  });

  it('day 2 still finds exactly its listed changes; the ceased professional has no address any more', async () => {
    const r = await ctx.imports.run({ files: [day2], actor: 'test' });
    expect(r.status).toBe('applied');
    const changed: Array<{ national_id: string }> = await ctx.ds.query(
      `SELECT national_id FROM rpps_event WHERE kind = 'SITUATION_CHANGED' ORDER BY national_id`,
    );
    expect(changed.map((x) => x.national_id)).toEqual([...expectedDay2.site_changed].sort());
    const [{ profession_code }] = await ctx.ds.query(
      `SELECT details->'professions'->>0 AS profession_code FROM rpps_event WHERE kind = 'CEASED' AND national_id = $1`,
      [expectedDay2.ceased[0]],
    );
    expect(profession_code).toMatch(/^\d\d$/);
    expect(await ctx.rpps.mailingAddress(expectedDay2.ceased[0], profession_code)).toBeNull();
    await expectEveryAddressLaidOut(day2);
  });

  it('reads the address columns of the 56-column layout by their names too', async () => {
    const r = await ctx.imports.run({ files: [day3, sf3], actor: 'test', confirmMassChange: true });
    expect(r.layout).toBe('personne-activite-56');
    expect(r.rejects).toEqual([]);
    await expectEveryAddressLaidOut(day3);
  });
});
