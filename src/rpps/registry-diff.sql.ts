/**
 * The SQL of an import: staging tables, the comparison of the staged extract with the
 * current registry, and the statements that apply the difference. Everything here runs
 * on one connection; the comparison and the apply run in one transaction, so an import
 * is applied whole or not at all.
 */

/** Columns of the line staging table, in COPY order. */
export const STAGE_LINE_COLUMNS = [
  'line_no', 'reason', 'national_id', 'id_type', 'identifier', 'civility_practice_code', 'civility_code',
  'last_name', 'first_name', 'profession_code', 'category_code', 'specialty_type_code', 'specialty_code',
  'mode_code', 'sector_code', 'siret', 'siren', 'finess_site', 'finess_legal', 'structure_id', 'site_name',
  'street_number', 'street_type_label', 'street_label', 'postal_code', 'city', 'cedex', 'registration_authority',
  'sit_h', 'line_h', 'raw',
] as const;

export const STAGE_SF_COLUMNS = [
  'line_no', 'reason', 'national_id', 'profession_code', 'specialty_type_code', 'specialty_code', 'raw',
] as const;

/** The situation columns copied from the stage into rpps_situation. */
const SITUATION_COLUMNS = [
  'national_id', 'profession_code', 'mode_code', 'sector_code', 'siret', 'siren', 'finess_site', 'finess_legal',
  'structure_id', 'site_name', 'street_number', 'street_type_label', 'street_label', 'postal_code', 'city', 'cedex',
  'registration_authority',
];

export function stageNames(importId: string): { lines: string; sf: string } {
  const short = importId.replace(/-/g, '').slice(0, 16);
  return { lines: `rpps_stage_line_${short}`, sf: `rpps_stage_sf_${short}` };
}

export function createStageSql(t: { lines: string; sf: string }): string[] {
  const textCols = STAGE_LINE_COLUMNS.filter((c) => !['line_no', 'sit_h', 'line_h'].includes(c))
    .map((c) => `${c} text`)
    .join(', ');
  return [
    `CREATE UNLOGGED TABLE ${t.lines} (line_no integer NOT NULL, sit_h bigint, line_h bigint, ${textCols})`,
    `CREATE UNLOGGED TABLE ${t.sf} (line_no integer NOT NULL, reason text, national_id text, profession_code text,
       specialty_type_code text, specialty_code text, raw text)`,
  ];
}

export function copyLinesSql(t: { lines: string }): string {
  return `COPY ${t.lines} (${STAGE_LINE_COLUMNS.join(', ')}) FROM STDIN`;
}

export function copySfSql(t: { sf: string }): string {
  return `COPY ${t.sf} (${STAGE_SF_COLUMNS.join(', ')}) FROM STDIN`;
}

/**
 * Builds the temporary comparison tables (dropped at commit or rollback):
 * s_person, s_prof (the extract, one row per person / per person and profession),
 * d_new, d_gone, d_both, d_prof (the differences with the current registry).
 */
