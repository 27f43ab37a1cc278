import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { likePrefix } from '../common/database/like';
import { paged } from '../common/database/paged';
import { PurgeOptions, purgeInBatches } from '../common/database/purge';
import { Param } from '../common/database/sql-params';
import { isUuid } from '../common/database/uuid';
import { MailingAddress, mailingAddressSql } from './mailing-address';
import { professionLabelSql } from './professions';
import { registryEventSummary } from './registry-event-summary';
import { RppsError } from './rpps.errors';

export interface ProfessionalView {
  nationalId: string;
  idType: string;
  identifier: string;
  civilityPracticeCode: string;
  civilityCode: string;
  lastName: string;
  firstName: string;
  status: 'active' | 'ceased';
  ceasedAt: Date | null;
  migratedTo: string | null;
  professions: Array<{
    professionCode: string;
    professionLabel: string | null;
    categoryCode: string;
    specialtyTypeCode: string;
    specialtyCode: string;
  }>;
  situations: Array<Record<string, unknown>>;
}

export interface CardContent {
  nationalId: string;
  civilityPracticeCode: string;
  civilityCode: string;
  lastName: string;
  firstName: string;
  professionCode: string;
  categoryCode: string;
  specialtyTypeCode: string;
  specialtyCode: string;
  situations: Array<Record<string, string>>;
}

/** A registry event about a professional, as the professional's view shows it (newest first). */
export interface RegistryEventView {
  id: string;
  kind: string;
  importId: string;
  /** The day of its import's extract. */
  asOf: string | null;
  createdAt: Date;
  professionCode: string | null;
  professionLabel: string | null;
  /** What changed, in a few words (registryEventSummary). */
  summary: string;
  details: Record<string, unknown>;
}

/** How many registry events the professional's view shows, newest first. */
export const PROFESSIONAL_EVENTS_SHOWN = 50;

/** Where a (professional, profession) stands in the registry (RppsService.standing). */
export type RegistryStanding =
  | { kind: 'active' }
  | { kind: 'unknown' }
  | { kind: 'ceased'; ceasedAt: Date; migratedTo: string | null }
  | { kind: 'profession_not_held'; professions: string[] };

/** An import as the API shows it (`preview`: what applying a held import would do). */
const IMPORT_COLUMNS = `i.id AS "importId", i.status, i.layout, to_char(i.as_of, 'YYYY-MM-DD') AS "asOf", i.rows_read AS "rowsRead",
         i.rows_accepted AS "rowsAccepted", i.rows_rejected AS "rowsRejected", i.events,
         i.professionals_before AS "professionalsBefore", i.professionals_after AS "professionalsAfter", i.error,
         i.actor, s.name AS "submittedBy", i.preview, c.name AS "confirmedBy", i.confirmed_at AS "confirmedAt",
         i.confirmation_job_run_id AS "confirmationJobRunId", i.confirms_import_id AS "confirmsImportId",
         i.started_at AS "startedAt", i.finished_at AS "finishedAt"`;
const IMPORT_FROM = `rpps_import i
    LEFT JOIN principal s ON s.id = i.submitted_by_principal
    LEFT JOIN principal c ON c.id = i.confirmed_by_principal`;

/** Read side of the registry, for the API and the other modules. */
@Injectable()
export class RppsService {
  constructor(private readonly ds: DataSource) {}

