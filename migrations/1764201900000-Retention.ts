import { MigrationInterface, QueryRunner } from 'typeorm';

/** The links to a job run that a registry import or a renewal sweep keeps, by constraint name. */
const LINKS = [
  ['rpps_import', 'rpps_import_job_run_id_fkey', 'job_run_id'],
  ['rpps_import', 'rpps_import_confirmation_job_run_id_fkey', 'confirmation_job_run_id'],
  ['renewal_run', 'renewal_run_job_run_id_fkey', 'job_run_id'],
] as const;

/**
 * Retention (issue 13, item 5).
 *
 * - Finished job runs are purged after RETENTION_JOB_RUNS_DAYS, while the imports and renewal
 *   sweeps that named them are kept (their own counts and status are the record): their link to
 *   a purged run becomes null instead of refusing the purge.
 * - The purge takes the oldest rows of each kind a batch at a time: the times it goes by are
 *   indexed, so that a batch reads what it deletes, not the whole table (nor the dead rows of
 *   the batches before it).
 */
export class Retention1764201900000 implements MigrationInterface {
  name = 'Retention1764201900000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, constraint, column] of LINKS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint},
        ADD CONSTRAINT ${constraint} FOREIGN KEY (${column}) REFERENCES job_run(id) ON DELETE SET NULL`);
    }
    await q.query(`CREATE INDEX outbox_consumed_idx ON outbox (consumed_at) WHERE consumed_at IS NOT NULL`);
    await q.query(`CREATE INDEX job_run_finished_idx ON job_run (finished_at) WHERE state IN ('succeeded', 'failed')`);
    await q.query(`CREATE INDEX consumed_registry_event_consumed_idx ON consumed_registry_event (consumed_at)`);
    await q.query(`CREATE INDEX order_idempotency_key_created_idx ON order_idempotency_key (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of [
      'order_idempotency_key_created_idx',
      'consumed_registry_event_consumed_idx',
      'job_run_finished_idx',
      'outbox_consumed_idx',
    ]) {
      await q.query(`DROP INDEX ${index}`);
    }
    for (const [table, constraint, column] of LINKS) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint},
        ADD CONSTRAINT ${constraint} FOREIGN KEY (${column}) REFERENCES job_run(id)`);
    }
  }
}