export function compareSql(t: { lines: string; sf: string }): string[] {
  return [
    `SET LOCAL work_mem = '256MB'`,
    `ANALYZE ${t.lines}`,
    `ANALYZE ${t.sf}`,
    // People with a rejected line are left as they are by this import (neither ceased
    // nor half-updated from their other lines): a bad line must not change a card.
    `CREATE TEMP TABLE s_frozen ON COMMIT DROP AS
       SELECT DISTINCT national_id FROM ${t.lines} WHERE reason IS NOT NULL AND national_id IS NOT NULL`,
    // One row per person: the first line gives the identity; the digests are sums of
    // per-line hashes with the count, so they do not depend on the order of lines.
    `CREATE TEMP TABLE s_person ON COMMIT DROP AS
       WITH a AS (
         SELECT national_id, min(line_no) AS first_line,
                sum(sit_h)::text || ':' || count(*) AS situations_digest,
                sum(line_h)::text || ':' || count(*) AS lines_digest
           FROM ${t.lines} l WHERE reason IS NULL
            AND NOT EXISTS (SELECT 1 FROM s_frozen z WHERE z.national_id = l.national_id)
          GROUP BY national_id)
       SELECT a.national_id, s.id_type, s.identifier, s.civility_practice_code, s.civility_code,
              s.last_name, s.first_name, a.situations_digest, a.lines_digest
         FROM a JOIN ${t.lines} s ON s.line_no = a.first_line`,
    `CREATE TEMP TABLE s_sf ON COMMIT DROP AS
       SELECT DISTINCT ON (national_id, profession_code) national_id, profession_code, specialty_type_code, specialty_code
         FROM ${t.sf} WHERE reason IS NULL ORDER BY national_id, profession_code, line_no`,
    // One row per (person, profession): category from its first line, specialty from the
    // SavoirFaire file when given, else from the first line of the profession that has one.
    `CREATE TEMP TABLE s_prof ON COMMIT DROP AS
       WITH a AS (
         SELECT national_id, profession_code, min(line_no) AS first_line,
                min(line_no) FILTER (WHERE specialty_code <> '') AS specialty_line
           FROM ${t.lines} l WHERE reason IS NULL
            AND NOT EXISTS (SELECT 1 FROM s_frozen z WHERE z.national_id = l.national_id)
          GROUP BY national_id, profession_code)
       SELECT a.national_id, a.profession_code, f.category_code,
              COALESCE(sf.specialty_type_code, sp.specialty_type_code, '') AS specialty_type_code,
              COALESCE(sf.specialty_code, sp.specialty_code, '') AS specialty_code
         FROM a
         JOIN ${t.lines} f ON f.line_no = a.first_line
         LEFT JOIN ${t.lines} sp ON sp.line_no = a.specialty_line
         LEFT JOIN s_sf sf ON sf.national_id = a.national_id AND sf.profession_code = a.profession_code`,
    `ANALYZE s_person`,
    `ANALYZE s_prof`,
    `CREATE TEMP TABLE d_new ON COMMIT DROP AS
       SELECT p.national_id FROM s_person p
        WHERE NOT EXISTS (SELECT 1 FROM rpps_professional c WHERE c.national_id = p.national_id AND c.ceased_at IS NULL)`,
    `CREATE TEMP TABLE d_gone ON COMMIT DROP AS
       SELECT c.national_id, c.id_type FROM rpps_professional c
        WHERE c.ceased_at IS NULL AND NOT EXISTS (SELECT 1 FROM s_person p WHERE p.national_id = c.national_id)
          AND NOT EXISTS (SELECT 1 FROM s_frozen z WHERE z.national_id = c.national_id)`,
    `CREATE TEMP TABLE d_both ON COMMIT DROP AS
       SELECT p.national_id,
              (c.civility_practice_code, c.civility_code, c.last_name, c.first_name)
                IS DISTINCT FROM (p.civility_practice_code, p.civility_code, p.last_name, p.first_name) AS identity_changed,
              c.situations_digest <> p.situations_digest AS situations_changed,
              c.lines_digest <> p.lines_digest AS lines_changed,
              jsonb_build_object('lastName', c.last_name, 'firstName', c.first_name,
                                 'civilityPracticeCode', c.civility_practice_code, 'civilityCode', c.civility_code) AS before,
              jsonb_build_object('lastName', p.last_name, 'firstName', p.first_name,
                                 'civilityPracticeCode', p.civility_practice_code, 'civilityCode', p.civility_code) AS after
         FROM s_person p JOIN rpps_professional c ON c.national_id = p.national_id AND c.ceased_at IS NULL
        WHERE (c.civility_practice_code, c.civility_code, c.last_name, c.first_name)
                IS DISTINCT FROM (p.civility_practice_code, p.civility_code, p.last_name, p.first_name)
           OR c.situations_digest <> p.situations_digest OR c.lines_digest <> p.lines_digest`,
    // Profession rows that differ, for people present on both sides.
    `CREATE TEMP TABLE d_prof ON COMMIT DROP AS
       SELECT COALESCE(s.national_id, c.national_id) AS national_id,
              COALESCE(s.profession_code, c.profession_code) AS profession_code,
              CASE WHEN c.national_id IS NULL THEN 'added' WHEN s.national_id IS NULL THEN 'removed' ELSE 'changed' END AS change,
              CASE WHEN c.national_id IS NOT NULL THEN jsonb_build_object('categoryCode', c.category_code,
                'specialtyTypeCode', c.specialty_type_code, 'specialtyCode', c.specialty_code) END AS before,
              CASE WHEN s.national_id IS NOT NULL THEN jsonb_build_object('categoryCode', s.category_code,
                'specialtyTypeCode', s.specialty_type_code, 'specialtyCode', s.specialty_code) END AS after
         FROM (SELECT sp.* FROM s_prof sp WHERE NOT EXISTS (SELECT 1 FROM d_new n WHERE n.national_id = sp.national_id)) s
         FULL JOIN (SELECT cp.* FROM rpps_profession cp
                     WHERE NOT EXISTS (SELECT 1 FROM d_gone g WHERE g.national_id = cp.national_id)) c
           ON c.national_id = s.national_id AND c.profession_code = s.profession_code
        WHERE c.national_id IS NULL OR s.national_id IS NULL
           OR (c.category_code, c.specialty_type_code, c.specialty_code)
              IS DISTINCT FROM (s.category_code, s.specialty_type_code, s.specialty_code)`,
  ];
}

