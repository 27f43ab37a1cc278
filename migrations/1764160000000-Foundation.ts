import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/** Foundation: tokens, audit trail, outbox, job runs, and the registry (rpps). */
export class Foundation1764160000000 implements MigrationInterface {
  name = 'Foundation1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('operator','helpdesk','batch','auditor','admin')),
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL UNIQUE
      )`);
    await q.query(`CREATE SEQUENCE audit_log_id_seq OWNED BY audit_log.id`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id)`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);

    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`);

    await q.query(`
      CREATE TABLE job_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        state text NOT NULL CHECK (state IN ('queued','running','succeeded','failed')),
        phase text,
        progress bigint NOT NULL DEFAULT 0,
        total bigint,
        params jsonb NOT NULL DEFAULT '{}'::jsonb,
        result jsonb,
        error text,
        actor text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX job_run_created_idx ON job_run (created_at)`);

    await q.query(`
      CREATE TABLE rpps_import (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        job_run_id uuid REFERENCES job_run(id),
        status text NOT NULL CHECK (status IN ('running','baseline','applied','unchanged','held','failed')),
        layout text,
        files jsonb NOT NULL DEFAULT '[]'::jsonb,
        as_of date,
        confirm_mass_change boolean NOT NULL DEFAULT false,
        rows_read integer NOT NULL DEFAULT 0,
        rows_accepted integer NOT NULL DEFAULT 0,
        rows_rejected integer NOT NULL DEFAULT 0,
        events jsonb,
        professionals_before integer,
        professionals_after integer,
        error text,
        actor text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX rpps_import_started_idx ON rpps_import (started_at)`);

    await q.query(`
      CREATE TABLE rpps_reject (
        import_id uuid NOT NULL REFERENCES rpps_import(id) ON DELETE CASCADE,
        file text NOT NULL,
        line_no integer NOT NULL,
        reason text NOT NULL,
        raw text NOT NULL,
        PRIMARY KEY (import_id, file, line_no)
      )`);

    await q.query(`
      CREATE TABLE rpps_professional (
        national_id text PRIMARY KEY,
        id_type char(1) NOT NULL,
        identifier text NOT NULL,
        civility_practice_code text NOT NULL DEFAULT '',
        civility_code text NOT NULL DEFAULT '',
        last_name text NOT NULL,
        first_name text NOT NULL DEFAULT '',
        situations_digest text NOT NULL,
        professions_digest text NOT NULL,
        first_import_id uuid NOT NULL,
        last_import_id uuid NOT NULL,
        ceased_at timestamptz,
        migrated_to text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX rpps_professional_name_idx ON rpps_professional (last_name, first_name)`);

    await q.query(`
      CREATE TABLE rpps_profession (
        national_id text NOT NULL,
        profession_code text NOT NULL,
        category_code text NOT NULL DEFAULT '',
        specialty_type_code text NOT NULL DEFAULT '',
        specialty_code text NOT NULL DEFAULT '',
        PRIMARY KEY (national_id, profession_code)
      )`);
    await q.query(`CREATE INDEX rpps_profession_code_idx ON rpps_profession (profession_code)`);

    await q.query(`
      CREATE TABLE rpps_situation (
        national_id text NOT NULL,
        profession_code text NOT NULL,
        situation_hash text NOT NULL,
        mode_code text NOT NULL DEFAULT '',
        sector_code text NOT NULL DEFAULT '',
        siret text NOT NULL DEFAULT '',
        siren text NOT NULL DEFAULT '',
        finess_site text NOT NULL DEFAULT '',
        finess_legal text NOT NULL DEFAULT '',
        structure_id text NOT NULL DEFAULT '',
        site_name text NOT NULL DEFAULT '',
        street_number text NOT NULL DEFAULT '',
        street_type_label text NOT NULL DEFAULT '',
        street_label text NOT NULL DEFAULT '',
        postal_code text NOT NULL DEFAULT '',
        city text NOT NULL DEFAULT '',
        cedex text NOT NULL DEFAULT '',
        registration_authority text NOT NULL DEFAULT '',
        source_line integer NOT NULL,
        raw_line text NOT NULL,
        CONSTRAINT rpps_situation_pkey PRIMARY KEY (national_id, source_line)
      )`);

    await q.query(`
      CREATE TABLE rpps_event (
        id bigserial PRIMARY KEY,
        import_id uuid NOT NULL REFERENCES rpps_import(id),
        kind text NOT NULL CHECK (kind IN ('NEW_PROFESSIONAL','PROFESSION_ADDED','PROFESSION_REMOVED',
          'IDENTITY_CHANGED','SITUATION_CHANGED','IDENTIFIER_MIGRATED','CEASED')),
        national_id text NOT NULL,
        profession_code text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX rpps_event_import_idx ON rpps_event (import_id)`);
    await q.query(`CREATE INDEX rpps_event_person_idx ON rpps_event (national_id)`);

    await q.query(`
      CREATE TABLE rpps_identifier_migration (
        id bigserial PRIMARY KEY,
        import_id uuid NOT NULL REFERENCES rpps_import(id),
        adeli_national_id text NOT NULL,
        rpps_national_id text NOT NULL,
        source text NOT NULL CHECK (source IN ('correspondence','candidate')),
        status text NOT NULL CHECK (status IN ('applied','pending','confirmed','rejected')),
        decided_by text,
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE UNIQUE INDEX rpps_identifier_migration_pending_idx
        ON rpps_identifier_migration (adeli_national_id) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'audit_log', what: 'the audit trail' },
      { table: 'rpps_professional', what: 'the registry of professionals' },
      { table: 'rpps_profession', what: "the professionals' professions" },
      { table: 'rpps_situation', what: "the professionals' practice situations" },
      { table: 'rpps_event', what: 'the registry events' },
      { table: 'rpps_identifier_migration', what: 'the identifier migrations' },
      { table: 'rpps_import', what: 'the registry import history' },
      { table: 'rpps_reject', what: 'the registry rejects' },
      { table: 'job_run', what: 'the job runs' },
      { table: 'outbox', what: 'the outbox messages' },
      { table: 'api_token', what: 'the API tokens' },
    ]);
    for (const t of [
      'rpps_identifier_migration',
      'rpps_event',
      'rpps_situation',
      'rpps_profession',
      'rpps_professional',
      'rpps_reject',
      'rpps_import',
      'job_run',
      'outbox',
      'audit_log',
      'api_token',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS audit_log_append_only()`);
  }
}
