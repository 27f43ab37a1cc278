import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * Console accounts (issue 12): a person's account, one per principal, with its roles (every
 * role but batch), an optional email, the argon2id hash of its password, its set-password link
 * (the SHA-256 of its token, one at a time), failed sign-ins, lock and disabling; and the
 * console sessions (the SHA-256 of the cookie's secret, idle and absolute expiry).
 */
export class ConsoleAccounts1764201800000 implements MigrationInterface {
  name = 'ConsoleAccounts1764201800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_account (
        principal_id uuid NOT NULL,
        roles text[] NOT NULL,
        email text,
        password_hash text,
        password_set_at timestamptz,
        password_link_hash text,
        password_link_expires_at timestamptz,
        failed_attempts int NOT NULL DEFAULT 0,
        locked_until timestamptz,
        disabled_at timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL,
        CONSTRAINT console_account_pkey PRIMARY KEY (principal_id),
        CONSTRAINT console_account_principal_id_fkey FOREIGN KEY (principal_id) REFERENCES principal(id),
        CONSTRAINT console_account_password_link_key UNIQUE (password_link_hash),
        CONSTRAINT console_account_roles_check
          CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['operator','helpdesk','auditor','admin']::text[]),
        CONSTRAINT console_account_link_check CHECK ((password_link_hash IS NULL) = (password_link_expires_at IS NULL)),
        CONSTRAINT console_account_failed_attempts_check CHECK (failed_attempts >= 0)
      )`);
    await q.query(`CREATE UNIQUE INDEX console_account_email_key ON console_account (lower(email))`);
    await q.query(`
      CREATE TABLE console_session (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        principal_id uuid NOT NULL,
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT console_session_pkey PRIMARY KEY (id),
        CONSTRAINT console_session_principal_id_fkey FOREIGN KEY (principal_id) REFERENCES console_account(principal_id),
        CONSTRAINT console_session_secret_key UNIQUE (secret_hash)
      )`);
    await q.query(`CREATE INDEX console_session_principal_idx ON console_session (principal_id)`);
    await q.query(`CREATE INDEX console_session_expires_idx ON console_session (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [{ table: 'console_account', what: 'the console accounts' }]);
    await q.query(`DROP TABLE console_session`);
    await q.query(`DROP TABLE console_account`);
  }
}