/**
 * ADELI → RPPS migrations. `corr` (adeli, rpps) holds the correspondence file. Builds
 * d_migrated (authoritative pairs) and d_candidate (pairs an operator must confirm:
 * same name of practice, a common profession, at least one common structure identifier).
 */
export function migrationSql(t: { lines: string }): string[] {
  return [
    `CREATE TEMP TABLE d_migrated ON COMMIT DROP AS
       SELECT DISTINCT ON (k.adeli) k.adeli, k.rpps FROM corr k
         JOIN d_gone g ON g.national_id = k.adeli
         JOIN s_person p ON p.national_id = k.rpps
        ORDER BY k.adeli, k.rpps`,
    `CREATE TEMP TABLE d_pending ON COMMIT DROP AS
       SELECT adeli_national_id AS adeli, rpps_national_id AS rpps FROM rpps_identifier_migration WHERE status = 'pending'`,
    // The small sets first (people who left with an ADELI number, newcomers with an RPPS
    // one), then their sites and professions, so that nothing scans the stage per pair.
    `CREATE TEMP TABLE d_gone_adeli ON COMMIT DROP AS
       SELECT c.national_id, c.last_name, c.first_name FROM rpps_professional c JOIN d_gone g ON g.national_id = c.national_id
        WHERE c.id_type = '0'
          AND NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.adeli = c.national_id)
          AND NOT EXISTS (SELECT 1 FROM d_pending pe WHERE pe.adeli = c.national_id)`,
    `CREATE TEMP TABLE d_new_rpps ON COMMIT DROP AS
       SELECT p.national_id, p.last_name, p.first_name FROM s_person p JOIN d_new n ON n.national_id = p.national_id
        WHERE p.id_type = '8' AND NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.rpps = p.national_id)`,
    `CREATE TEMP TABLE d_name_pairs ON COMMIT DROP AS
       SELECT a.national_id AS adeli, r.national_id AS rpps
         FROM d_gone_adeli a JOIN d_new_rpps r ON r.last_name = a.last_name AND r.first_name = a.first_name`,
    `CREATE TEMP TABLE d_pair_sites ON COMMIT DROP AS
       SELECT s.national_id, s.profession_code, s.structure_id, s.siret, s.finess_site FROM rpps_situation s
        WHERE s.national_id IN (SELECT adeli FROM d_name_pairs)
       UNION ALL
       SELECT l.national_id, l.profession_code, l.structure_id, l.siret, l.finess_site FROM ${t.lines} l
        WHERE l.reason IS NULL AND l.national_id IN (SELECT rpps FROM d_name_pairs)`,
    `CREATE TEMP TABLE d_candidate ON COMMIT DROP AS
       WITH pairs AS (
              SELECT DISTINCT np.adeli, np.rpps FROM d_name_pairs np
                JOIN d_pair_sites a ON a.national_id = np.adeli
                JOIN d_pair_sites r ON r.national_id = np.rpps AND r.profession_code = a.profession_code
               WHERE (a.structure_id <> '' AND a.structure_id = r.structure_id)
                  OR (a.siret <> '' AND a.siret = r.siret)
                  OR (a.finess_site <> '' AND a.finess_site = r.finess_site))
       SELECT DISTINCT ON (adeli) adeli, rpps FROM pairs
        WHERE rpps NOT IN (SELECT rpps FROM pairs GROUP BY rpps HAVING count(*) > 1)
        ORDER BY adeli, rpps`,
  ];
}

