import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personalization (issue 10, second pass): a claim names the chip it was taken for before
 * anything is written, so that a card written by a station that then died (or lost the
 * database) is spoiled when its claim is given back, never forgotten; and an order makes
 * one card at most.
 */
export class ClaimedChip1764201100000 implements MigrationInterface {
  name = 'ClaimedChip1764201100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_order ADD COLUMN claimed_chip_serial text`);
    await q.query(`CREATE UNIQUE INDEX card_order_id_unique_idx ON card (order_id) WHERE order_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX card_order_id_unique_idx`);
    await q.query(`ALTER TABLE card_order DROP COLUMN claimed_chip_serial`);
  }
}
