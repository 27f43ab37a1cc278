import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * A held registry import's run is `held` (issue 9, item 3), not failed: it waits for an
 * operator's confirmation. The state exists since HeldJobRuns; runs recorded as failed with a
 * held import's result before this migration are held ones.
 */
export class JobRunHeld1764200720000 implements MigrationInterface {
  name = 'JobRunHeld1764200720000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE job_run SET state = 'held', error = NULL WHERE kind = 'rpps-import' AND state = 'failed' AND result->>'status' = 'held'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      {
        table: 'job_run',
        what: 'the held imports (they would become failed, not to be confirmed)',
        where: `kind = 'rpps-import' AND state = 'held'`,
      },
    ]);
    await q.query(`UPDATE job_run SET state = 'failed' WHERE kind = 'rpps-import' AND state = 'held'`);
  }
}
