/**
 * The SQL of an import: staging tables, the comparison of the staged extract with the
 * current registry, and the statements that apply the difference. The comparison and
 * the apply run in one transaction, so an import is applied whole or not at all.
 *
 * The reader stages three tables: one row per line (the situations, with the line as
 * read), one row per person and one per (person, profession), the last two aggregated
 * while reading (a person's lines are adjacent in the extract; a person whose lines
 * are not is merged here). Digests are sums of per-line hashes modulo 2^48 with a
 * count, so they do not depend on the order of lines.
 */

export interface StageTables {
  /** The next rpps_situation: a logged table with the same columns, loaded by COPY, swapped in when applied. */
  situations: string;
  persons: string;
  profs: string;
  rejects: string;
}

/** Modulus of the digest sums (the reader keeps its sums below it, exact in doubles). */
export const DIGEST_MODULUS = 2 ** 48;

export const SITUATION_COPY_COLUMNS = [
  'national_id',
  'source_line',
  'profession_code',
  'situation_hash',
  'mode_code',
  'sector_code',
  'siret',
  'siren',
  'finess_site',
  'finess_legal',
  'structure_id',
  'site_name',
  'street_number',
  'street_type_label',
  'street_label',
  'postal_code',
  'city',
  'cedex',
  'registration_authority',
  'recipient_complement',
  'geo_complement',
  'repetition_index',
  'distribution_mention',
  'country_code',
  'country_label',
  'raw_line',
] as const;

export const STAGE_PERSON_COLUMNS = [
  'national_id',
  'first_line',
  'id_type',
  'identifier',
  'civility_practice_code',
  'civility_code',
  'last_name',
  'first_name',
  'sit_sum',
  'line_count',
  'prof_sum',
  'prof_count',
  'name_key',
  'name_key_first',
] as const;

export const STAGE_PROF_COLUMNS = [
  'national_id',
  'profession_code',
  'first_line',
  'category_code',
  'specialty_type_code',
  'specialty_code',
  'prof_h',
] as const;

export const STAGE_REJECT_COLUMNS = ['file', 'line_no', 'reason', 'raw'] as const;

const SIT_DIGEST = (p: string) => `(${p}.sit_sum::text || ':' || ${p}.line_count)`;
const PROF_DIGEST = (p: string) => `(${p}.prof_sum::text || ':' || ${p}.prof_count)`;

export function stageNames(importId: string): StageTables {
  const short = importId.replace(/-/g, '').slice(0, 16);
  return {
    situations: `rpps_situation_next_${short}`,
    persons: `rpps_stage_person_${short}`,
    profs: `rpps_stage_prof_${short}`,
    rejects: `rpps_stage_reject_${short}`,
  };
}

/** Tables an interrupted import may have left behind (the caller holds the import lock). */
export const LEFTOVER_TABLES_SQL = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
  AND (tablename LIKE 'rpps\\_stage\\_%' OR tablename LIKE 'rpps\\_situation\\_next\\_%')`;

export function createStageSql(t: StageTables): string[] {
  const cols = (list: readonly string[], types: Record<string, string>) => list.map((c) => `${c} ${types[c] ?? 'text'}`).join(', ');
  return [
    // No index while loading: the key is built once the lines are in.
    `CREATE TABLE ${t.situations} (LIKE rpps_situation INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    `CREATE UNLOGGED TABLE ${t.persons} (${cols(STAGE_PERSON_COLUMNS, { first_line: 'integer', sit_sum: 'bigint', line_count: 'integer', prof_sum: 'bigint', prof_count: 'integer' })})`,
    `CREATE UNLOGGED TABLE ${t.profs} (${cols(STAGE_PROF_COLUMNS, { first_line: 'integer', prof_h: 'bigint' })})`,
    `CREATE UNLOGGED TABLE ${t.rejects} (${cols(STAGE_REJECT_COLUMNS, { line_no: 'integer' })})`,
  ];
}

/** After loading, before comparing: the key of the next situations. */
export function indexStageSql(t: StageTables): string[] {
  return [
    `ALTER TABLE ${t.situations} ADD CONSTRAINT ${t.situations}_pkey PRIMARY KEY (national_id, source_line)`,
    // Statistics now, so that the swap (which blocks readers until commit) does not wait for them.
    `ANALYZE ${t.situations}`,
  ];
}

