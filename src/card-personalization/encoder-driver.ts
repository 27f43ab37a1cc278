/**
 * Encoder drivers behind one interface (issue 10): a driver offers slots (one reader of a
 * PC/SC encoder, or one simulated encoder), each taking one card at a time. The station
 * (encoder-station.ts) drives a slot; it never knows which driver it has.
 */
import type { CardTransport } from './card-channel';
import type { EncoderDriverName } from './encoder-station.entity';

/** One card, taken for this process alone until close(). */
export interface CardSession extends CardTransport {
  /** Ends the session; the card is reset so that no right granted meanwhile outlives it. */
  close(): Promise<void>;
}

export interface EncoderSlot {
  /** The reader's name, as ENCODER_READERS and `GET /api/v1/encoders` show it. */
  readonly reader: string;
  /** Whether a card is in the slot now (as far as the driver knows). */
  cardPresent(): boolean;
  /** Resolves true once a card is in the slot (at once if one is), false after `timeoutMs`. */
  waitForCard(timeoutMs: number): Promise<boolean>;
  /** Resolves true once the slot is empty (at once if it is), false after `timeoutMs`. */
  waitForRemoval(timeoutMs: number): Promise<boolean>;
  /** Takes the card in the slot; throws when there is none or another program holds it. */
  connect(): Promise<CardSession>;
  /**
   * Hands the card out once the station is done with it: the simulated encoder ejects it
   * and feeds the next blank card (true: the card in the slot now is another one); at a
   * PC/SC reader someone takes it out (false: the station finds out by itself).
   */
  release(): Promise<boolean>;
}

export interface EncoderDriverEvents {
  'slot-added': [EncoderSlot];
  'slot-removed': [string];
}

export interface EncoderDriver {
  readonly kind: EncoderDriverName;
  /** The slots attached now. */
  slots(): EncoderSlot[];
  on<E extends keyof EncoderDriverEvents>(event: E, listener: (...args: EncoderDriverEvents[E]) => void): unknown;
  off<E extends keyof EncoderDriverEvents>(event: E, listener: (...args: EncoderDriverEvents[E]) => void): unknown;
  close(): Promise<void>;
}
