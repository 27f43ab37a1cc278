import { MigrationInterface, QueryRunner } from 'typeorm';

/** The links to a job run that a registry import or a renewal sweep keeps, by constraint name. */
const LINKS = [
  ['rpps_import', 'rpps_import_job_run_id_fkey', 'job_run_id'],
  ['rpps_import', 'rpps_import_confirmation_job_run_id_fkey', 'confirmation_job_run_id'],
  ['renewal_run', 'renewal_run_job_run_id_fkey', 'job_run_id'],
] as const;

/**
 * Retention (issue 13, item 5): finished job runs are purged after RETENTION_JOB_RUNS_DAYS, while
 * the imports and renewal sweeps that named them are kept (their own counts and status are the
 * record): their link to a purged run becomes null instead of refusing the purge.
 */
export class RetentionJobRunLinks1764201900000 implements MigrationInterface {
  name = 'RetentionJobRunLinks1764201900000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, constraint, column] of LINKS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint},
        ADD CONSTRAINT ${constraint} FOREIGN KEY (${column}) REFERENCES job_run(id) ON DELETE SET NULL`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table, constraint, column] of LINKS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint},
        ADD CONSTRAINT ${constraint} FOREIGN KEY (${column}) REFERENCES job_run(id)`);
    }
  }
}
