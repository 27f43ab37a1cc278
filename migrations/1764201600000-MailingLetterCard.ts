import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A card's letters, looked up by its number (GET /api/v1/cards/:cardNumber and an order's
 * view show them): indexed, reprints included, so that a card's view never scans every letter.
 */
export class MailingLetterCard1764201600000 implements MigrationInterface {
  name = 'MailingLetterCard1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX mailing_letter_card_idx ON mailing_letter (card_number)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX mailing_letter_card_idx`);
  }
}
