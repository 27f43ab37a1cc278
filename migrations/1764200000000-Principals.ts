import { MigrationInterface, QueryRunner } from 'typeorm';
import { anySet, refuseDataLoss } from './data-loss';

/**
 * Principals: a person or a system account, created once, holding one or more tokens.
 * "Never the requester" compares principals, not token names. Tokens may expire and keep
 * when they were last used. Orders remember the principal that requested and approved them.
 */
export class Principals1764200000000 implements MigrationInterface {
  name = 'Principals1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE principal (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT principal_kind_check CHECK (kind IN ('person','system'))
      )`);
    await q.query(`CREATE UNIQUE INDEX principal_name_key ON principal (lower(name))`);
    // Every token name seen so far becomes a principal (batch tokens belong to system accounts).
    await q.query(`
      INSERT INTO principal (name, kind)
      SELECT DISTINCT ON (lower(name)) name, CASE WHEN role = 'batch' THEN 'system' ELSE 'person' END
        FROM api_token ORDER BY lower(name), created_at`);
    await q.query(`ALTER TABLE api_token ADD COLUMN principal_id uuid`);
    await q.query(`UPDATE api_token t SET principal_id = p.id FROM principal p WHERE lower(p.name) = lower(t.name)`);
    await q.query(`ALTER TABLE api_token ALTER COLUMN principal_id SET NOT NULL`);
    await q.query(`
      ALTER TABLE api_token ADD CONSTRAINT api_token_principal_id_fkey FOREIGN KEY (principal_id) REFERENCES principal(id)`);
    await q.query(`CREATE INDEX api_token_principal_idx ON api_token (principal_id)`);
    await q.query(`ALTER TABLE api_token DROP COLUMN name`);
    await q.query(`ALTER TABLE api_token ADD COLUMN expires_at timestamptz, ADD COLUMN last_used_at timestamptz`);

    await q.query(`ALTER TABLE card_order ADD COLUMN requested_by_principal uuid, ADD COLUMN approved_by_principal uuid`);
    await q.query(`
      ALTER TABLE card_order
        ADD CONSTRAINT card_order_requested_by_principal_fkey FOREIGN KEY (requested_by_principal) REFERENCES principal(id),
        ADD CONSTRAINT card_order_approved_by_principal_fkey FOREIGN KEY (approved_by_principal) REFERENCES principal(id)`);
    // Orders made before principals named their actor "<role>:<token name>": that name is now a
    // principal, so an open order's requester cannot approve it with a token of another role.
    await q.query(`
      UPDATE card_order o SET requested_by_principal = p.id FROM principal p
       WHERE o.requested_by LIKE '%:%' AND lower(p.name) = lower(split_part(o.requested_by, ':', 2))`);
    await q.query(`
      UPDATE card_order o SET approved_by_principal = p.id FROM principal p
       WHERE o.approved_by LIKE '%:%' AND lower(p.name) = lower(split_part(o.approved_by, ':', 2))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'principal', what: 'the principals' },
      {
        table: 'card_order',
        what: 'who requested and approved the orders',
        where: anySet(['requested_by_principal', 'approved_by_principal']),
      },
      { table: 'api_token', what: "the tokens' expiry dates (the tokens would never expire)", where: 'expires_at IS NOT NULL' },
    ]);
    await q.query(`ALTER TABLE card_order DROP COLUMN requested_by_principal, DROP COLUMN approved_by_principal`);
    await q.query(`ALTER TABLE api_token ADD COLUMN name text`);
    await q.query(`UPDATE api_token t SET name = p.name FROM principal p WHERE p.id = t.principal_id`);
    await q.query(`ALTER TABLE api_token ALTER COLUMN name SET NOT NULL`);
    await q.query(`ALTER TABLE api_token DROP COLUMN principal_id, DROP COLUMN expires_at, DROP COLUMN last_used_at`);
    await q.query(`DROP TABLE principal`);
  }
}