  async getProfessional(nationalId: string): Promise<ProfessionalView> {
    const rows = await this.ds.query(
      `SELECT national_id AS "nationalId", id_type AS "idType", identifier, civility_practice_code AS "civilityPracticeCode",
              civility_code AS "civilityCode", last_name AS "lastName", first_name AS "firstName", ceased_at AS "ceasedAt",
              migrated_to AS "migratedTo"
         FROM rpps_professional WHERE national_id = $1`,
      [nationalId],
    );
    if (!rows.length) throw new RppsError('professional_not_found', `no professional ${nationalId} in the registry`, 404);
    const p = rows[0];
    const professions = await this.ds.query(
      `SELECT profession_code AS "professionCode", ${professionLabelSql('profession_code')} AS "professionLabel",
              category_code AS "categoryCode", specialty_type_code AS "specialtyTypeCode",
              specialty_code AS "specialtyCode" FROM rpps_profession WHERE national_id = $1 ORDER BY profession_code`,
      [nationalId],
    );
    const situations = await this.ds.query(
      `SELECT profession_code AS "professionCode", ${professionLabelSql('profession_code')} AS "professionLabel", mode_code AS "modeCode", sector_code AS "sectorCode", siret, siren,
              finess_site AS "finessSite", finess_legal AS "finessLegal", structure_id AS "structureId", site_name AS "siteName",
              street_number AS "streetNumber", street_type_label AS "streetTypeLabel", street_label AS "streetLabel",
              postal_code AS "postalCode", city, cedex, registration_authority AS "registrationAuthority",
              recipient_complement AS "recipientComplement", geo_complement AS "geoComplement",
              repetition_index AS "repetitionIndex", distribution_mention AS "distributionMention",
              country_code AS "countryCode", country_label AS "countryLabel"
         FROM rpps_situation WHERE national_id = $1 ORDER BY source_line`,
      [nationalId],
    );
    return { ...p, status: p.ceasedAt ? 'ceased' : 'active', professions, situations };
  }

  /**
   * What a card of this professional and profession carries, as the registry says today
   * (identity, profession and category, specialty, up to 8 situations); null when the
   * professional is not active in the registry with that profession.
   */
  async cardContent(nationalId: string, professionCode: string, db: { query: DataSource['query'] } = this.ds): Promise<CardContent | null> {
    const rows = await db.query(
      `SELECT p.national_id, p.civility_practice_code, p.civility_code, p.last_name, p.first_name,
              pr.category_code, pr.specialty_type_code, pr.specialty_code
         FROM rpps_professional p JOIN rpps_profession pr ON pr.national_id = p.national_id AND pr.profession_code = $2
        WHERE p.national_id = $1 AND p.ceased_at IS NULL`,
      [nationalId, professionCode],
    );
    if (!rows.length) return null;
    const r = rows[0];
    const situations = await db.query(
      `SELECT mode_code AS "modeCode", sector_code AS "sectorCode", structure_id AS "structureId", siret,
              finess_site AS "finessSite", site_name AS "siteName", street_number AS "streetNumber",
              street_type_label AS "streetTypeLabel", street_label AS "streetLabel", postal_code AS "postalCode", city
         FROM rpps_situation WHERE national_id = $1 AND profession_code = $2 ORDER BY source_line LIMIT 8`,
      [nationalId, professionCode],
    );
    return {
      nationalId: r.national_id,
      civilityPracticeCode: r.civility_practice_code,
      civilityCode: r.civility_code,
      lastName: r.last_name,
      firstName: r.first_name,
      professionCode,
      categoryCode: r.category_code,
      specialtyTypeCode: r.specialty_type_code,
      specialtyCode: r.specialty_code,
      situations,
    };
  }

  /**
   * Where a (professional, profession) stands in the registry, in ONE query (order creation
   * runs it to say why the registry refused an order): `active` with that profession, `unknown`
   * (no such national id), `ceased` (with the day it ceased and, for an identifier
   * migration, the new id), or `profession_not_held` (with the professions held).
   */
  async standing(nationalId: string, professionCode: string, db: { query: DataSource['query'] } = this.ds): Promise<RegistryStanding> {
    const rows: Array<{ ceased_at: Date | null; migrated_to: string | null; professions: string[] }> = await db.query(
      `SELECT p.ceased_at, p.migrated_to,
              ARRAY(SELECT pr.profession_code FROM rpps_profession pr WHERE pr.national_id = p.national_id
                     ORDER BY pr.profession_code) AS professions
         FROM rpps_professional p WHERE p.national_id = $1`,
      [nationalId],
    );
    const r = rows[0];
    if (!r) return { kind: 'unknown' };
    if (r.ceased_at) return { kind: 'ceased', ceasedAt: r.ceased_at, migratedTo: r.migrated_to };
    if (!r.professions.includes(professionCode)) return { kind: 'profession_not_held', professions: r.professions };
    return { kind: 'active' };
  }

  /**
   * SQL for set-based work of other modules (the registry's tables stay this module's
   * business): a condition true when `nid` is active in the registry with profession `prof`.
   */
  activeInRegistrySql(nid: string, prof: string): string {
    return `EXISTS (SELECT 1 FROM rpps_professional rp JOIN rpps_profession rpr ON rpr.national_id = rp.national_id
                     WHERE rp.national_id = ${nid} AND rpr.profession_code = ${prof} AND rp.ceased_at IS NULL)`;
  }

