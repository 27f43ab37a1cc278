import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox delivery until consumption (issue 8, item 7; issue 9, item 4).
 *
 * - `outbox.consumed_at`: set by the consumer, in its own transaction, once its work is
 *   done. A message relayed (`published_at`) but not consumed after
 *   OUTBOX_REDELIVERY_SECONDS is relayed again; `attempts` counts the deliveries and is
 *   part of the job id, so a redelivery is never dropped as a duplicate of the first.
 * - `outbox.failed_at` + `last_error`: a consumer refused the message for good (bad input
 *   that retrying cannot fix); it is not relayed again and shows in GET /api/v1/jobs.
 * - `database_identity`: one random id per database, part of every outbox job id, so two
 *   databases (or a database dropped and created again) sharing a QUEUE_PREFIX never
 *   collide in BullMQ. It is tied to the database's oid: a copy (CREATE DATABASE ...
 *   TEMPLATE, a restore) is a new database and takes a new id at its first use.
 */
export class OutboxDelivery1764200300000 implements MigrationInterface {
  name = 'OutboxDelivery1764200300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN consumed_at timestamptz, ADD COLUMN failed_at timestamptz`);
    // Messages already relayed before this migration were consumed under the old rules.
    await q.query(`UPDATE outbox SET consumed_at = published_at WHERE published_at IS NOT NULL`);
    await q.query(
      `CREATE INDEX outbox_unconsumed_idx ON outbox (published_at) WHERE consumed_at IS NULL AND failed_at IS NULL AND published_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX outbox_error_idx ON outbox (id) WHERE last_error IS NOT NULL`);
    await q.query(`
      CREATE TABLE database_identity (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        id text NOT NULL,
        database_oid bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO database_identity (id, database_oid)
      SELECT substr(md5(gen_random_uuid()::text), 1, 16), oid::bigint FROM pg_database WHERE datname = current_database()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE database_identity`);
    await q.query(`DROP INDEX outbox_error_idx`);
    await q.query(`DROP INDEX outbox_unconsumed_idx`);
    await q.query(`ALTER TABLE outbox DROP COLUMN failed_at, DROP COLUMN consumed_at`);
  }
}
