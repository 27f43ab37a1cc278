import { MigrationInterface, QueryRunner } from 'typeorm';
import { anySet, refuseDataLoss } from './data-loss';

/**
 * A held import is confirmed by a person other than its submitter: an import keeps the
 * principal that submitted it over the API, what applying it would do (counts and a
 * sample, computed when it is held), who confirmed it and the job that applies it; the
 * import that applies it names the held import it confirms.
 */
export class HeldImportConfirmation1764200500000 implements MigrationInterface {
  name = 'HeldImportConfirmation1764200500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE rpps_import
        ADD COLUMN submitted_by_principal uuid,
        ADD COLUMN preview jsonb,
        ADD COLUMN confirmed_by_principal uuid,
        ADD COLUMN confirmed_at timestamptz,
        ADD COLUMN confirmation_job_run_id uuid,
        ADD COLUMN confirms_import_id uuid`);
    await q.query(`
      ALTER TABLE rpps_import
        ADD CONSTRAINT rpps_import_submitted_by_principal_fkey FOREIGN KEY (submitted_by_principal) REFERENCES principal(id),
        ADD CONSTRAINT rpps_import_confirmed_by_principal_fkey FOREIGN KEY (confirmed_by_principal) REFERENCES principal(id),
        ADD CONSTRAINT rpps_import_confirmation_job_run_id_fkey FOREIGN KEY (confirmation_job_run_id) REFERENCES job_run(id),
        ADD CONSTRAINT rpps_import_confirms_import_id_fkey FOREIGN KEY (confirms_import_id) REFERENCES rpps_import(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      {
        table: 'rpps_import',
        what: 'who submitted and confirmed the imports',
        where: anySet([
          'submitted_by_principal',
          'preview',
          'confirmed_by_principal',
          'confirmed_at',
          'confirmation_job_run_id',
          'confirms_import_id',
        ]),
      },
    ]);
    await q.query(`
      ALTER TABLE rpps_import
        DROP COLUMN submitted_by_principal, DROP COLUMN preview, DROP COLUMN confirmed_by_principal,
        DROP COLUMN confirmed_at, DROP COLUMN confirmation_job_run_id, DROP COLUMN confirms_import_id`);
  }
}