  /** SQL giving, as jsonb, what cardContent() gives (null when not active with that profession). */
  cardContentSql(nid: string, prof: string): string {
    return `(SELECT jsonb_build_object('nationalId', rp.national_id, 'civilityPracticeCode', rp.civility_practice_code,
               'civilityCode', rp.civility_code, 'lastName', rp.last_name, 'firstName', rp.first_name,
               'professionCode', rpr.profession_code, 'categoryCode', rpr.category_code,
               'specialtyTypeCode', rpr.specialty_type_code, 'specialtyCode', rpr.specialty_code,
               'situations', COALESCE((SELECT jsonb_agg(jsonb_build_object('modeCode', s.mode_code, 'sectorCode', s.sector_code,
                    'structureId', s.structure_id, 'siret', s.siret, 'finessSite', s.finess_site, 'siteName', s.site_name,
                    'streetNumber', s.street_number, 'streetTypeLabel', s.street_type_label, 'streetLabel', s.street_label,
                    'postalCode', s.postal_code, 'city', s.city) ORDER BY s.source_line)
                  FROM (SELECT * FROM rpps_situation s0 WHERE s0.national_id = rp.national_id AND s0.profession_code = rpr.profession_code
                         ORDER BY s0.source_line LIMIT 8) s), '[]'::jsonb))
        FROM rpps_professional rp JOIN rpps_profession rpr ON rpr.national_id = rp.national_id
       WHERE rp.national_id = ${nid} AND rpr.profession_code = ${prof} AND rp.ceased_at IS NULL)`;
  }

  /**
   * Where the letters of a card of this professional and profession go: the addressee as printed
   * and the address of the first practice situation of that profession (see mailing-address.ts);
   * null when the professional is unknown, ceased, or does not hold that profession.
   */
  async mailingAddress(
    nationalId: string,
    professionCode: string,
    db: { query: DataSource['query'] } = this.ds,
  ): Promise<MailingAddress | null> {
    const [address] = await this.mailingAddresses([{ nationalId, professionCode }], db);
    return address;
  }

  /** {@link mailingAddress} of many (professional, profession) pairs in ONE query: the answers in the order asked. */
  async mailingAddresses(
    pairs: ReadonlyArray<{ nationalId: string; professionCode: string }>,
    db: { query: DataSource['query'] } = this.ds,
  ): Promise<Array<MailingAddress | null>> {
    if (!pairs.length) return [];
    const rows: Array<{ address: MailingAddress | null }> = await db.query(
      `SELECT ${mailingAddressSql('k.nid', 'k.prof')} AS address
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(nid, prof, i)
        ORDER BY k.i`,
      [pairs.map((p) => p.nationalId), pairs.map((p) => p.professionCode)],
    );
    return rows.map((r) => r.address);
  }

  /** SQL giving, as jsonb, what mailingAddress() gives (null when not active with that profession), for set-based reads. */
  mailingAddressSql(nid: string, prof: string): string {
    return mailingAddressSql(nid, prof);
  }