/** Counts of each kind of event the comparison implies (one row). */
export const COUNT_EVENTS_SQL = `
  SELECT
    (SELECT count(*) FROM d_new n
      WHERE NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.rpps = n.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_candidate k WHERE k.rpps = n.national_id))::int AS "NEW_PROFESSIONAL",
    (SELECT count(*) FROM d_gone g
      WHERE NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.adeli = g.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_candidate k WHERE k.adeli = g.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_pending pe WHERE pe.adeli = g.national_id))::int AS "CEASED",
    (SELECT count(*) FROM d_both b WHERE b.identity_changed
        OR EXISTS (SELECT 1 FROM d_prof dp WHERE dp.national_id = b.national_id AND dp.change = 'changed'))::int
      + (SELECT count(DISTINCT dp.national_id) FROM d_prof dp WHERE dp.change = 'changed'
          AND NOT EXISTS (SELECT 1 FROM d_both b WHERE b.national_id = dp.national_id))::int AS "IDENTITY_CHANGED",
    (SELECT count(*) FROM d_both b WHERE b.situations_changed)::int AS "SITUATION_CHANGED",
    (SELECT count(*) FROM d_prof WHERE change = 'added')::int AS "PROFESSION_ADDED",
    (SELECT count(*) FROM d_prof WHERE change = 'removed')::int AS "PROFESSION_REMOVED",
    (SELECT count(*) FROM d_migrated)::int AS "IDENTIFIER_MIGRATED",
    (SELECT count(*) FROM d_candidate)::int AS "candidates",
    (SELECT count(*) FROM d_both b WHERE b.lines_changed)::int AS "linesChanged",
    (SELECT count(*) FROM d_new)::int AS "arrivals",
    (SELECT count(*) FROM d_gone g WHERE NOT EXISTS (SELECT 1 FROM d_pending pe WHERE pe.adeli = g.national_id))::int AS "departures",
    (SELECT count(*) FROM rpps_professional WHERE ceased_at IS NULL)::int AS "activeBefore",
    (SELECT count(*) FROM s_person)::int AS "activeInFile"`;

