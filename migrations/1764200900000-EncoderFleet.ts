import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The encoder fleet (issue 10): one row per encoder station (`<host>/<reader>`), written by
 * the worker process that runs it (state, counters, heartbeats) and read by
 * GET /api/v1/encoders. `order_id` is the order being written, for the operator's eyes only:
 * no foreign key (the station's row must never hold up a change of the orders module).
 */
export class EncoderFleet1764200900000 implements MigrationInterface {
  name = 'EncoderFleet1764200900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE encoder_station (
        id text PRIMARY KEY,
        host text NOT NULL,
        reader text NOT NULL,
        driver text NOT NULL,
        process_id text,
        state text NOT NULL,
        order_id uuid,
        cards_done integer NOT NULL DEFAULT 0,
        cards_failed integer NOT NULL DEFAULT 0,
        consecutive_failures integer NOT NULL DEFAULT 0,
        last_error text,
        last_error_at timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        reset_by text,
        reset_at timestamptz,
        CONSTRAINT encoder_station_driver_check CHECK (driver IN ('pcsc','simulated')),
        CONSTRAINT encoder_station_state_check CHECK (state IN ('idle','waiting-card','writing','error','offline')),
        CONSTRAINT encoder_station_id_check CHECK (id = host || '/' || reader),
        CONSTRAINT encoder_station_counts_check CHECK (cards_done >= 0 AND cards_failed >= 0 AND consecutive_failures >= 0)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS encoder_station`);
  }
}