  /** One registry event, for its consumers (job payloads carry its id only). */
  async getEvent(
    id: string,
  ): Promise<{ id: string; kind: string; nationalId: string; professionCode: string | null; details: Record<string, unknown> } | null> {
    const rows = await this.ds.query(
      `SELECT id::text AS id, kind, national_id AS "nationalId", profession_code AS "professionCode", details
         FROM rpps_event WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * The latest registry events that touched a professional (at most `limit`, newest first): those
   * about their national id and, for an ADELI identifier that migrated, the IDENTIFIER_MIGRATED
   * event of its RPPS identifier that names it. Read through the events' national id index.
   */
  async eventsOf(nationalId: string, limit = PROFESSIONAL_EVENTS_SHOWN): Promise<RegistryEventView[]> {
    const rows: Array<Omit<RegistryEventView, 'summary'>> = await this.ds.query(
      `SELECT e.id::text AS id, e.kind, e.import_id AS "importId", to_char(i.as_of, 'YYYY-MM-DD') AS "asOf", e.created_at AS "createdAt",
              e.profession_code AS "professionCode", ${professionLabelSql('e.profession_code')} AS "professionLabel", e.details
         FROM rpps_event e JOIN rpps_import i ON i.id = e.import_id
        WHERE e.national_id = $1
           OR (e.national_id = (SELECT p.migrated_to FROM rpps_professional p WHERE p.national_id = $1)
               AND e.kind = 'IDENTIFIER_MIGRATED' AND e.details->>'fromNationalId' = $1)
        ORDER BY e.id DESC LIMIT $2`,
      [nationalId, limit],
    );
    return rows.map((r) => ({ ...r, summary: registryEventSummary(r) }));
  }

  /** One page of the lines an import rejected (file, line, why; never the line itself), in file and line order; 404 `import_not_found`. */
  async importRejects(id: string, q: { page?: number; pageSize?: number } = {}) {
    const found = isUuid(id) ? await this.ds.query(`SELECT 1 FROM rpps_import WHERE id = $1`, [id]) : [];
    if (!found.length) throw new RppsError('import_not_found', `no import ${id}`, 404);
    return paged<{ file: string; line: number; reason: string }>(this.ds, {
      select: `r.file, r.line_no AS line, r.reason`,
      from: 'rpps_reject r',
      where: (p: Param) => `WHERE r.import_id = ${p(id)}`,
      orderBy: 'r.file, r.line_no',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 100,
    });
  }

  /** One page of the professionals in practice whose name starts with `name` (taken literally), and how many match. */
  async search(q: { name?: string; profession?: string; page?: number; pageSize?: number }) {
    return paged(this.ds, {
      select: `p.national_id AS "nationalId", p.last_name AS "lastName", p.first_name AS "firstName"`,
      // The professions of the page's rows only, never of the rows skipped to reach it.
      perPageRow: {
        select: `(SELECT array_agg(pr.profession_code ORDER BY pr.profession_code)
                    FROM rpps_profession pr WHERE pr.national_id = page."nationalId") AS professions,
                 (SELECT array_agg(${professionLabelSql('pr.profession_code')} ORDER BY pr.profession_code)
                    FROM rpps_profession pr WHERE pr.national_id = page."nationalId") AS "professionLabels"`,
        orderBy: 'page."lastName", page."firstName", page."nationalId"',
      },
      from: 'rpps_professional p',
      where: (p: Param) => {
        const where: string[] = ['p.ceased_at IS NULL'];
        if (q.name) where.push(`p.last_name LIKE ${p(likePrefix(q.name.toUpperCase()))} ESCAPE '\\'`);
        if (q.profession) {
          where.push(
            `EXISTS (SELECT 1 FROM rpps_profession pr WHERE pr.national_id = p.national_id AND pr.profession_code = ${p(q.profession)})`,
          );
        }
        return `WHERE ${where.join(' AND ')}`;
      },
      orderBy: 'p.last_name, p.first_name, p.national_id',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 50,
    });
  }

  /** One page of the imports, latest first (20 a page unless given), and how many there are. */
  async listImports(q: { page?: number; pageSize?: number } = {}) {
    return paged(this.ds, {
      select: IMPORT_COLUMNS,
      from: IMPORT_FROM,
      orderBy: 'i.started_at DESC, i.id',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 20,
    });
  }

  /** One import, with who submitted and confirmed it and, when held, what applying it would do. */
  async getImport(id: string) {
    const rows = isUuid(id) ? await this.ds.query(`SELECT ${IMPORT_COLUMNS} FROM ${IMPORT_FROM} WHERE i.id = $1`, [id]) : [];
    if (!rows.length) throw new RppsError('import_not_found', `no import ${id}`, 404);
    return rows[0];
  }

  /**
   * Retention (RETENTION_REGISTRY_REJECTS_DAYS): deletes the rejected lines (their raw text holds personal data) of
   * the imports that ended before `cutoff`, in batches; the import keeps its counts (rows_rejected). A held import
   * (waiting for a person to confirm it) keeps its rejects, as a running one does.
   */
  purgeRejects(cutoff: Date, o: PurgeOptions): Promise<number> {
    return purgeInBatches(
      this.ds,
      {
        table: 'rpps_reject',
        where: `import_id IN (SELECT id FROM rpps_import WHERE status NOT IN ('running','held') AND coalesce(finished_at, started_at) < $1)`,
      },
      cutoff,
      o,
    );
  }
}
