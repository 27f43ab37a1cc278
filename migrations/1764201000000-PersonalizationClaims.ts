import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * Personalization (issue 10): an encoder station claims an approved order (a token, the
 * station, the time, the attempts made), a chip serial binds one card at most, and a card
 * spoiled while being written is recorded by its chip serial, never reused.
 */
export class PersonalizationClaims1764201000000 implements MigrationInterface {
  name = 'PersonalizationClaims1764201000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_order
      ADD COLUMN personalization_attempts integer NOT NULL DEFAULT 0,
      ADD COLUMN claim_token uuid,
      ADD COLUMN claimed_by text,
      ADD COLUMN claimed_at timestamptz`);
    await q.query(`CREATE INDEX card_order_claimed_idx ON card_order (claimed_at) WHERE status = 'personalizing'`);
    await q.query(`CREATE INDEX card_order_approved_queue_idx ON card_order (approved_at, id) WHERE status = 'approved'`);
    await q.query(`CREATE UNIQUE INDEX card_chip_serial_idx ON card (chip_serial) WHERE chip_serial IS NOT NULL`);
    await q.query(`CREATE TABLE spoiled_card (
        chip_serial text PRIMARY KEY,
        order_id uuid NOT NULL CONSTRAINT spoiled_card_order_id_fkey REFERENCES card_order(id),
        card_number text,
        station text NOT NULL,
        stage text NOT NULL,
        error_code text NOT NULL,
        error text NOT NULL,
        spoiled_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX spoiled_card_order_idx ON spoiled_card (order_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [{ table: 'spoiled_card', what: 'the spoiled cards' }]);
    await q.query(`DROP TABLE spoiled_card`);
    await q.query(`DROP INDEX card_chip_serial_idx`);
    await q.query(`DROP INDEX card_order_approved_queue_idx`);
    await q.query(`DROP INDEX card_order_claimed_idx`);
    await q.query(`ALTER TABLE card_order DROP COLUMN claimed_at, DROP COLUMN claimed_by, DROP COLUMN claim_token,
      DROP COLUMN personalization_attempts`);
  }
}
