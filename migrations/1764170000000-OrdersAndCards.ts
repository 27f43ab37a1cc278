import { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseDataLoss } from './data-loss';

const OPEN = `'requested','approved','personalizing','personalized','card-letter-sent','pin-letter-sent','failed'`;

/** Orders and cards (module orders): states as checks, the one-open-order and one-active-card rules as indexes. */
export class OrdersAndCards1764170000000 implements MigrationInterface {
  name = 'OrdersAndCards1764170000000';

  async up(q: QueryRunner): Promise<void> {
    // Our card numbers: 9-digit payload from this sequence + a Luhn key. Existing cards
    // (cards:import) use other ranges; an allocation that meets one is skipped.
    await q.query(`CREATE SEQUENCE card_number_seq START 300000001 MINVALUE 1 MAXVALUE 999999999 NO CYCLE`);

    await q.query(`
      CREATE TABLE card_order (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        national_id text NOT NULL,
        profession_code text NOT NULL,
        card_type text NOT NULL,
        reason text NOT NULL,
        status text NOT NULL,
        generation text,
        content jsonb,
        replaces_card text,
        source_event_id bigint,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        approved_by text,
        approved_at timestamptz,
        status_reason text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT card_order_card_type_check CHECK (card_type IN ('CPS','CPF','CPE','CPA')),
        CONSTRAINT card_order_reason_check CHECK (reason IN ('first-issue','renewal','content-change','replacement','manual')),
        CONSTRAINT card_order_status_check CHECK (status IN ('requested','approved','personalizing','personalized',
          'card-letter-sent','pin-letter-sent','closed','rejected','cancelled','failed')),
        CONSTRAINT card_order_generation_check CHECK (generation IN ('CPS3','CPS4'))
      )`);
    await q.query(`
      CREATE UNIQUE INDEX card_order_one_open_idx ON card_order (national_id, profession_code, card_type)
      WHERE status IN (${OPEN})`);
    await q.query(`CREATE INDEX card_order_status_idx ON card_order (status, reason)`);
    await q.query(`CREATE INDEX card_order_requested_idx ON card_order (requested_at)`);

    await q.query(`
      CREATE TABLE card (
        card_number text PRIMARY KEY,
        card_type text NOT NULL,
        generation text,
        national_id text NOT NULL,
        national_id_in_card text NOT NULL,
        profession_code text NOT NULL,
        last_name text NOT NULL DEFAULT '',
        first_name text NOT NULL DEFAULT '',
        valid_from date NOT NULL,
        valid_until date NOT NULL,
        chip_serial text,
        state text NOT NULL,
        order_id uuid,
        replaces_card text,
        source text NOT NULL,
        opposed_at timestamptz,
        opposition_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT card_order_id_fkey FOREIGN KEY (order_id) REFERENCES card_order(id),
        CONSTRAINT card_card_type_check CHECK (card_type IN ('CPS','CPF','CPE','CPA')),
        CONSTRAINT card_state_check CHECK (state IN ('personalized','sent','active','opposed')),
        CONSTRAINT card_source_check CHECK (source IN ('order','import')),
        CONSTRAINT card_validity_check CHECK (valid_until >= valid_from)
      )`);
    await q.query(`
      CREATE UNIQUE INDEX card_one_active_idx ON card (national_id, profession_code, card_type) WHERE state = 'active'`);
    await q.query(`CREATE INDEX card_holder_idx ON card (national_id, profession_code, card_type, valid_until)`);
    await q.query(`CREATE INDEX card_valid_until_idx ON card (valid_until) WHERE state <> 'opposed'`);

    // A retried POST /orders with the same Idempotency-Key returns the same order.
    await q.query(`
      CREATE TABLE order_idempotency_key (
        principal text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        order_id uuid NOT NULL REFERENCES card_order(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, key)
      )`);

    // Registry events already turned into orders (the consumer is idempotent).
    await q.query(`
      CREATE TABLE consumed_registry_event (
        event_id bigint PRIMARY KEY,
        outcome jsonb NOT NULL DEFAULT '{}'::jsonb,
        consumed_at timestamptz NOT NULL DEFAULT now()
      )`);

    // Cards the orders module hands to opposition (cessation, profession removed, replaced).
    await q.query(`
      CREATE TABLE opposition_request (
        id bigserial PRIMARY KEY,
        card_number text NOT NULL REFERENCES card(card_number),
        reason text NOT NULL,
        source text NOT NULL,
        source_ref text,
        created_at timestamptz NOT NULL DEFAULT now(),
        handled_at timestamptz,
        CONSTRAINT opposition_request_reason_check CHECK (reason IN ('expiry','loss','theft','malfunction','non-receipt','cessation','replacement'))
      )`);
    await q.query(`CREATE UNIQUE INDEX opposition_request_once_idx ON opposition_request (card_number, reason, source_ref)`);

    // Renewal sweeps: one row per run (date), so that a second run the same day creates nothing.
    await q.query(`
      CREATE TABLE renewal_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        as_of date NOT NULL,
        window_days integer NOT NULL,
        cards_due integer NOT NULL DEFAULT 0,
        orders_created integer NOT NULL DEFAULT 0,
        already_open integer NOT NULL DEFAULT 0,
        job_run_id uuid REFERENCES job_run(id),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseDataLoss(q, this.name, [
      { table: 'card_order', what: 'the card orders' },
      { table: 'card', what: 'the cards' },
      { table: 'opposition_request', what: 'the opposition requests' },
      { table: 'renewal_run', what: 'the renewal runs' },
    ]);
    for (const t of ['renewal_run', 'opposition_request', 'consumed_registry_event', 'order_idempotency_key', 'card', 'card_order']) {
      await q.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    }
    await q.query(`DROP SEQUENCE IF EXISTS card_number_seq`);
  }
}
