import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ADELI_PROFESSIONS,
  generateRegistryDay1,
  generateRegistryNextDay,
  HEADER_52,
  HEADER_56,
  isLuhnValid,
  luhnKey,
  MODES,
  RPPS_PROFESSIONS,
  SAVOIR_FAIRE_HEADER,
  truncateRegistryFile,
} from './rpps-generator';

const FIXTURES = path.resolve(__dirname, '../../test/fixtures');

function readLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

function fixtureHeader(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8').split('\n')[0];
}

interface Parsed {
  header: string[];
  rows: string[][];
  lines: string[];
  col: (name: string) => number;
}

function parse(file: string): Parsed {
  const lines = readLines(file);
  const header = lines[0].split('|');
  const rows = lines.slice(1).map((l) => l.split('|'));
  return {
    header,
    rows,
    lines: lines.slice(1),
    col: (name) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`no column ${name}`);
      return i;
    },
  };
}

/** national id → its lines, in file order; fails when a person's lines are not adjacent */
function groupByPerson(p: Parsed): Map<string, string[]> {
  const nidCol = p.col('Identification nationale PP');
  const out = new Map<string, string[]>();
  let last = '';
  p.rows.forEach((f, i) => {
    const nid = f[nidCol];
    if (nid !== last) {
      expect(out.has(nid)).toBe(false); // lines of one person are adjacent, identifiers unique
      out.set(nid, []);
      last = nid;
    }
    (out.get(nid) as string[]).push(p.lines[i]);
  });
  return out;
}

const PROFESSION_LABELS = new Map<string, string>();
for (const p of [...RPPS_PROFESSIONS, ...ADELI_PROFESSIONS]) PROFESSION_LABELS.set(p.code, p.label);

