import { MigrationInterface, QueryRunner } from 'typeorm';

/** How many professionals the backfill reads and updates at a time. */
const BATCH = 5000;

/*
 * The fold of src/rpps/name-key.ts as it was when this migration was written, copied here so
 * that the migration stays as it was written whatever becomes of src (a later change of the
 * fold comes with a migration of its own that computes the keys again).
 */
const MARKS = /[\u0300-\u036f]/g;
const APOSTROPHES = /['’‘ʼ`´ʹ]/g;
const SEPARATORS = /[^\p{L}\p{N}]+/gu;
const SPECIAL: Readonly<Record<string, string>> = {
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ı: 'i',
  ŧ: 't',
  þ: 'th',
};
const SPECIAL_LETTERS = new RegExp(`[${Object.keys(SPECIAL).join('')}]`, 'g');
const PLAIN = /^[A-Za-z0-9]+( [A-Za-z0-9]+)*$/;

function foldName(s: string): string {
  if (PLAIN.test(s)) return s.toLowerCase();
  return s
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .replace(SPECIAL_LETTERS, (c) => SPECIAL[c])
    .replace(APOSTROPHES, '')
    .replace(SEPARATORS, ' ')
    .trim();
}

function nameKeys(lastName: string, firstName: string): { nameKey: string; nameKeyFirst: string } {
  const last = foldName(lastName);
  const first = foldName(firstName);
  if (!first) return { nameKey: last, nameKeyFirst: last };
  if (!last) return { nameKey: first, nameKeyFirst: first };
  return { nameKey: `${last} ${first}`, nameKeyFirst: `${first} ${last}` };
}

/**
 * The console's name search (issue 12): each professional's name folded into two keys (see
 * src/rpps/name-key.ts), "last first" and "first last", kept by the import from then on,
 * in columns of collation "C" (byte order: an index then serves both `LIKE 'abc%'` and the
 * order of the results, whatever the database's collation), with an index on each among the
 * professionals in practice. The keys of the professionals already there are computed here,
 * a batch at a time, by a copy of the import's fold as it was then (nameKeys below).
 *
 * Not generated columns: folding in SQL with translate() costs several microseconds a row
 * (seconds more for a national import), unaccent is contrib (not on every server), and
 * TypeORM describes a generated column by a row of `typeorm_metadata` keyed by the
 * database's name, which a database copied from a template (every test database) does not
 * match.
 */
export class RegistrySearchKey1764201840000 implements MigrationInterface {
  name = 'RegistrySearchKey1764201840000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rpps_professional
      ADD COLUMN name_key text COLLATE "C" NOT NULL DEFAULT '',
      ADD COLUMN name_key_first text COLLATE "C" NOT NULL DEFAULT ''`);
    for (let after = ''; ; ) {
      const rows: Array<{ national_id: string; last_name: string; first_name: string }> = await q.query(
        `SELECT national_id, last_name, first_name FROM rpps_professional WHERE national_id > $1 ORDER BY national_id LIMIT ${BATCH}`,
        [after],
      );
      if (!rows.length) break;
      const keys = rows.map((r) => nameKeys(r.last_name, r.first_name));
      await q.query(
        `UPDATE rpps_professional p SET name_key = k.name_key, name_key_first = k.name_key_first
           FROM unnest($1::text[], $2::text[], $3::text[]) AS k(national_id, name_key, name_key_first)
          WHERE p.national_id = k.national_id`,
        [rows.map((r) => r.national_id), keys.map((k) => k.nameKey), keys.map((k) => k.nameKeyFirst)],
      );
      after = rows[rows.length - 1].national_id;
    }
    await q.query(`CREATE INDEX rpps_professional_name_key_idx ON rpps_professional (name_key, national_id) WHERE ceased_at IS NULL`);
    await q.query(`CREATE INDEX rpps_professional_name_key_first_idx ON rpps_professional (name_key_first) INCLUDE (name_key, national_id)
      WHERE ceased_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rpps_professional_name_key_first_idx`);
    await q.query(`DROP INDEX rpps_professional_name_key_idx`);
    await q.query(`ALTER TABLE rpps_professional DROP COLUMN name_key_first, DROP COLUMN name_key`);
  }
}
