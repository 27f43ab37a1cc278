import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One round trip to start appending audit entries: takes the chain's lock (held until the
 * transaction ends), and gives the last entry's hash and n new ids. Keeps the time the
 * lock is held, which every audited transaction queues for, as short as possible.
 */
export class AuditChainNext1764180000000 implements MigrationInterface {
  name = 'AuditChainNext1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_chain_next(n integer) RETURNS TABLE (prev_hash text, ids bigint[])
      LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(7264002);
        RETURN QUERY SELECT COALESCE((SELECT a.hash FROM audit_log a ORDER BY a.id DESC LIMIT 1), repeat('0', 64)),
                            ARRAY(SELECT nextval('audit_log_id_seq') FROM generate_series(1, n));
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS audit_chain_next(integer)`);
  }
}
