import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * The daily sweep of the codes and the checks of a batch's assembly (issue 11, review): a
 * reprint request closed by the sweep (its codes destroyed: the window passed, the order
 * cancelled, the card opposed) says why (`decision_reason`); the orders whose codes are still
 * kept, the letters of the codes of an order (its reprint window), and the letters returned
 * (an address that mail came back from) are found by index.
 */
export class MailingCodesSweep1764201700000 implements MigrationInterface {
  name = 'MailingCodesSweep1764201700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailing_reprint_request ADD COLUMN decision_reason text`);
    await q.query(`CREATE INDEX order_codes_kept_idx ON order_codes (order_id) WHERE destroyed_at IS NULL`);
    await q.query(`CREATE INDEX mailing_letter_order_idx ON mailing_letter (order_id) WHERE kind = 'pin-letter'`);
    await q.query(`CREATE INDEX mailing_letter_returned_idx ON mailing_letter (card_number) WHERE state = 'returned'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'mailing_reprint_request', what: "the reprint decisions' reasons", where: 'decision_reason IS NOT NULL' },
    ]);
    await q.query(`DROP INDEX mailing_letter_returned_idx`);
    await q.query(`DROP INDEX mailing_letter_order_idx`);
    await q.query(`DROP INDEX order_codes_kept_idx`);
    await q.query(`ALTER TABLE mailing_reprint_request DROP COLUMN decision_reason`);
  }
}
