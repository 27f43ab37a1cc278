/**
 * Profession codes of the registry (nomenclature TRE_G15 of the ANS) and their labels, as
 * the `Libellé profession` column of the extract spells them. Wherever the API or the CLI
 * shows a profession code it shows this label next to it (`professionLabel`; null for a
 * code not listed here).
 */
export const PROFESSION_LABELS: Readonly<Record<string, string>> = {
  '10': 'Médecin',
  '21': 'Pharmacien',
  '26': 'Audioprothésiste',
  '28': 'Opticien-Lunetier',
  '40': 'Chirurgien-Dentiste',
  '50': 'Sage-Femme',
  '60': 'Infirmier',
  '69': 'Infirmier psychiatrique',
  '70': 'Masseur-Kinésithérapeute',
  '80': 'Pédicure-Podologue',
  '81': 'Orthoprothésiste',
  '82': 'Podo-Orthésiste',
  '83': 'Orthopédiste-Orthésiste',
  '84': 'Oculariste',
  '85': 'Epithésiste',
  '86': 'Technicien de laboratoire médical',
  '91': 'Orthophoniste',
  '92': 'Orthoptiste',
  '94': 'Ergothérapeute',
  '95': 'Diététicien',
  '96': 'Psychomotricien',
  '98': 'Manipulateur ERM',
};

export function professionLabel(code: string): string | null {
  return Object.hasOwn(PROFESSION_LABELS, code) ? PROFESSION_LABELS[code] : null;
}

/** SQL giving the label of the profession code in `column` (NULL for an unlisted code), from the same table (`labels`: tests). */
export function professionLabelSql(column: string, labels: Readonly<Record<string, string>> = PROFESSION_LABELS): string {
  const branches = Object.entries(labels).map(([code, label]) => `WHEN '${code}' THEN '${label.replace(/'/g, "''")}'`);
  return `(CASE ${column} ${branches.join(' ')} END)`;
}
