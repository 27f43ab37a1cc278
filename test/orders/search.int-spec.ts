import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistrySearchKey1764201840000 } from '../../migrations/1764201840000-RegistrySearchKey';
import { OutboxService } from '../../src/common/outbox/outbox.service';
import { CardsService } from '../../src/orders/cards.service';
import { SearchQuery } from '../../src/orders/dto/search.dto';
import { SearchService } from '../../src/orders/search.service';
import { luhnCheckDigit } from '../../src/rpps/identifiers';
import { nameKeys } from '../../src/rpps/name-key';
import { RegistrySearchService } from '../../src/rpps/registry-search.service';
import { openContext, TestContext } from '../support/context';
import { setField } from '../support/extract-files';

const FIX = join(__dirname, '..', 'fixtures');
const [header, template] = readFileSync(join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt'), 'utf8').split('\n');

/** An RPPS professional's line of the extract (the fixture's first line with this identity). */
function line(n: number, lastName: string, firstName: string): { nationalId: string; text: string } {
  const payload = String(20_000_000_00 + n);
  const rpps = payload + luhnCheckDigit(payload);
  let text = setField(template, 1, rpps);
  text = setField(text, 2, `8${rpps}`);
  text = setField(text, 7, lastName);
  text = setField(text, 8, firstName);
  return { nationalId: `8${rpps}`, text };
}

/** An ADELI professional's line (identifier 0 + 9 digits: the shape of a card number). */
function adeliLine(n: number, lastName: string, firstName: string): { nationalId: string; text: string } {
  const payload = String(69_260_000 + n);
  const adeli = payload + luhnCheckDigit(payload);
  let text = setField(template, 0, '0');
  text = setField(text, 1, adeli);
  text = setField(text, 2, `0${adeli}`);
  text = setField(text, 7, lastName);
  text = setField(text, 8, firstName);
  return { nationalId: `0${adeli}`, text };
}

/** More MARTINs than a name search counts. */
const MARTINS = 1005;

describe(SearchService.name, () => {
  let ctx: TestContext;
  let search: SearchService;
  let dir: string;
  /** `q` as the route's query reads it (SearchQuery): what the service is given. */
  const read = (q: string) => SearchQuery.schema.parse({ q }).q;
  const names = async (q: string, page = 1, pageSize = 20) =>
    (await search.search({ q: read(q), page, pageSize })).items.map((i) => `${i.lastName} ${i.firstName}`);

  const lefevre = line(1, 'LEFÈVRE', 'Hélène');
  const dargent = line(2, "D'ARGENT", 'Jean-Édouard');
  const dupontJean = line(3, 'DUPONT', 'Jean');
  const dupontJeanne = line(4, 'DUPONT', 'Marie-Jeanne');
  const dupontel = line(5, 'DUPONTEL', 'Ana');
  const jeanDupuis = line(6, 'JEAN', 'Dupuis');
  const leaving = line(7, 'DUPONT', 'Jeanine');
  const renamed = line(8, 'DUPONT', 'Zoé');
  const adeli = adeliLine(1, 'LAURENT', 'Anne');
  const martins = Array.from({ length: MARTINS }, (_, i) => line(100 + i, 'MARTIN', `PRENOM${String(i).padStart(4, '0')}`));
  const day1 = [lefevre, dargent, dupontJean, dupontJeanne, dupontel, jeanDupuis, leaving, renamed, adeli, ...martins];
  const newcomer = line(9, 'NOUVEAU-VENU', 'Élodie');
  const CEASED_CARD = '2900001260';

  const extract = (day: number, people: Array<{ text: string }>) => {
    const d = join(dir, `day${day}`);
    mkdirSync(d);
    const file = join(d, `PS_LibreAcces_Personne_activite_202611${day}0600.txt`);
    writeFileSync(file, `${[header, ...people.map((p) => p.text)].join('\n')}\n`);
    return file;
  };

  beforeAll(async () => {
    ctx = await openContext('search');
    search = new SearchService(new RegistrySearchService(ctx.ds), new CardsService(ctx.ds, ctx.audit, new OutboxService(), ctx.clock));
    dir = mkdtempSync(join(tmpdir(), 'cps-search-'));
    expect((await ctx.imports.run({ files: [extract(25, day1)], actor: 'test' })).status).toBe('baseline');
    // The next day: one professional ceased, one renamed (IDENTITY_CHANGED), one new.
    const day2 = [...day1.filter((p) => p !== leaving && p !== renamed), { text: setField(renamed.text, 7, 'DURAND-DUPONT') }, newcomer];
    const r = await ctx.imports.run({ files: [extract(26, day2)], actor: 'test' });
    expect(r.status).toBe('applied');
    expect(r.events).toEqual(expect.objectContaining({ CEASED: 1, IDENTITY_CHANGED: 1, NEW_PROFESSIONAL: 1 }));
    await ctx.ds.query(
      `INSERT INTO card (card_number, card_type, national_id, national_id_in_card, profession_code, valid_from, valid_until, state, source)
       VALUES ($1, 'CPS', $2, $2, '80', '2024-01-01', '2027-01-01', 'opposed', 'import')`,
      [CEASED_CARD, leaving.nationalId],
    );
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ctx.close();
  });

  describe('by name', () => {
    it('ignores accents and case', async () => {
      for (const q of ['lefevre', 'LEFEVRE', 'Lefèvre', 'lefèvre hél', 'LEFEVRE HELENE'])
        expect(await names(q)).toEqual(['LEFÈVRE Hélène']);
    });

    it('joins the letters around an apostrophe, whichever apostrophe is typed', async () => {
      for (const q of ['dar', "d'ar", 'D’ARGENT', 'dargent jean']) expect(await names(q)).toEqual(["D'ARGENT Jean-Édouard"]);
      expect(await names('dargent ar')).toEqual([]);
    });

    it('refuses, naming q, a name that folds to nothing or whose first word has fewer than 2 letters or digits', () => {
      // The route's query reads q (SearchQuery): the service never sees a refused one.
      const refusal = (q: string) => SearchQuery.schema.safeParse({ q }).error?.issues.map((i) => [i.path.join('.'), i.message]);
      for (const q of ['ʼʼ', "''", '’ ‘', 'ʹ-ʼ'])
        expect(refusal(q)).toEqual([['q', 'expected a name, a national identifier or a card number (letters or digits)']]);
      for (const q of ['d ar', "d'", 'a dupont', "ʼd' jean"])
        expect(refusal(q)).toEqual([
          ['q', expect.stringMatching(/^the first word of a name needs at least 2 letters or digits, apostrophes and punctuation aside/)],
        ]);
    });

    it('takes hyphens and runs of spaces for one space', async () => {
      expect(await names('  dargent   jean-edouard ')).toEqual(["D'ARGENT Jean-Édouard"]);
      expect(await names('jean ed dar')).toEqual(["D'ARGENT Jean-Édouard"]);
    });

    it('reads one word as the start of the last name, in the order of last name, first name, national id', async () => {
      expect(await names('dupon')).toEqual(['DUPONT Jean', 'DUPONT Marie-Jeanne', 'DUPONTEL Ana']);
      expect(await names('jean')).toEqual(['JEAN Dupuis']);
    });

    it('reads several words as starts of the name words, last name first or first name first', async () => {
      expect(await names('dupont je')).toEqual(['DUPONT Jean', 'DUPONT Marie-Jeanne']);
      expect(await names('jean dup')).toEqual(['DUPONT Jean', 'JEAN Dupuis']);
      expect(await names('dupont zzz')).toEqual([]);
    });

    it('finds people in practice only', async () => {
      expect(await names('dupont jeanine')).toEqual([]);
    });

    it('finds a renamed professional by the new name only, and a newcomer', async () => {
      expect(await names('durand dup')).toEqual(['DURAND-DUPONT Zoé']);
      expect(await names('dupont zoe')).toEqual([]);
      expect(await names('nouveau venu elo')).toEqual(['NOUVEAU-VENU Élodie']);
      const [{ name_key }] = await ctx.ds.query(`SELECT name_key FROM rpps_professional WHERE national_id = $1`, [renamed.nationalId]);
      expect(name_key).toBe(nameKeys('DURAND-DUPONT', 'Zoé').nameKey);
    });

    it('answers a page with the professions and their labels', async () => {
      const r = await search.search({ q: read('lefevre') });
      expect(r).toEqual({
        query: 'lefevre',
        kind: 'name',
        items: [
          {
            nationalId: lefevre.nationalId,
            lastName: 'LEFÈVRE',
            firstName: 'Hélène',
            professions: ['80'],
            professionLabels: ['Pédicure-Podologue'],
            ceased: false,
          },
        ],
        total: 1,
        totalIsLowerBound: false,
        page: 1,
        pageSize: 20,
      });
    });

    it('pages in order, without overlap', async () => {
      const p1 = await names('martin prenom00', 1, 40);
      const p2 = await names('martin prenom00', 2, 40);
      expect(p1).toHaveLength(40);
      expect(p2).toHaveLength(40);
      expect([...p1, ...p2]).toEqual(Array.from({ length: 80 }, (_, i) => `MARTIN PRENOM${String(i).padStart(4, '0')}`));
      const last = await search.search({ q: read('martin prenom00'), page: 3, pageSize: 40 });
      expect(last.items.map((i) => i.firstName)).toEqual(Array.from({ length: 20 }, (_, i) => `PRENOM${String(80 + i).padStart(4, '0')}`));
      expect(last).toEqual(expect.objectContaining({ total: 100, totalIsLowerBound: false }));
    });

    it('counts up to 1,000 and then says the total is a lower bound', async () => {
      expect(await search.search({ q: read('mart'), pageSize: 5 })).toEqual(
        expect.objectContaining({ total: 1000, totalIsLowerBound: true }),
      );
      expect(await search.search({ q: read('martin prenom1'), pageSize: 5 })).toEqual(
        expect.objectContaining({ total: 5, totalIsLowerBound: false }),
      );
    });

    it('refuses a page past the counted matches, naming page', async () => {
      await expect(search.search({ q: read('mart'), page: 52, pageSize: 20 })).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/^page: expected at most 51/),
      });
    });
  });

  describe('by national identifier', () => {
    it('finds a professional in practice by national id, RPPS number or ADELI number', async () => {
      for (const q of [dupontJean.nationalId, dupontJean.nationalId.slice(1)]) {
        const r = await search.search({ q: read(q) });
        expect(r).toEqual(expect.objectContaining({ kind: 'nationalId', total: 1 }));
        expect(r.items).toEqual([expect.objectContaining({ nationalId: dupontJean.nationalId, ceased: false })]);
      }
      for (const q of [adeli.nationalId, adeli.nationalId.slice(1)]) {
        const r = await search.search({ q: read(q) });
        expect(r.kind).toBe('nationalId');
        expect(r.items).toEqual([expect.objectContaining({ nationalId: adeli.nationalId, lastName: 'LAURENT' })]);
      }
    });

    it('finds a ceased professional, flagged', async () => {
      const r = await search.search({ q: read(leaving.nationalId) });
      expect(r.items).toEqual([
        { nationalId: leaving.nationalId, lastName: 'DUPONT', firstName: 'Jeanine', professions: [], professionLabels: [], ceased: true },
      ]);
    });

    it('answers none for an unknown one', async () => {
      expect(await search.search({ q: read('810000099999') })).toEqual(
        expect.objectContaining({ kind: 'nationalId', items: [], total: 0 }),
      );
    });
  });

  describe('by card number', () => {
    it("finds the card's holder, ceased, with the card", async () => {
      const r = await search.search({ q: read(CEASED_CARD) });
      expect(r).toEqual(expect.objectContaining({ query: CEASED_CARD, kind: 'cardNumber', total: 1 }));
      expect(r.items).toEqual([
        expect.objectContaining({
          nationalId: leaving.nationalId,
          ceased: true,
          matchedCard: { cardNumber: CEASED_CARD, status: 'opposed' },
        }),
      ]);
    });

    it('answers none for a number no card has', async () => {
      expect(await search.search({ q: read('2900000000') })).toEqual(expect.objectContaining({ kind: 'cardNumber', items: [], total: 0 }));
    });
  });

  describe('the migration that made the keys', () => {
    it('computes the keys of the professionals already there', async () => {
      const qr = ctx.ds.createQueryRunner();
      try {
        const migration = new RegistrySearchKey1764201840000();
        await migration.down(qr);
        await migration.up(qr);
      } finally {
        await qr.release();
      }
      const rows: Array<{ last_name: string; first_name: string; name_key: string; name_key_first: string }> = await ctx.ds.query(
        `SELECT last_name, first_name, name_key, name_key_first FROM rpps_professional`,
      );
      expect(rows).toHaveLength(day1.length + 1);
      // Literal keys, not today's nameKeys: the migration keeps the fold it was written with (it
      // is frozen in it), and this test must not change when src/rpps/name-key.ts does.
      const keysOf = (last: string, first: string) =>
        rows.filter((r) => r.last_name === last && r.first_name === first).map((r) => [r.name_key, r.name_key_first]);
      expect(keysOf("D'ARGENT", 'Jean-Édouard')).toEqual([['dargent jean edouard', 'jean edouard dargent']]);
      expect(keysOf('LEFÈVRE', 'Hélène')).toEqual([['lefevre helene', 'helene lefevre']]);
      for (const r of rows)
        expect({ r, keyed: /^[a-z0-9]+( [a-z0-9]+)*$/.test(r.name_key) && r.name_key_first.length > 0 }).toEqual({ r, keyed: true });
      expect(await names('dargent jean')).toEqual(["D'ARGENT Jean-Édouard"]);
    });
  });
});
