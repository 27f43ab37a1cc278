import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Appending to the audit trail in one round trip: the function takes the chain's lock
 * (held until the transaction ends), reads the last hash, and chains and inserts the
 * entries, hashing each as SHA-256(previous hash, "\n", canonical content) — the content
 * canonicalised by the caller, exactly as the verifier recomputes it. Every audited
 * transaction queues for that lock, so it is held for as little as possible.
 */
export class AuditChainNext1764180000000 implements MigrationInterface {
  name = 'AuditChainNext1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_append(p_at timestamptz, p_actors text[], p_actions text[], p_entities text[],
                                   p_entity_ids text[], p_details jsonb[], p_canonical text[])
      RETURNS bigint[] LANGUAGE plpgsql AS $$
      DECLARE
        prev text;
        h text;
        new_id bigint;
        ids bigint[] := '{}';
      BEGIN
        PERFORM pg_advisory_xact_lock(7264002);
        SELECT a.hash INTO prev FROM audit_log a ORDER BY a.id DESC LIMIT 1;
        prev := COALESCE(prev, repeat('0', 64));
        FOR i IN 1 .. coalesce(array_length(p_actors, 1), 0) LOOP
          new_id := nextval('audit_log_id_seq');
          h := encode(sha256(convert_to(prev || E'\\n' || p_canonical[i], 'UTF8')), 'hex');
          INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details, prev_hash, hash)
          VALUES (new_id, p_at, p_actors[i], p_actions[i], p_entities[i], p_entity_ids[i], p_details[i], prev, h);
          prev := h;
          ids := ids || new_id;
        END LOOP;
        RETURN ids;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS audit_append(timestamptz, text[], text[], text[], text[], jsonb[], text[])`);
  }
}
