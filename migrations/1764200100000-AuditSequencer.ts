import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * The audit trail without a global lock (Certificate Transparency's model):
 *
 * - a business transaction only INSERTs its entry into `audit_log` (no lock, no chaining);
 *   a statement trigger puts the new ids in `audit_queue`, the sequencer's work list;
 * - the sequencer (one at a time, under a transaction-level advisory lock) links queued
 *   entries into `audit_chain` (seq, entry_id, prev_hash, hash), then signs a checkpoint
 *   of the chain (`audit_checkpoint`) with a key the database never holds;
 * - `audit_log`, `audit_chain`, `audit_checkpoint` and `audit_signing_key` refuse UPDATE,
 *   DELETE and TRUNCATE (triggers; the application's role also lacks the privileges).
 *
 * The hash of a link is the one `audit_append` computed (SHA-256 of the previous hash,
 * a newline and the entry's canonical content), so the chain already written moves into
 * `audit_chain` as it is, in id order. `audit_append` and its advisory lock 7264002 go.
 */
export class AuditSequencer1764200100000 implements MigrationInterface {
  name = 'AuditSequencer1764200100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await q.query(`
      CREATE TABLE audit_chain (
        seq bigint PRIMARY KEY,
        entry_id bigint NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        sequenced_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_chain_entry_id_key UNIQUE (entry_id)
      )`);
    await q.query(`
      INSERT INTO audit_chain (seq, entry_id, prev_hash, hash, sequenced_at)
      SELECT row_number() OVER (ORDER BY id), id, prev_hash, hash, at FROM audit_log ORDER BY id`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN hash`);

    await q.query(`CREATE TABLE audit_queue (entry_id bigint PRIMARY KEY)`);
    await q.query(`
      CREATE FUNCTION audit_log_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO audit_queue (entry_id) SELECT id FROM inserted;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_enqueue AFTER INSERT ON audit_log
      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION audit_log_enqueue()`);

    await q.query(`
      CREATE TABLE audit_checkpoint (
        id bigserial PRIMARY KEY,
        size bigint NOT NULL,
        head text NOT NULL,
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_checkpoint_size_idx ON audit_checkpoint (size)`);
    await q.query(`
      CREATE TABLE audit_signing_key (
        key_id text PRIMARY KEY,
        algorithm text NOT NULL,
        public_key text NOT NULL,
        first_used_at timestamptz NOT NULL DEFAULT now()
      )`);

    for (const t of ['audit_chain', 'audit_checkpoint', 'audit_signing_key']) {
      await q.query(`
        CREATE TRIGGER ${t}_no_update BEFORE UPDATE OR DELETE ON ${t}
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
      await q.query(`
        CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    }

    await q.query(`DROP FUNCTION audit_append(timestamptz, text[], text[], text[], text[], jsonb[], text[])`);
  }

  /**
   * Back to one chained table. Refused while entries wait in the queue (run
   * `audit:checkpoint` first): their hash needs the application's canonical JSON. The
   * links come back in the chain's order; entries sequenced out of id order then read as
   * a broken chain to the previous verifier, which walked the ids.
   */
  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'audit_checkpoint', what: 'the signed audit checkpoints' },
      { table: 'audit_signing_key', what: 'the audit signing keys (public halves)' },
    ]);
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM audit_queue`);
    if (n > 0) throw new Error(`${n} audit entries are not sequenced yet: run audit:checkpoint before reverting AuditSequencer`);
    await q.query(`DROP TRIGGER audit_log_enqueue ON audit_log`);
    await q.query(`DROP FUNCTION audit_log_enqueue()`);
    await q.query(`ALTER TABLE audit_log ADD COLUMN prev_hash text, ADD COLUMN hash text`);
    await q.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`);
    await q.query(`UPDATE audit_log a SET prev_hash = c.prev_hash, hash = c.hash FROM audit_chain c WHERE c.entry_id = a.id`);
    await q.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`);
    await q.query(`ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_hash_key UNIQUE (hash)`);
    for (const t of ['audit_queue', 'audit_chain', 'audit_checkpoint', 'audit_signing_key']) await q.query(`DROP TABLE ${t}`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
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
}
