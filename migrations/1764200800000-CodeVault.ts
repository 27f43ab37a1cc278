import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * The PIN/PUK vault (issue 10, owned by mailing): one row per order, the codes sealed by
 * src/mailing/code-seal.ts (AES-256-GCM under a data key of the order's own, that data key
 * wrapped by the master key `key_id`). Nothing here is a code or a key in clear.
 */
export class CodeVault1764200800000 implements MigrationInterface {
  name = 'CodeVault1764200800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE order_codes (
        order_id uuid NOT NULL,
        key_id text NOT NULL,
        wrapped_key bytea NOT NULL,
        wrap_iv bytea NOT NULL,
        sealed_codes bytea NOT NULL,
        codes_iv bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rewrapped_at timestamptz,
        CONSTRAINT order_codes_pkey PRIMARY KEY (order_id),
        CONSTRAINT order_codes_order_id_fkey FOREIGN KEY (order_id) REFERENCES card_order(id),
        CONSTRAINT order_codes_key_id_check CHECK (key_id ~ '^[A-Za-z0-9._-]{1,64}$'),
        CONSTRAINT order_codes_iv_check CHECK (octet_length(wrap_iv) = 12 AND octet_length(codes_iv) = 12)
      )`);
    await q.query(`CREATE INDEX order_codes_key_id_idx ON order_codes (key_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [{ table: 'order_codes', what: 'the sealed PIN/PUK codes of the orders' }]);
    await q.query(`DROP TABLE IF EXISTS order_codes`);
  }
}
