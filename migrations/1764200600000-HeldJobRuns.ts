import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * A job run may end `held`: it would have done more than is allowed without a person's
 * confirmation (an expiry sweep opposing more than EXPIRY_MAX_SHARE of the valid cards),
 * so it did nothing and says so in GET /api/v1/jobs.
 */
export class HeldJobRuns1764200600000 implements MigrationInterface {
  name = 'HeldJobRuns1764200600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE job_run
        DROP CONSTRAINT job_run_state_check,
        ADD CONSTRAINT job_run_state_check CHECK (state IN ('queued','running','succeeded','failed','held'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'job_run', what: 'the held job runs (they would become failed, not to be confirmed)', where: `state = 'held'` },
    ]);
    await q.query(`UPDATE job_run SET state = 'failed' WHERE state = 'held'`);
    await q.query(`
      ALTER TABLE job_run
        DROP CONSTRAINT job_run_state_check,
        ADD CONSTRAINT job_run_state_check CHECK (state IN ('queued','running','succeeded','failed'))`);
  }
}
