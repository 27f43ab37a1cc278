import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { checkPageDepth, Page } from '../common/database/paged';
import { searchPattern } from './name-key';
import { professionLabel } from './professions';

/** A professional as a search lists one (GET /api/v1/search). */
export interface ProfessionalSummary {
  nationalId: string;
  lastName: string;
  firstName: string;
  /** Profession codes (TRE_G15), in code order; none for a professional who ceased. */
  professions: string[];
  /** Their labels, in the same order (the code itself for an unlisted one). */
  professionLabels: string[];
  ceased: boolean;
}

/** How far a name search counts (and pages): past it, `totalIsLowerBound`. */
export const NAME_SEARCH_COUNT_CAP = 1000;
/** A name search's page size unless given. */
export const NAME_SEARCH_PAGE_SIZE = 20;

/**
 * The registry's side of the console's search box (GET /api/v1/search, whose route the orders
 * module serves with the cards): professionals by name (name-key.ts) and by national id.
 */
@Injectable()
export class RegistrySearchService {
  constructor(private readonly ds: DataSource) {}

  /**
   * One page of the professionals in practice whose name matches what was typed (see
   * name-key.ts: accents, case and punctuation ignored; each word the start of a word of the
   * name, in order; one word the start of the last name, several words either way round),
   * ordered by folded last name, first name, then national id; counted up to
   * NAME_SEARCH_COUNT_CAP, past which a page is refused (400 naming page).
   *
   * One statement gives the page and the count: each key's matches, first ones first, at
   * most the cap + 1 (or as many as the page needs) of each, the last-name-first key's read
   * from its index in order (it stops there), the first-name-first key's (only for several
   * words, and only what the first lacks) read from its index range and sorted; the page is
   * the start of the two merged, the count how many there are.
   */
  async searchByName(typed: string, q: { page?: number; pageSize?: number } = {}): Promise<Page<ProfessionalSummary>> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? NAME_SEARCH_PAGE_SIZE;
    checkPageDepth(page, pageSize, NAME_SEARCH_COUNT_CAP, 'or type more of the name');
    const offset = (page - 1) * pageSize;
    const { pattern, words } = searchPattern(typed);
    const branch = (where: string) =>
      `(SELECT national_id, name_key FROM rpps_professional WHERE ceased_at IS NULL AND ${where}
         ORDER BY name_key, national_id LIMIT $2)`;
    const branches = [branch('name_key LIKE $1')];
    if (words > 1) branches.push(branch('name_key_first LIKE $1 AND name_key NOT LIKE $1'));
    const [found]: Array<{ n: number; ids: string[] }> = await this.ds.query(
      `WITH m AS (${branches.join(' UNION ALL ')})
       SELECT (SELECT count(*)::int FROM m) AS n,
              ARRAY(SELECT national_id FROM m ORDER BY name_key, national_id LIMIT $3 OFFSET $4) AS ids`,
      [pattern, Math.max(NAME_SEARCH_COUNT_CAP + 1, offset + pageSize), pageSize, offset],
    );
    return {
      items: await this.summaries(found.ids),
      page,
      pageSize,
      total: Math.min(found.n, NAME_SEARCH_COUNT_CAP),
      totalIsLowerBound: found.n > NAME_SEARCH_COUNT_CAP,
    };
  }

  /** The professionals of `nationalIds` the registry knows (ceased ones too, flagged), in the order asked. */
  async summaries(nationalIds: string[]): Promise<ProfessionalSummary[]> {
    if (!nationalIds.length) return [];
    const rows: Array<Omit<ProfessionalSummary, 'professionLabels'>> = await this.ds.query(
      `SELECT p.national_id AS "nationalId", p.last_name AS "lastName", p.first_name AS "firstName",
              ARRAY(SELECT pr.profession_code FROM rpps_profession pr WHERE pr.national_id = p.national_id
                     ORDER BY pr.profession_code) AS professions,
              p.ceased_at IS NOT NULL AS ceased
         FROM unnest($1::text[]) WITH ORDINALITY AS k(national_id, i)
         JOIN rpps_professional p ON p.national_id = k.national_id
        ORDER BY k.i`,
      [nationalIds],
    );
    return rows.map((r) => ({ ...r, professionLabels: r.professions.map((code) => professionLabel(code) ?? code) }));
  }
}
