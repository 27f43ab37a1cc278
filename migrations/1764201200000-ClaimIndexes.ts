import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personalization claims, looked up by chip (before every card) and by token (every
 * heartbeat): indexed, so that neither scans every order ever made. One claim per chip at
 * a time is enforced by the database too (two stations fed the same serial). The unique
 * index of card(order_id) gets a name that says which table it is on.
 */
export class ClaimIndexes1764201200000 implements MigrationInterface {
  name = 'ClaimIndexes1764201200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX card_order_claimed_chip_idx ON card_order (claimed_chip_serial) WHERE claimed_chip_serial IS NOT NULL`,
    );
    await q.query(`CREATE INDEX card_order_claim_token_idx ON card_order (claim_token) WHERE claim_token IS NOT NULL`);
    await q.query(`ALTER INDEX card_order_id_unique_idx RENAME TO card_from_order_unique_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX card_from_order_unique_idx RENAME TO card_order_id_unique_idx`);
    await q.query(`DROP INDEX card_order_claim_token_idx`);
    await q.query(`DROP INDEX card_order_claimed_chip_idx`);
  }
}
