import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

const REASONS = `'expiry','loss','theft','malfunction','non-receipt','cessation','replacement'`;

/**
 * Opposition (module opposition): one final opposition per card, and the CRLs published
 * from them. An opposition's id orders the oppositions for delta CRLs: a publication keeps
 * the highest id it includes (its watermark).
 *
 * Cards brought in already opposed by cards:import are handed over as opposition requests
 * without a reason (the old base gives none), hence the nullable reason.
 */
export class Opposition1764190000000 implements MigrationInterface {
  name = 'Opposition1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE opposition_request ALTER COLUMN reason DROP NOT NULL`);
    await q.query(`
      CREATE TABLE opposition (
        id bigserial PRIMARY KEY,
        card_number text NOT NULL REFERENCES card(card_number),
        reason text,
        source text NOT NULL,
        channel text NOT NULL,
        declared_by text NOT NULL,
        verification text,
        comment text,
        opposed_at timestamptz NOT NULL,
        invalidity_date timestamptz,
        valid_until date NOT NULL,
        request_id bigint REFERENCES opposition_request(id),
        replacement_order_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT opposition_card_number_key UNIQUE (card_number),
        CONSTRAINT opposition_reason_check CHECK (reason IN (${REASONS})),
        CONSTRAINT opposition_source_check CHECK (source IN ('helpdesk','operator','registry','system','import')),
        CONSTRAINT opposition_channel_check CHECK (channel IN ('phone','form','portal','registry','system','import'))
      )`);
    await q.query(`CREATE INDEX opposition_request_pending_idx ON opposition_request (id) WHERE handled_at IS NULL`);

    await q.query(`
      CREATE TABLE crl_publication (
        crl_number bigint PRIMARY KEY,
        kind text NOT NULL,
        base_crl_number bigint REFERENCES crl_publication(crl_number),
        watermark bigint NOT NULL,
        this_update timestamptz NOT NULL,
        next_update timestamptz NOT NULL,
        entries integer NOT NULL,
        bytes bigint NOT NULL,
        path text NOT NULL,
        sha256 text NOT NULL,
        published_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT crl_publication_kind_check CHECK (kind IN ('full','delta')),
        CONSTRAINT crl_publication_delta_base_check CHECK ((kind = 'delta') = (base_crl_number IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX crl_publication_kind_idx ON crl_publication (kind, crl_number)`);

    // Opposition is final, whatever writes to the card table: the database refuses to bring
    // an opposed card back, or to change when it was opposed.
    await q.query(`
      CREATE FUNCTION card_opposition_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.state <> 'opposed' OR NEW.opposed_at IS DISTINCT FROM OLD.opposed_at THEN
          RAISE EXCEPTION 'card % is opposed: opposition is final', OLD.card_number USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER card_opposition_is_final BEFORE UPDATE ON card
      FOR EACH ROW WHEN (OLD.state = 'opposed') EXECUTE FUNCTION card_opposition_is_final()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'opposition', what: 'the oppositions' },
      { table: 'crl_publication', what: 'the CRL history' },
      {
        table: 'opposition_request',
        what: 'the opposition requests without a reason (cards imported already opposed)',
        where: 'reason IS NULL',
      },
    ]);
    await q.query(`DROP TRIGGER IF EXISTS card_opposition_is_final ON card`);
    await q.query(`DROP FUNCTION IF EXISTS card_opposition_is_final()`);
    await q.query(`DROP TABLE IF EXISTS crl_publication`);
    await q.query(`DROP TABLE IF EXISTS opposition`);
    await q.query(`DROP INDEX IF EXISTS opposition_request_pending_idx`);
    await q.query(`DELETE FROM opposition_request WHERE reason IS NULL`);
    await q.query(`ALTER TABLE opposition_request ALTER COLUMN reason SET NOT NULL`);
  }
}
