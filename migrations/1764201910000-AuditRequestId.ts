import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * audit_log.request_id: the id of the HTTP request (X-Request-Id) an entry was written for, by
 * the API or by a worker's job that request caused; null for entries of schedules and the CLI.
 * A correlation for operators, outside the chained content (the hash covers what was done, by
 * whom, when: entries already chained keep their hashes).
 */
export class AuditRequestId1764201910000 implements MigrationInterface {
  name = 'AuditRequestId1764201910000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN request_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [{ table: 'audit_log', what: 'the request ids of audit entries', where: 'request_id IS NOT NULL' }]);
    await q.query(`ALTER TABLE audit_log DROP COLUMN request_id`);
  }
}
