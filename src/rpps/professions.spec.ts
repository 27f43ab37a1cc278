import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFESSION_LABELS, professionLabel, professionLabelSql } from './professions';

describe('profession labels (TRE_G15)', () => {
  it('labels the codes the domain names, and nothing else', () => {
    expect(professionLabel('10')).toBe('Médecin');
    expect(professionLabel('21')).toBe('Pharmacien');
    expect(professionLabel('98')).toBe('Manipulateur ERM');
    expect(professionLabel('99')).toBeNull();
    expect(professionLabel('constructor')).toBeNull();
  });

  it('spells each label as the extract\'s "Libellé profession" column does (sample files)', () => {
    const fixtures = join(__dirname, '..', '..', 'test', 'fixtures');
    const seen = new Map<string, string>();
    for (const f of ['PS_LibreAcces_Personne_activite_202611250600.txt', 'PS_LibreAcces_Personne_activite_202611270600.txt']) {
      const [header, ...lines] = readFileSync(join(fixtures, f), 'utf8').split(/\r?\n/);
      const cols = header.split('|');
      const code = cols.indexOf('Code profession');
      const label = cols.indexOf('Libellé profession');
      for (const l of lines.filter(Boolean)) seen.set(l.split('|')[code], l.split('|')[label]);
    }
    expect(seen.size).toBeGreaterThan(5);
    for (const [code, label] of seen) expect({ code, label: PROFESSION_LABELS[code] }).toEqual({ code, label });
  });

  it('gives the same table to SQL: every code and label, read back from the CASE', () => {
    const sql = professionLabelSql('p.profession_code');
    expect(sql).toMatch(/^\(CASE p\.profession_code WHEN '10' THEN 'Médecin' /);
    const branches = [...sql.matchAll(/WHEN '(\d+)' THEN '((?:[^']|'')*)'/g)].map(([, code, label]) => [code, label.replace(/''/g, "'")]);
    expect(Object.fromEntries(branches)).toEqual(PROFESSION_LABELS);
    expect(sql.match(/WHEN/g)).toHaveLength(branches.length);
  });

  it("doubles a quote in a label, so that a label such as « Sage-femme d'État » cannot end the SQL string", () => {
    const sql = professionLabelSql('c', { '50': "Sage-femme d'État", '51': "l'a'b" });
    expect(sql).toBe("(CASE c WHEN '50' THEN 'Sage-femme d''État' WHEN '51' THEN 'l''a''b' END)");
  });
});