describe('rpps-generator', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpps-gen-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string): string => path.join(dir, name);

  describe('luhn helpers', () => {
    it('computes keys that make numbers valid, and recognises known valid numbers', () => {
      expect(isLuhnValid('10000000355')).toBe(true); // RPPS of the fixtures
      expect(isLuhnValid('692600018')).toBe(true); // ADELI of the fixtures
      expect(isLuhnValid('693258154')).toBe(true); // FINESS of the fixtures
      expect(isLuhnValid('10000000356')).toBe(false);
      expect(isLuhnValid('12a')).toBe(false);
      for (const body of ['1000000035', '69260001', '7320007', '1234567890123']) {
        expect(isLuhnValid(body + luhnKey(body))).toBe(true);
      }
    });
  });

  describe('generateRegistryDay1', () => {
    it('gives byte-identical files for the same seed, and different files for another seed', async () => {
      await generateRegistryDay1({ persons: 300, seed: 7, layout: 56, out: file('a.txt'), savoirFaireOut: file('a.sf.txt') });
      await generateRegistryDay1({ persons: 300, seed: 7, layout: 56, out: file('b.txt'), savoirFaireOut: file('b.sf.txt') });
      await generateRegistryDay1({ persons: 300, seed: 8, layout: 56, out: file('c.txt'), savoirFaireOut: file('c.sf.txt') });
      expect(fs.readFileSync(file('a.txt')).equals(fs.readFileSync(file('b.txt')))).toBe(true);
      expect(fs.readFileSync(file('a.sf.txt')).equals(fs.readFileSync(file('b.sf.txt')))).toBe(true);
      expect(fs.readFileSync(file('a.txt')).equals(fs.readFileSync(file('c.txt')))).toBe(false);
    });

    it("uses the fixtures' headers byte for byte", () => {
      expect(HEADER_52).toBe(fixtureHeader('PS_LibreAcces_Personne_activite_202611250600.txt'));
      expect(HEADER_56).toBe(fixtureHeader('PS_LibreAcces_Personne_activite_202611270600.txt'));
      expect(SAVOIR_FAIRE_HEADER).toBe(fixtureHeader('PS_LibreAcces_SavoirFaire_202611270600.txt'));
    });

    it.each([52, 56] as const)('writes well-formed lines with valid, unique identifiers (layout %s)', async (layout) => {
      const out = file(`day1-${layout}.txt`);
      const sfOut = file(`day1-${layout}.sf.txt`);
      const stats = await generateRegistryDay1({ persons: 300, seed: 11, layout, out, savoirFaireOut: sfOut });
      const raw = fs.readFileSync(out);
      expect(raw.toString('utf8').includes('\r')).toBe(false);
      expect(Buffer.from(raw.toString('utf8'), 'utf8').equals(raw)).toBe(true); // valid UTF-8
      expect(raw[0]).not.toBe(0xef); // no BOM
      expect(stats.bytes).toBe(raw.length);

      const p = parse(out);
      expect(readLines(out)[0]).toBe(layout === 52 ? HEADER_52 : HEADER_56);
      const fieldCount = p.header.length;
      for (const line of p.lines) {
        expect(line.endsWith('|')).toBe(true);
        expect(line.split('|').length).toBe(fieldCount);
      }
      expect(stats.lines).toBe(p.lines.length);

      const persons = groupByPerson(p);
      expect(persons.size).toBe(300);
      expect(stats.persons).toBe(300);

      const c = {
        type: p.col("Type d'identifiant PP"),
        id: p.col('Identifiant PP'),
        nid: p.col('Identification nationale PP'),
        civ: p.col('Code civilité'),
        nom: p.col("Nom d'exercice"),
        prof: p.col('Code profession'),
        profLabel: p.col('Libellé profession'),
        cat: p.col('Code catégorie professionnelle'),
        mode: p.col('Code mode exercice'),
        siret: p.col('Numéro SIRET site'),
        siren: p.col('Numéro SIREN site'),
        finess: p.col('Numéro FINESS site'),
        finessEj: p.col('Numéro FINESS établissement juridique'),
        structure: p.col('Identifiant technique de la structure'),
        postal: p.col('Code postal (coord. structure)'),
        dept: p.col('Code Département (structure)'),
        authority: p.col("Autorité d'enregistrement"),
        sector: p.col("Code secteur d'activité"),
      };
      for (const f of p.rows) {
        const type = f[c.type];
        const id = f[c.id];
        expect(f[c.nid]).toBe(type + id);
        if (type === '8') {
          expect(id).toMatch(/^[0-9]{11}$/);
        } else {
          expect(type).toBe('0');
          expect(id).toMatch(/^[0-9]{9}$/);
          expect(f[c.authority]).toBe('ARS/ARS/ARS');
        }
        expect(isLuhnValid(id)).toBe(true);
        expect(['M', 'MME']).toContain(f[c.civ]);
        expect(f[c.nom]).not.toBe('');
        expect(PROFESSION_LABELS.get(f[c.prof])).toBe(f[c.profLabel]);
        expect(['C', 'E', 'M']).toContain(f[c.cat]);
        expect(Object.keys(MODES)).toContain(f[c.mode]);
        expect(f[c.mode + 1]).toBe(MODES[f[c.mode] as keyof typeof MODES]);
        expect(f[c.sector]).toMatch(/^SA(0[1-9]|[12][0-9]|3[0-2])$/);
        expect(f[c.authority]).toMatch(/^([A-Z]+)\/\1\/\1$/);
        expect(f[c.postal]).toMatch(/^[0-9]{5}$/);
        expect(f[c.dept]).toMatch(/^([0-9]{2}|2[AB]|97[1-6])$/);
        if (f[c.siret]) {
          expect(f[c.siret]).toMatch(/^[0-9]{14}$/);
          expect(isLuhnValid(f[c.siret])).toBe(true);
          expect(f[c.siren]).toBe(f[c.siret].slice(0, 9));
          expect(isLuhnValid(f[c.siren])).toBe(true);
          expect(f[c.finess]).toBe('');
          expect(f[c.structure]).toBe(`S${f[c.siret]}`);
        } else {
          expect(f[c.finess]).toMatch(/^[0-9]{9}$/);
          expect(isLuhnValid(f[c.finess])).toBe(true);
          expect(f[c.structure]).toBe(`F${f[c.finess]}`);
        }
        if (f[c.finessEj]) expect(isLuhnValid(f[c.finessEj])).toBe(true);
      }

      // ADELI: 2 digits of département, 2 of profession (the first one), 4 digits, key
      for (const [nid, lines] of persons) {
        if (!nid.startsWith('0')) continue;
        const first = lines[0].split('|');
        expect(nid.slice(3, 5)).toBe(first[c.prof]);
      }

      // each (person, profession) has distinct structures
      for (const lines of persons.values()) {
        const keys = lines.map((l) => {
          const f = l.split('|');
          return `${f[c.prof]}/${f[c.structure]}`;
        });
        expect(new Set(keys).size).toBe(keys.length);
      }

      // specialties: inside the file in layout 52, in the SavoirFaire file in layout 56
      const doctors = new Set(p.rows.filter((f) => f[c.prof] === '10').map((f) => f[c.nid]));
      expect(doctors.size).toBeGreaterThan(10);
      if (layout === 52) {
        const sfCode = p.col('Code savoir-faire');
        for (const f of p.rows) {
          if (f[c.prof] === '10') expect(f[sfCode]).toMatch(/^SM[0-9]{2}$/);
        }
        expect(fs.existsSync(sfOut)).toBe(false);
        expect(stats.savoirFaireLines).toBe(0);
      } else {
        expect(p.header).not.toContain('Code savoir-faire');
        const sf = parse(sfOut);
        expect(readLines(sfOut)[0]).toBe(SAVOIR_FAIRE_HEADER);
        expect(sf.rows.length).toBe(stats.savoirFaireLines);
        for (const f of sf.rows) {
          expect(f.length).toBe(sf.header.length);
          expect(persons.has(f[0])).toBe(true);
        }
        const sfDoctors = new Set(sf.rows.filter((f) => f[1] === '10').map((f) => f[0]));
        expect(sfDoctors).toEqual(doctors);
      }
    });

    it('has about 75% RPPS, 1.7 lines per person and 3% of double professions', async () => {
      const stats = await generateRegistryDay1({ persons: 5000, seed: 3, layout: 52, out: file('mix.txt') });
      expect(stats.rpps + stats.adeli).toBe(5000);
      expect(stats.rpps / 5000).toBeGreaterThan(0.72);
      expect(stats.rpps / 5000).toBeLessThan(0.78);
      expect(stats.lines / stats.persons).toBeGreaterThan(1.6);
      expect(stats.lines / stats.persons).toBeLessThan(1.8);
      expect(stats.multiProfession / 5000).toBeGreaterThan(0.02);
      expect(stats.multiProfession / 5000).toBeLessThan(0.04);
    });
  });

  describe('generateRegistryNextDay', () => {
    it.each([52, 56] as const)('reports exactly the changes a recount finds (layout %s)', async (layout) => {
      const day1 = file(`nd1-${layout}.txt`);
      const day2 = file(`nd2-${layout}.txt`);
      const sf1 = file(`nd1-${layout}.sf.txt`);
      const sf2 = file(`nd2-${layout}.sf.txt`);
      const expectedOut = file(`nd2-${layout}.expected.json`);
      await generateRegistryDay1({ persons: 300, seed: 21, layout, out: day1, savoirFaireOut: sf1 });
      const stats = await generateRegistryNextDay({
        day1,
        seed: 22,
        changeRate: 0.2,
        out: day2,
        layout,
        savoirFaireOut: sf2,
        expectedOut,
      });
      const p1 = parse(day1);
      const p2 = parse(day2);
      expect(readLines(day2)[0]).toBe(readLines(day1)[0]);
      for (const line of p2.lines) expect(line.split('|').length).toBe(p2.header.length);
      const g1 = groupByPerson(p1);
      const g2 = groupByPerson(p2);
      const nomCol = p1.col("Nom d'exercice");

      const ceased: string[] = [];
      const added: string[] = [];
      const siteChanged: string[] = [];
      const identityChanged: string[] = [];
      for (const nid of g1.keys()) if (!g2.has(nid)) ceased.push(nid);
      for (const nid of g2.keys()) if (!g1.has(nid)) added.push(nid);
      for (const [nid, before] of g1) {
        const after = g2.get(nid);
        if (!after) continue;
        const names = (ls: string[]) => new Set(ls.map((l) => l.split('|')[nomCol]));
        const withoutName = (ls: string[]) =>
          ls
            .map((l) => {
              const f = l.split('|');
              f[nomCol] = '';
              return f.join('|');
            })
            .sort();
        const nameChanged = [...names(before)].join() !== [...names(after)].join();
        const sitesChanged = JSON.stringify(withoutName(before)) !== JSON.stringify(withoutName(after));
        expect(nameChanged && sitesChanged).toBe(false); // one kind of change per person
        if (nameChanged) identityChanged.push(nid);
        if (sitesChanged) {
          siteChanged.push(nid);
          expect(after.length).toBe(before.length); // a situation changed, none added or removed
        }
        if (!nameChanged && !sitesChanged) expect(after).toEqual(before);
      }

      expect(stats.ceased).toBe(ceased.length);
      expect(stats.added).toBe(added.length);
      expect(stats.siteChanged).toBe(siteChanged.length);
      expect(stats.identityChanged).toBe(identityChanged.length);
      expect(stats.ids).toEqual({ ceased, added, siteChanged, identityChanged });
      expect(stats.persons).toBe(g2.size);
      expect(stats.lines).toBe(p2.lines.length);
      expect(stats.day1Persons).toBe(300);
      expect(stats.unchanged).toBe(300 - ceased.length - siteChanged.length - identityChanged.length);
      // 20% of 300 = 60 changes: 18 ceased, 18 new, 15 site, 9 name
      expect([stats.ceased, stats.added, stats.siteChanged, stats.identityChanged]).toEqual([18, 18, 15, 9]);
      expect(stats.expectedEvents).toEqual({
        NEW_PROFESSIONAL: 18,
        PROFESSION_ADDED: 0,
        PROFESSION_REMOVED: 0,
        IDENTITY_CHANGED: 9,
        SITUATION_CHANGED: 15,
        IDENTIFIER_MIGRATED: 0,
        CEASED: 18,
      });
      expect(JSON.parse(fs.readFileSync(expectedOut, 'utf8'))).toEqual({
        ceased,
        new: added,
        site_changed: siteChanged,
        identity_changed: identityChanged,
      });

      // new persons are appended, with fresh valid identifiers and structures
      const order = [...g2.keys()];
      expect(order.slice(order.length - added.length)).toEqual(added);
      const siretCol = p2.col('Numéro SIRET site');
      const finessCol = p2.col('Numéro FINESS site');
      for (const f of p2.rows) {
        expect(isLuhnValid(f[p2.col('Identifiant PP')])).toBe(true);
        if (f[siretCol]) expect(isLuhnValid(f[siretCol]) && isLuhnValid(f[siretCol].slice(0, 9))).toBe(true);
        else expect(isLuhnValid(f[finessCol])).toBe(true);
      }

      if (layout === 56) {
        const s1 = readLines(sf1).slice(1);
        const s2 = readLines(sf2).slice(1);
        expect(s2.length).toBe(stats.savoirFaireLines);
        for (const l of s2) expect(g2.has(l.split('|')[0])).toBe(true);
        const kept = (ls: string[]) => ls.filter((l) => g1.has(l.split('|')[0]) && g2.has(l.split('|')[0]));
        expect(kept(s2)).toEqual(kept(s1)); // specialties of the persons present both days are unchanged
        const doctors2 = new Set(
          p2.rows.filter((f) => f[p2.col('Code profession')] === '10').map((f) => f[p2.col('Identification nationale PP')]),
        );
        expect(new Set(s2.filter((l) => l.split('|')[1] === '10').map((l) => l.split('|')[0]))).toEqual(doctors2);
      }

      // deterministic
      const again = file(`nd2-${layout}-again.txt`);
      await generateRegistryNextDay({ day1, seed: 22, changeRate: 0.2, out: again });
      expect(fs.readFileSync(again).equals(fs.readFileSync(day2))).toBe(true);
    });

    it("refuses a layout other than the day-1 file's", async () => {
      const day1 = file('layout-check.txt');
      await generateRegistryDay1({ persons: 10, seed: 1, layout: 52, out: day1 });
      await expect(generateRegistryNextDay({ day1, seed: 2, out: file('x.txt'), layout: 56 })).rejects.toThrow(/layout/);
    });
  });

  describe('truncateRegistryFile', () => {
    it('keeps the header and about the first half of the lines, cutting between two persons', async () => {
      const input = file('full.txt');
      const out = file('half.txt');
      await generateRegistryDay1({ persons: 300, seed: 5, layout: 52, out: input });
      const stats = await truncateRegistryFile({ input, out, fraction: 0.5 });
      const full = readLines(input);
      const half = readLines(out);
      expect(half).toEqual(full.slice(0, half.length));
      expect(stats.lines).toBe(half.length - 1);
      expect(stats.inputLines).toBe(full.length - 1);
      expect(stats.lines).toBeGreaterThanOrEqual(Math.round(stats.inputLines * 0.5));
      expect(stats.lines).toBeLessThan(Math.round(stats.inputLines * 0.5) + 6);
      const nid = (l: string) => l.split('|')[2];
      expect(nid(full[half.length])).not.toBe(nid(half[half.length - 1])); // cut between persons
      expect(stats.persons + stats.droppedPersons).toBe(300);
    });
  });
});