/** Writes the registry events of this import ($1 = import id). */
export const INSERT_EVENTS_SQL = [
  `INSERT INTO rpps_event (import_id, kind, national_id, details)
     SELECT $1::uuid, 'NEW_PROFESSIONAL', n.national_id, jsonb_build_object('professions', pr.professions)
       FROM d_new n
       LEFT JOIN (SELECT sp.national_id, jsonb_agg(sp.profession_code ORDER BY sp.profession_code) AS professions
                    FROM s_prof sp JOIN d_new x ON x.national_id = sp.national_id GROUP BY sp.national_id) pr
         ON pr.national_id = n.national_id
      WHERE NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.rpps = n.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_candidate k WHERE k.rpps = n.national_id)
      ORDER BY n.national_id`,
  `INSERT INTO rpps_event (import_id, kind, national_id, details)
     SELECT $1::uuid, 'CEASED', g.national_id,
            jsonb_build_object('professions', (SELECT jsonb_agg(cp.profession_code ORDER BY cp.profession_code)
                                                 FROM rpps_profession cp WHERE cp.national_id = g.national_id))
       FROM d_gone g
      WHERE NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.adeli = g.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_candidate k WHERE k.adeli = g.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_pending pe WHERE pe.adeli = g.national_id)
      ORDER BY g.national_id`,
  `INSERT INTO rpps_event (import_id, kind, national_id, details)
     SELECT $1::uuid, 'IDENTITY_CHANGED', x.national_id,
            jsonb_strip_nulls(jsonb_build_object('before', x.before, 'after', x.after,
              'professions', (SELECT jsonb_agg(jsonb_build_object('professionCode', dp.profession_code,
                                 'before', dp.before, 'after', dp.after) ORDER BY dp.profession_code)
                                FROM d_prof dp WHERE dp.national_id = x.national_id AND dp.change = 'changed')))
       FROM (SELECT b.national_id, CASE WHEN b.identity_changed THEN b.before END AS before,
                    CASE WHEN b.identity_changed THEN b.after END AS after
               FROM d_both b
              WHERE b.identity_changed
                 OR EXISTS (SELECT 1 FROM d_prof dp WHERE dp.national_id = b.national_id AND dp.change = 'changed')
             UNION
             SELECT DISTINCT dp.national_id, NULL::jsonb, NULL::jsonb FROM d_prof dp
              WHERE dp.change = 'changed' AND NOT EXISTS (SELECT 1 FROM d_both b WHERE b.national_id = dp.national_id)) x
      ORDER BY x.national_id`,
  `INSERT INTO rpps_event (import_id, kind, national_id, details)
     SELECT $1::uuid, 'SITUATION_CHANGED', b.national_id, '{}'::jsonb FROM d_both b WHERE b.situations_changed
      ORDER BY b.national_id`,
  `INSERT INTO rpps_event (import_id, kind, national_id, profession_code, details)
     SELECT $1::uuid, CASE dp.change WHEN 'added' THEN 'PROFESSION_ADDED' ELSE 'PROFESSION_REMOVED' END,
            dp.national_id, dp.profession_code, COALESCE(dp.after, dp.before)
       FROM d_prof dp WHERE dp.change IN ('added', 'removed')
      ORDER BY dp.national_id, dp.profession_code`,
  `INSERT INTO rpps_event (import_id, kind, national_id, details)
     SELECT $1::uuid, 'IDENTIFIER_MIGRATED', m.rpps, jsonb_build_object('fromNationalId', m.adeli, 'source', 'correspondence')
       FROM d_migrated m ORDER BY m.rpps`,
];

