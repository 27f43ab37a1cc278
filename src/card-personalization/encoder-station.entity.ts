import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** What a station may be doing, as stored (`offline`: its process stopped cleanly). */
export const ENCODER_STATES = ['idle', 'waiting-card', 'writing', 'error', 'offline'] as const;
export type EncoderState = (typeof ENCODER_STATES)[number];

/** The encoder drivers a station runs on. */
export const ENCODER_DRIVERS = ['pcsc', 'simulated'] as const;
export type EncoderDriverName = (typeof ENCODER_DRIVERS)[number];

/**
 * An encoder station's row: one reader of one host, written by the worker process that runs it
 * (EncoderFleetService) and read by GET /api/v1/encoders. The station itself, the loop that
 * drives the reader, is EncoderStation (encoder-station.ts).
 */
@Entity('encoder_station')
@Check('encoder_station_driver_check', `driver IN ('pcsc','simulated')`)
@Check('encoder_station_state_check', `state IN ('idle','waiting-card','writing','error','offline')`)
@Check('encoder_station_id_check', `id = host || '/' || reader`)
@Check('encoder_station_counts_check', `cards_done >= 0 AND cards_failed >= 0 AND consecutive_failures >= 0`)
export class EncoderStationRow {
  /** `<host>/<reader>`. */
  @PrimaryColumn('text') id: string;
  @Column('text') host: string;
  @Column('text') reader: string;
  @Column('text') driver: EncoderDriverName;
  /** Who runs it now, `<host>:<pid>`; null once its process stopped cleanly. */
  @Column('text', { name: 'process_id', nullable: true }) processId: string | null;
  @Column('text') state: EncoderState;
  /** The order being written (no foreign key: see the EncoderFleet migration). */
  @Column('uuid', { name: 'order_id', nullable: true }) orderId: string | null;
  @Column('integer', { name: 'cards_done', default: 0 }) cardsDone: number;
  @Column('integer', { name: 'cards_failed', default: 0 }) cardsFailed: number;
  @Column('integer', { name: 'consecutive_failures', default: 0 }) consecutiveFailures: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('timestamptz', { name: 'last_error_at', nullable: true }) lastErrorAt: Date | null;
  @Column('timestamptz', { name: 'started_at', default: () => 'now()' }) startedAt: Date;
  @Column('timestamptz', { name: 'heartbeat_at', default: () => 'now()' }) heartbeatAt: Date;
  @Column('text', { name: 'reset_by', nullable: true }) resetBy: string | null;
  @Column('timestamptz', { name: 'reset_at', nullable: true }) resetAt: Date | null;
}
