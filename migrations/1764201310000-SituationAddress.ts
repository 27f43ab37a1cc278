import { MigrationInterface, QueryRunner } from 'typeorm';
import { anySet, refuseDataLoss } from './data-loss';

/** The address columns of a practice situation the letters need (NF Z10-011), besides those kept since the foundation. */
const COLUMNS = ['recipient_complement', 'geo_complement', 'repetition_index', 'distribution_mention', 'country_code', 'country_label'];

/**
 * The rest of the extract's address of a practice situation (Complément destinataire,
 * Complément point géographique, Indice répétition voie, Mention distribution, Code pays,
 * Libellé pays): the card and PIN letters go to the first practice situation (issue 11).
 * Empty until the next import, which rewrites every situation (see swapSituationsSql); they
 * are not in the situation hash, so that import emits no event for them.
 */
export class SituationAddress1764201310000 implements MigrationInterface {
  name = 'SituationAddress1764201310000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rpps_situation ${COLUMNS.map((c) => `ADD COLUMN ${c} text NOT NULL DEFAULT ''`).join(', ')}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [{ table: 'rpps_situation', what: "the situations' address complements", where: anySet(COLUMNS) }]);
    await q.query(`ALTER TABLE rpps_situation ${COLUMNS.map((c) => `DROP COLUMN ${c}`).join(', ')}`);
  }
}