/** Applies the comparison to the registry ($1 = import id). */
export function applySql(t: { lines: string }): string[] {
  const sitCols = SITUATION_COLUMNS.join(', ');
  return [
    // People who left (ceased or migrated): keep the row, marked; drop professions and situations.
    `UPDATE rpps_professional c SET ceased_at = now(), updated_at = now(), last_import_id = $1,
            migrated_to = (SELECT m.rpps FROM d_migrated m WHERE m.adeli = c.national_id)
       FROM d_gone g
      WHERE g.national_id = c.national_id
        AND NOT EXISTS (SELECT 1 FROM d_candidate k WHERE k.adeli = g.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_pending pe WHERE pe.adeli = g.national_id)`,
    `DELETE FROM rpps_profession cp USING rpps_professional c
      WHERE c.national_id = cp.national_id AND c.ceased_at IS NOT NULL AND c.last_import_id = $1`,
    `DELETE FROM rpps_situation cs USING rpps_professional c
      WHERE c.national_id = cs.national_id AND c.ceased_at IS NOT NULL AND c.last_import_id = $1`,
    // Newcomers (or people coming back after a cessation).
    `INSERT INTO rpps_professional (national_id, id_type, identifier, civility_practice_code, civility_code,
            last_name, first_name, situations_digest, lines_digest, first_import_id, last_import_id)
     SELECT p.national_id, p.id_type, p.identifier, p.civility_practice_code, p.civility_code,
            p.last_name, p.first_name, p.situations_digest, p.lines_digest, $1::uuid, $1::uuid
       FROM s_person p JOIN d_new n ON n.national_id = p.national_id
     ON CONFLICT (national_id) DO UPDATE SET
            id_type = EXCLUDED.id_type, identifier = EXCLUDED.identifier,
            civility_practice_code = EXCLUDED.civility_practice_code, civility_code = EXCLUDED.civility_code,
            last_name = EXCLUDED.last_name, first_name = EXCLUDED.first_name,
            situations_digest = EXCLUDED.situations_digest, lines_digest = EXCLUDED.lines_digest,
            last_import_id = $1, ceased_at = NULL, migrated_to = NULL, updated_at = now()`,
    `INSERT INTO rpps_profession (national_id, profession_code, category_code, specialty_type_code, specialty_code)
     SELECT sp.national_id, sp.profession_code, sp.category_code, sp.specialty_type_code, sp.specialty_code
       FROM s_prof sp JOIN d_new n ON n.national_id = sp.national_id`,
    `INSERT INTO rpps_situation (${sitCols}, situation_hash, source_line, raw_line)
     SELECT ${SITUATION_COLUMNS.map((c) => `s.${c}`).join(', ')}, s.sit_h::text, s.line_no, s.raw
       FROM ${t.lines} s JOIN d_new n ON n.national_id = s.national_id
      WHERE s.reason IS NULL`,
    // People present on both sides whose identity or lines changed.
    `UPDATE rpps_professional c SET
            civility_practice_code = p.civility_practice_code, civility_code = p.civility_code,
            last_name = p.last_name, first_name = p.first_name,
            situations_digest = p.situations_digest, lines_digest = p.lines_digest,
            last_import_id = $1, updated_at = now()
       FROM d_both b JOIN s_person p ON p.national_id = b.national_id
      WHERE c.national_id = b.national_id`,
    `UPDATE rpps_professional c SET last_import_id = $1, updated_at = now()
       FROM (SELECT DISTINCT national_id FROM d_prof) dp WHERE dp.national_id = c.national_id`,
    `DELETE FROM rpps_situation cs USING d_both b WHERE b.lines_changed AND b.national_id = cs.national_id`,
    `INSERT INTO rpps_situation (${sitCols}, situation_hash, source_line, raw_line)
     SELECT ${SITUATION_COLUMNS.map((c) => `s.${c}`).join(', ')}, s.sit_h::text, s.line_no, s.raw
       FROM ${t.lines} s JOIN d_both b ON b.national_id = s.national_id AND b.lines_changed
      WHERE s.reason IS NULL`,
    `DELETE FROM rpps_profession cp USING d_prof dp
      WHERE dp.change IN ('removed', 'changed') AND dp.national_id = cp.national_id AND dp.profession_code = cp.profession_code`,
    `INSERT INTO rpps_profession (national_id, profession_code, category_code, specialty_type_code, specialty_code)
     SELECT sp.national_id, sp.profession_code, sp.category_code, sp.specialty_type_code, sp.specialty_code
       FROM s_prof sp JOIN d_prof dp ON dp.national_id = sp.national_id AND dp.profession_code = sp.profession_code
      WHERE dp.change IN ('added', 'changed')`,
    // Migrations: the authoritative ones are applied, the candidates wait for an operator.
    `INSERT INTO rpps_identifier_migration (import_id, adeli_national_id, rpps_national_id, source, status)
     SELECT $1::uuid, m.adeli, m.rpps, 'correspondence', 'applied' FROM d_migrated m`,
    `INSERT INTO rpps_identifier_migration (import_id, adeli_national_id, rpps_national_id, source, status)
     SELECT $1::uuid, k.adeli, k.rpps, 'candidate', 'pending' FROM d_candidate k`,
  ];
}
