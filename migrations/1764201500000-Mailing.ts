import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

/**
 * The letters (issue 11). A mailing batch is one PDF of letters of one kind, numbered for the
 * mail room; a letter is one card's card letter or PIN letter, in a batch at a sequence, or
 * held with the reason its address cannot be laid out. A card has one first letter of each
 * kind (`reprint_of` null); a PIN letter printed again, after a second operator's approval,
 * is a letter of its own that names the one it reprints.
 *
 * Mailing learns of cards from the orders module's outbox events (design.md): a card
 * personalized gets its card letter (`waiting`), a card opposed has its codes destroyed
 * (their ciphertext erased, the erasure audited), as they are once the PIN letter is printed
 * and the reprint window has passed. This migration does both for the cards already there.
 */
export class Mailing1764201500000 implements MigrationInterface {
  name = 'Mailing1764201500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mailing_batch (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        number bigserial NOT NULL,
        kind text NOT NULL,
        as_of date NOT NULL,
        state text NOT NULL DEFAULT 'rendering',
        letters integer NOT NULL,
        pages integer,
        pdf_path text,
        manifest_path text,
        job_run_id uuid,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rendered_at timestamptz,
        printed_by text,
        printed_at timestamptz,
        CONSTRAINT mailing_batch_pkey PRIMARY KEY (id),
        CONSTRAINT mailing_batch_number_key UNIQUE (number),
        CONSTRAINT mailing_batch_kind_check CHECK (kind IN ('card-letter','pin-letter')),
        CONSTRAINT mailing_batch_state_check CHECK (state IN ('rendering','ready','printed')),
        CONSTRAINT mailing_batch_rendered_check CHECK ((state = 'rendering') = (rendered_at IS NULL)),
        CONSTRAINT mailing_batch_printed_check CHECK ((state = 'printed') = (printed_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX mailing_batch_unfinished_idx ON mailing_batch (kind) WHERE state = 'rendering'`);
    await q.query(`
      CREATE TABLE mailing_letter (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        card_number text NOT NULL,
        order_id uuid NOT NULL,
        batch_id uuid,
        sequence integer,
        state text NOT NULL,
        held_reason text,
        address_lines jsonb,
        reprint_of uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        printed_at timestamptz,
        returned_at timestamptz,
        returned_by text,
        CONSTRAINT mailing_letter_pkey PRIMARY KEY (id),
        CONSTRAINT mailing_letter_card_fkey FOREIGN KEY (card_number) REFERENCES card(card_number),
        CONSTRAINT mailing_letter_order_fkey FOREIGN KEY (order_id) REFERENCES card_order(id),
        CONSTRAINT mailing_letter_batch_fkey FOREIGN KEY (batch_id) REFERENCES mailing_batch(id),
        CONSTRAINT mailing_letter_reprint_fkey FOREIGN KEY (reprint_of) REFERENCES mailing_letter(id),
        CONSTRAINT mailing_letter_kind_check CHECK (kind IN ('card-letter','pin-letter')),
        CONSTRAINT mailing_letter_state_check CHECK (state IN ('held','waiting','batched','printed','returned')),
        CONSTRAINT mailing_letter_batched_check CHECK ((batch_id IS NULL) = (state IN ('held','waiting')) AND (batch_id IS NULL) = (sequence IS NULL)),
        CONSTRAINT mailing_letter_held_check CHECK ((state = 'held') = (held_reason IS NOT NULL)),
        CONSTRAINT mailing_letter_reprint_kind_check CHECK (reprint_of IS NULL OR kind = 'pin-letter'),
        CONSTRAINT mailing_letter_sequence_key UNIQUE (batch_id, sequence)
      )`);
    await q.query(`CREATE UNIQUE INDEX mailing_letter_first_idx ON mailing_letter (card_number, kind) WHERE reprint_of IS NULL`);
    await q.query(`CREATE INDEX mailing_letter_pending_idx ON mailing_letter (kind, created_at) WHERE state IN ('held','waiting')`);
    await q.query(`CREATE INDEX mailing_letter_batch_idx ON mailing_letter (batch_id, sequence)`);
    // A reprint of a PIN letter within the window: asked by one principal, approved by another.
    await q.query(`
      CREATE TABLE mailing_reprint_request (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        letter_id uuid NOT NULL,
        reason text NOT NULL,
        requested_by text NOT NULL,
        requested_by_principal uuid NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        state text NOT NULL DEFAULT 'requested',
        decided_by text,
        decided_by_principal uuid,
        decided_at timestamptz,
        reprint_letter_id uuid,
        CONSTRAINT mailing_reprint_request_pkey PRIMARY KEY (id),
        CONSTRAINT mailing_reprint_request_letter_fkey FOREIGN KEY (letter_id) REFERENCES mailing_letter(id),
        CONSTRAINT mailing_reprint_request_reprint_fkey FOREIGN KEY (reprint_letter_id) REFERENCES mailing_letter(id),
        CONSTRAINT mailing_reprint_request_state_check CHECK (state IN ('requested','approved','rejected')),
        CONSTRAINT mailing_reprint_request_decided_check CHECK ((state = 'requested') = (decided_at IS NULL)),
        CONSTRAINT mailing_reprint_request_four_eyes_check CHECK (decided_by_principal IS NULL OR decided_by_principal <> requested_by_principal)
      )`);
    await q.query(`CREATE UNIQUE INDEX mailing_reprint_request_open_idx ON mailing_reprint_request (letter_id) WHERE state = 'requested'`);

    // An opposition after a returned letter comes by the channel of returned mail.
    await q.query(`ALTER TABLE opposition DROP CONSTRAINT opposition_channel_check`);
    await q.query(`
      ALTER TABLE opposition ADD CONSTRAINT opposition_channel_check
        CHECK (channel IN ('phone','form','portal','registry','system','import','returned-mail'))`);

    // The codes: erased, not deleted, so that a reprint asked too late is told why.
    await q.query(`
      ALTER TABLE order_codes
        ALTER COLUMN key_id DROP NOT NULL,
        ALTER COLUMN wrapped_key DROP NOT NULL,
        ALTER COLUMN wrap_iv DROP NOT NULL,
        ALTER COLUMN sealed_codes DROP NOT NULL,
        ALTER COLUMN codes_iv DROP NOT NULL,
        ADD COLUMN destroyed_at timestamptz,
        ADD COLUMN destroyed_reason text,
        ADD CONSTRAINT order_codes_destroyed_check CHECK (
          (destroyed_at IS NULL) = (sealed_codes IS NOT NULL)
          AND (destroyed_at IS NULL) = (wrapped_key IS NOT NULL)
          AND (destroyed_at IS NULL) = (key_id IS NOT NULL)
          AND (destroyed_at IS NULL) = (destroyed_reason IS NULL))`);
    await q.query(`ALTER TABLE order_codes DROP CONSTRAINT order_codes_iv_check`);
    await q.query(`
      ALTER TABLE order_codes ADD CONSTRAINT order_codes_iv_check
        CHECK (destroyed_at IS NOT NULL OR (octet_length(wrap_iv) = 12 AND octet_length(codes_iv) = 12))`);
    // The codes of cards opposed before this migration: destroyed now, as the event would have.
    await q.query(`
      WITH erased AS (
        UPDATE order_codes c
           SET key_id = NULL, wrapped_key = NULL, wrap_iv = NULL, sealed_codes = NULL, codes_iv = NULL,
               destroyed_at = now(), destroyed_reason = 'card opposed'
          FROM card o
         WHERE o.state = 'opposed' AND c.order_id = o.order_id AND c.destroyed_at IS NULL
        RETURNING c.order_id, o.card_number, o.opposition_reason
      )
      INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details)
      SELECT nextval('audit_log_id_seq'), now(), 'system:vault', 'codes.destroy', 'card_order', e.order_id::text,
             jsonb_build_object('reason', 'card opposed', 'cardNumber', e.card_number, 'oppositionReason', e.opposition_reason)
        FROM erased e`);
    // The cards personalized before this migration: their card letter waits for the next batch.
    await q.query(`
      INSERT INTO mailing_letter (kind, card_number, order_id, state)
      SELECT 'card-letter', c.card_number, c.order_id, 'waiting'
        FROM card c WHERE c.state = 'personalized' AND c.order_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'mailing_batch', what: 'the mailing batches' },
      { table: 'mailing_letter', what: 'the letters' },
      { table: 'mailing_reprint_request', what: 'the reprint requests' },
      { table: 'order_codes', what: 'the records of destroyed codes', where: 'destroyed_at IS NOT NULL' },
    ]);
    await q.query(`DELETE FROM order_codes WHERE destroyed_at IS NOT NULL`);
    await q.query(`ALTER TABLE order_codes DROP CONSTRAINT order_codes_destroyed_check, DROP CONSTRAINT order_codes_iv_check`);
    await q.query(`
      ALTER TABLE order_codes DROP COLUMN destroyed_at, DROP COLUMN destroyed_reason,
        ALTER COLUMN key_id SET NOT NULL, ALTER COLUMN wrapped_key SET NOT NULL, ALTER COLUMN wrap_iv SET NOT NULL,
        ALTER COLUMN sealed_codes SET NOT NULL, ALTER COLUMN codes_iv SET NOT NULL,
        ADD CONSTRAINT order_codes_iv_check CHECK (octet_length(wrap_iv) = 12 AND octet_length(codes_iv) = 12)`);
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM opposition WHERE channel = 'returned-mail'`);
    if (n > 0) throw new Error(`${n} oppositions came by returned mail: this migration cannot be reverted without rewriting them`);
    await q.query(`ALTER TABLE opposition DROP CONSTRAINT opposition_channel_check`);
    await q.query(`
      ALTER TABLE opposition ADD CONSTRAINT opposition_channel_check
        CHECK (channel IN ('phone','form','portal','registry','system','import'))`);
    await q.query(`DROP TABLE IF EXISTS mailing_reprint_request`);
    await q.query(`DROP TABLE IF EXISTS mailing_letter`);
    await q.query(`DROP TABLE IF EXISTS mailing_batch`);
  }
}