export function copySql(table: string, columns: readonly string[]): string {
  return `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
}

/**
 * Readies the staged persons and professions (in the transaction): people with a rejected
 * line are left out (s_frozen, filled by the caller), people whose lines were not adjacent
 * are merged into one row.
 */
export function prepareSql(t: StageTables): string[] {
  const M = DIGEST_MODULUS;
  return [
    `SET LOCAL work_mem = '256MB'`,
    `DELETE FROM ${t.persons} p USING s_frozen z WHERE z.national_id = p.national_id`,
    `DELETE FROM ${t.profs} p USING s_frozen z WHERE z.national_id = p.national_id`,
    `DELETE FROM ${t.situations} p USING s_frozen z WHERE z.national_id = p.national_id`,
    // People whose lines were not adjacent (the reader lists the possible ones).
    `CREATE TEMP TABLE s_dup ON COMMIT DROP AS
       SELECT national_id FROM ${t.persons} WHERE national_id IN (SELECT national_id FROM s_maybe_dup)
        GROUP BY national_id HAVING count(*) > 1`,
    // Professions of a person met in several runs: the first run's row wins.
    `DELETE FROM ${t.profs} p USING s_dup d
      WHERE d.national_id = p.national_id
        AND EXISTS (SELECT 1 FROM ${t.profs} q WHERE q.national_id = p.national_id
                       AND q.profession_code = p.profession_code AND q.first_line < p.first_line)`,
    `CREATE TEMP TABLE s_merged ON COMMIT DROP AS
       SELECT p.national_id, min(p.first_line) AS first_line, sum(p.sit_sum) % ${M} AS sit_sum,
              sum(p.line_count)::int AS line_count,
              (SELECT COALESCE(sum(f.prof_h), 0) % ${M} FROM ${t.profs} f WHERE f.national_id = p.national_id) AS prof_sum,
              (SELECT count(*) FROM ${t.profs} f WHERE f.national_id = p.national_id)::int AS prof_count
         FROM ${t.persons} p JOIN s_dup d ON d.national_id = p.national_id GROUP BY p.national_id`,
    `DELETE FROM ${t.persons} p USING s_merged m WHERE m.national_id = p.national_id AND p.first_line > m.first_line`,
    `UPDATE ${t.persons} p SET sit_sum = m.sit_sum, line_count = m.line_count,
            prof_sum = m.prof_sum, prof_count = m.prof_count
       FROM s_merged m WHERE m.national_id = p.national_id`,
    `ANALYZE ${t.persons}`,
    `ANALYZE ${t.profs}`,
  ];
}

/** The indexes of the name search (see name-key.ts): prefixes of either key, among the professionals in practice. */
export const NAME_KEY_INDEX = 'rpps_professional_name_key_idx';
export const NAME_KEY_FIRST_INDEX = 'rpps_professional_name_key_first_idx';

/**
 * Creates them: `name_key` with the national id (the order of the results, so that a page is
 * read from the index in order), `name_key_first` carrying both (the search reads no table
 * row). The migration that made them (RegistrySearchKey) has its own copy of these statements.
 */
export function createNameKeyIndexesSql(): string[] {
  return [
    `CREATE INDEX ${NAME_KEY_INDEX} ON rpps_professional (name_key, national_id) WHERE ceased_at IS NULL`,
    `CREATE INDEX ${NAME_KEY_FIRST_INDEX} ON rpps_professional (name_key_first) INCLUDE (name_key, national_id)
      WHERE ceased_at IS NULL`,
  ];
}

/** The first import into an empty registry: bulk loads, indexes built once at the end. */
export function baselineSql(t: StageTables): string[] {
  return [
    `CREATE TEMP TABLE d_keep (adeli text) ON COMMIT DROP`,
    `DROP INDEX rpps_professional_name_idx`,
    `DROP INDEX ${NAME_KEY_INDEX}`,
    `DROP INDEX ${NAME_KEY_FIRST_INDEX}`,
    `DROP INDEX rpps_profession_code_idx`,
    `ALTER TABLE rpps_professional DROP CONSTRAINT rpps_professional_pkey`,
    `ALTER TABLE rpps_profession DROP CONSTRAINT rpps_profession_pkey`,
    `INSERT INTO rpps_professional (national_id, id_type, identifier, civility_practice_code, civility_code,
            last_name, first_name, situations_digest, professions_digest, first_import_id, last_import_id, name_key, name_key_first)
     SELECT p.national_id, p.id_type, p.identifier, p.civility_practice_code, p.civility_code, p.last_name, p.first_name,
            ${SIT_DIGEST('p')}, ${PROF_DIGEST('p')}, $1::uuid, $1::uuid, p.name_key, p.name_key_first
       FROM ${t.persons} p`,
    `INSERT INTO rpps_profession (national_id, profession_code, category_code, specialty_type_code, specialty_code)
     SELECT national_id, profession_code, category_code, specialty_type_code, specialty_code FROM ${t.profs}`,
    `ALTER TABLE rpps_professional ADD CONSTRAINT rpps_professional_pkey PRIMARY KEY (national_id)`,
    `ALTER TABLE rpps_profession ADD CONSTRAINT rpps_profession_pkey PRIMARY KEY (national_id, profession_code)`,
    `CREATE INDEX rpps_professional_name_idx ON rpps_professional (last_name, first_name)`,
    ...createNameKeyIndexesSql(),
    `CREATE INDEX rpps_profession_code_idx ON rpps_profession (profession_code)`,
    ...swapSituationsSql(t),
    `ANALYZE rpps_professional`,
    `ANALYZE rpps_profession`,
  ];
}

/**
 * The next situations become rpps_situation. It was made LIKE rpps_situation (columns,
 * defaults, checks) and given its key; a migration that adds an index or a constraint to
 * rpps_situation must add it here too (the schema test after an import catches a miss).
 * People the import leaves as they are
 * (a rejected line, an ADELI identifier awaiting an operator's decision) keep their rows.
 */
export function swapSituationsSql(t: StageTables): string[] {
  return [
    `INSERT INTO ${t.situations} SELECT s.* FROM rpps_situation s
      WHERE s.national_id IN (SELECT national_id FROM s_frozen UNION SELECT adeli FROM d_keep)
     ON CONFLICT DO NOTHING`,
    `DROP TABLE rpps_situation`,
    `ALTER TABLE ${t.situations} RENAME TO rpps_situation`,
    `ALTER TABLE rpps_situation RENAME CONSTRAINT ${t.situations}_pkey TO rpps_situation_pkey`,
  ];
}

/** Builds d_new, d_gone, d_both, d_prof: the differences with the current registry. */
export function compareSql(t: StageTables): string[] {
  return [
    `CREATE TEMP TABLE d_new ON COMMIT DROP AS
       SELECT p.national_id FROM ${t.persons} p
        WHERE NOT EXISTS (SELECT 1 FROM rpps_professional c WHERE c.national_id = p.national_id AND c.ceased_at IS NULL)`,
    `CREATE TEMP TABLE d_gone ON COMMIT DROP AS
       SELECT c.national_id, c.id_type FROM rpps_professional c
        WHERE c.ceased_at IS NULL AND NOT EXISTS (SELECT 1 FROM ${t.persons} p WHERE p.national_id = c.national_id)
          AND NOT EXISTS (SELECT 1 FROM s_frozen z WHERE z.national_id = c.national_id)`,
    `CREATE TEMP TABLE d_both ON COMMIT DROP AS
       SELECT p.national_id,
              (c.civility_practice_code, c.civility_code, c.last_name, c.first_name)
                IS DISTINCT FROM (p.civility_practice_code, p.civility_code, p.last_name, p.first_name) AS identity_changed,
              c.situations_digest <> ${SIT_DIGEST('p')} AS situations_changed,
              c.professions_digest <> ${PROF_DIGEST('p')} AS professions_changed,
              jsonb_build_object('lastName', c.last_name, 'firstName', c.first_name,
                                 'civilityPracticeCode', c.civility_practice_code, 'civilityCode', c.civility_code) AS before,
              jsonb_build_object('lastName', p.last_name, 'firstName', p.first_name,
                                 'civilityPracticeCode', p.civility_practice_code, 'civilityCode', p.civility_code) AS after
         FROM ${t.persons} p JOIN rpps_professional c ON c.national_id = p.national_id AND c.ceased_at IS NULL
        WHERE (c.civility_practice_code, c.civility_code, c.last_name, c.first_name)
                IS DISTINCT FROM (p.civility_practice_code, p.civility_code, p.last_name, p.first_name)
           OR c.situations_digest <> ${SIT_DIGEST('p')}
           OR c.professions_digest <> ${PROF_DIGEST('p')}`,
    // Profession rows that differ, for people present on both sides whose professions changed.
    `CREATE TEMP TABLE d_prof ON COMMIT DROP AS
       WITH sp AS (SELECT f.* FROM ${t.profs} f JOIN d_both b ON b.national_id = f.national_id AND b.professions_changed),
            cp AS (SELECT f.* FROM rpps_profession f JOIN d_both b ON b.national_id = f.national_id AND b.professions_changed)
       SELECT COALESCE(s.national_id, c.national_id) AS national_id,
              COALESCE(s.profession_code, c.profession_code) AS profession_code,
              CASE WHEN c.national_id IS NULL THEN 'added' WHEN s.national_id IS NULL THEN 'removed' ELSE 'changed' END AS change,
              CASE WHEN c.national_id IS NOT NULL THEN jsonb_build_object('categoryCode', c.category_code,
                'specialtyTypeCode', c.specialty_type_code, 'specialtyCode', c.specialty_code) END AS before,
              CASE WHEN s.national_id IS NOT NULL THEN jsonb_build_object('categoryCode', s.category_code,
                'specialtyTypeCode', s.specialty_type_code, 'specialtyCode', s.specialty_code) END AS after
         FROM sp s FULL JOIN cp c ON c.national_id = s.national_id AND c.profession_code = s.profession_code
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
export function migrationSql(t: StageTables): string[] {
  return [
    `CREATE TEMP TABLE d_migrated ON COMMIT DROP AS
       SELECT DISTINCT ON (k.adeli) k.adeli, k.rpps FROM corr k
         JOIN d_gone g ON g.national_id = k.adeli
         JOIN ${t.persons} p ON p.national_id = k.rpps
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
       SELECT p.national_id, p.last_name, p.first_name FROM ${t.persons} p JOIN d_new n ON n.national_id = p.national_id
        WHERE p.id_type = '8' AND NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.rpps = p.national_id)`,
    `CREATE TEMP TABLE d_name_pairs ON COMMIT DROP AS
       SELECT a.national_id AS adeli, r.national_id AS rpps
         FROM d_gone_adeli a JOIN d_new_rpps r ON r.last_name = a.last_name AND r.first_name = a.first_name`,
    `CREATE TEMP TABLE d_pair_sites ON COMMIT DROP AS
       SELECT s.national_id, s.profession_code, s.structure_id, s.siret, s.finess_site FROM rpps_situation s
        WHERE s.national_id IN (SELECT adeli FROM d_name_pairs)
       UNION ALL
       SELECT l.national_id, l.profession_code, l.structure_id, l.siret, l.finess_site FROM ${t.situations} l
        WHERE l.national_id IN (SELECT rpps FROM d_name_pairs)`,
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
    // ADELI people absent from the file but kept until an operator decides.
    `CREATE TEMP TABLE d_keep ON COMMIT DROP AS
       SELECT adeli FROM d_pending WHERE adeli IN (SELECT national_id FROM d_gone) UNION SELECT adeli FROM d_candidate`,
  ];
}

const NOT_MIGRATING_NEW = `NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.rpps = n.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_candidate k WHERE k.rpps = n.national_id)`;
const REALLY_GONE = `NOT EXISTS (SELECT 1 FROM d_migrated m WHERE m.adeli = g.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_candidate k WHERE k.adeli = g.national_id)
        AND NOT EXISTS (SELECT 1 FROM d_pending pe WHERE pe.adeli = g.national_id)`;
const IDENTITY_EVENT_PEOPLE = `
       SELECT b.national_id, CASE WHEN b.identity_changed THEN b.before END AS before,
              CASE WHEN b.identity_changed THEN b.after END AS after
         FROM d_both b
        WHERE b.identity_changed
           OR EXISTS (SELECT 1 FROM d_prof dp WHERE dp.national_id = b.national_id AND dp.change = 'changed')`;

/** Counts of each kind of event the comparison implies (one row). */
export const COUNT_EVENTS_SQL = `
  SELECT
    (SELECT count(*) FROM d_new n WHERE ${NOT_MIGRATING_NEW})::int AS "NEW_PROFESSIONAL",
    (SELECT count(*) FROM d_gone g WHERE ${REALLY_GONE})::int AS "CEASED",
    (SELECT count(*) FROM (${IDENTITY_EVENT_PEOPLE}) x)::int AS "IDENTITY_CHANGED",
    (SELECT count(*) FROM d_both b WHERE b.situations_changed)::int AS "SITUATION_CHANGED",
    (SELECT count(*) FROM d_prof WHERE change = 'added')::int AS "PROFESSION_ADDED",
    (SELECT count(*) FROM d_prof WHERE change = 'removed')::int AS "PROFESSION_REMOVED",
    (SELECT count(*) FROM d_migrated)::int AS "IDENTIFIER_MIGRATED",
    (SELECT count(*) FROM d_candidate)::int AS "candidates",
    (SELECT count(*) FROM d_both)::int AS "peopleChanged",
    (SELECT count(*) FROM d_new)::int AS "arrivals",
    (SELECT count(*) FROM d_gone g WHERE NOT EXISTS (SELECT 1 FROM d_pending pe WHERE pe.adeli = g.national_id))::int AS "departures"`;

/**
 * A sample of what applying would do ($1 = how many): the events it would emit, ceased
 * professionals first, then by national id. Read for a held import, before its rollback.
 */
export const PREVIEW_SAMPLE_SQL = `
  SELECT national_id AS "nationalId", kind, profession_code AS "professionCode" FROM (
    SELECT 'CEASED' AS kind, g.national_id, NULL::text AS profession_code FROM d_gone g WHERE ${REALLY_GONE}
    UNION ALL SELECT 'NEW_PROFESSIONAL', n.national_id, NULL FROM d_new n WHERE ${NOT_MIGRATING_NEW}
    UNION ALL SELECT 'IDENTITY_CHANGED', x.national_id, NULL FROM (${IDENTITY_EVENT_PEOPLE}) x
    UNION ALL SELECT 'SITUATION_CHANGED', b.national_id, NULL FROM d_both b WHERE b.situations_changed
    UNION ALL SELECT CASE dp.change WHEN 'added' THEN 'PROFESSION_ADDED' ELSE 'PROFESSION_REMOVED' END, dp.national_id,
                     dp.profession_code FROM d_prof dp WHERE dp.change IN ('added', 'removed')
    UNION ALL SELECT 'IDENTIFIER_MIGRATED', m.rpps, NULL FROM d_migrated m
  ) e
  ORDER BY kind <> 'CEASED', national_id, kind, profession_code
  LIMIT $1`;

/** Counts for the guard and the result, before anything is compared. */
export function sizesSql(t: StageTables): string {
  return `SELECT (SELECT count(*) FROM rpps_professional WHERE ceased_at IS NULL)::int AS "activeBefore",
                 (SELECT count(*) FROM ${t.persons})::int AS "peopleInFile",
                 EXISTS (SELECT 1 FROM rpps_professional) AS "registryHasRows"`;
}

/** Writes the registry events of this import ($1 = import id), before the registry changes. */
export function insertEventsSql(t: StageTables): string[] {
  return [
    `INSERT INTO rpps_event (import_id, kind, national_id, details)
     SELECT $1::uuid, 'NEW_PROFESSIONAL', n.national_id, jsonb_build_object('professions', pr.professions)
       FROM d_new n
       LEFT JOIN (SELECT f.national_id, jsonb_agg(f.profession_code ORDER BY f.profession_code) AS professions
                    FROM ${t.profs} f JOIN d_new x ON x.national_id = f.national_id GROUP BY f.national_id) pr
         ON pr.national_id = n.national_id
      WHERE ${NOT_MIGRATING_NEW}
      ORDER BY n.national_id`,
    `INSERT INTO rpps_event (import_id, kind, national_id, details)
     SELECT $1::uuid, 'CEASED', g.national_id,
            jsonb_build_object('professions', (SELECT jsonb_agg(cp.profession_code ORDER BY cp.profession_code)
                                                 FROM rpps_profession cp WHERE cp.national_id = g.national_id))
       FROM d_gone g
      WHERE ${REALLY_GONE}
      ORDER BY g.national_id`,
    `INSERT INTO rpps_event (import_id, kind, national_id, details)
     SELECT $1::uuid, 'IDENTITY_CHANGED', x.national_id,
            jsonb_strip_nulls(jsonb_build_object('before', x.before, 'after', x.after,
              'professions', (SELECT jsonb_agg(jsonb_build_object('professionCode', dp.profession_code,
                                 'before', dp.before, 'after', dp.after) ORDER BY dp.profession_code)
                                FROM d_prof dp WHERE dp.national_id = x.national_id AND dp.change = 'changed')))
       FROM (${IDENTITY_EVENT_PEOPLE}) x
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
}

/** Applies the comparison to the registry ($1 = import id). */
export function applySql(t: StageTables): string[] {
  return [
    // People who left (ceased or migrated): keep the row, marked; drop professions and situations.
    `CREATE TEMP TABLE d_leaving ON COMMIT DROP AS
       SELECT g.national_id, (SELECT m.rpps FROM d_migrated m WHERE m.adeli = g.national_id) AS migrated_to
         FROM d_gone g
        WHERE NOT EXISTS (SELECT 1 FROM d_candidate k WHERE k.adeli = g.national_id)
          AND NOT EXISTS (SELECT 1 FROM d_pending pe WHERE pe.adeli = g.national_id)`,
    `UPDATE rpps_professional c SET ceased_at = now(), updated_at = now(), last_import_id = $1, migrated_to = l.migrated_to
       FROM d_leaving l WHERE l.national_id = c.national_id`,
    `DELETE FROM rpps_profession cp USING d_leaving l WHERE l.national_id = cp.national_id`,
    // Newcomers (or people coming back after a cessation).
    `INSERT INTO rpps_professional (national_id, id_type, identifier, civility_practice_code, civility_code,
            last_name, first_name, situations_digest, professions_digest, first_import_id, last_import_id, name_key, name_key_first)
     SELECT p.national_id, p.id_type, p.identifier, p.civility_practice_code, p.civility_code,
            p.last_name, p.first_name, ${SIT_DIGEST('p')}, ${PROF_DIGEST('p')}, $1::uuid, $1::uuid, p.name_key, p.name_key_first
       FROM ${t.persons} p JOIN d_new n ON n.national_id = p.national_id
     ON CONFLICT (national_id) DO UPDATE SET
            id_type = EXCLUDED.id_type, identifier = EXCLUDED.identifier,
            civility_practice_code = EXCLUDED.civility_practice_code, civility_code = EXCLUDED.civility_code,
            last_name = EXCLUDED.last_name, first_name = EXCLUDED.first_name,
            name_key = EXCLUDED.name_key, name_key_first = EXCLUDED.name_key_first,
            situations_digest = EXCLUDED.situations_digest,
            professions_digest = EXCLUDED.professions_digest,
            last_import_id = $1, ceased_at = NULL, migrated_to = NULL, updated_at = now()`,
    `INSERT INTO rpps_profession (national_id, profession_code, category_code, specialty_type_code, specialty_code)
     SELECT f.national_id, f.profession_code, f.category_code, f.specialty_type_code, f.specialty_code
       FROM ${t.profs} f JOIN d_new n ON n.national_id = f.national_id`,
    // People present on both sides whose identity, lines or professions changed.
    `UPDATE rpps_professional c SET
            civility_practice_code = p.civility_practice_code, civility_code = p.civility_code,
            last_name = p.last_name, first_name = p.first_name, name_key = p.name_key, name_key_first = p.name_key_first,
            situations_digest = ${SIT_DIGEST('p')}, professions_digest = ${PROF_DIGEST('p')},
            last_import_id = $1, updated_at = now()
       FROM d_both b JOIN ${t.persons} p ON p.national_id = b.national_id
      WHERE c.national_id = b.national_id`,
    `DELETE FROM rpps_profession cp USING d_prof dp
      WHERE dp.change IN ('removed', 'changed') AND dp.national_id = cp.national_id AND dp.profession_code = cp.profession_code`,
    `INSERT INTO rpps_profession (national_id, profession_code, category_code, specialty_type_code, specialty_code)
     SELECT f.national_id, f.profession_code, f.category_code, f.specialty_type_code, f.specialty_code
       FROM ${t.profs} f JOIN d_prof dp ON dp.national_id = f.national_id AND dp.profession_code = f.profession_code
      WHERE dp.change IN ('added', 'changed')`,
    // Migrations: the authoritative ones are applied, the candidates wait for an operator.
    `INSERT INTO rpps_identifier_migration (import_id, adeli_national_id, rpps_national_id, source, status)
     SELECT $1::uuid, m.adeli, m.rpps, 'correspondence', 'applied' FROM d_migrated m`,
    `INSERT INTO rpps_identifier_migration (import_id, adeli_national_id, rpps_national_id, source, status)
     SELECT $1::uuid, k.adeli, k.rpps, 'candidate', 'pending' FROM d_candidate k`,
    ...swapSituationsSql(t),
  ];
}
