/**
 * What an encoder station needs from the rest of the back-office, as narrow interfaces
 * (the Nest services implement them; the station stays a plain class).
 */
import type { CardCodes } from '../mailing/pin-codes';
import type { PersonalizationOrdersService } from '../orders/personalization-orders.service';
import type { EncoderWorkState, StationCardResult } from './encoder-fleet.service';
import type { EncoderDriverName, EncoderState } from './encoder-station.entity';

export interface StationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface StationFleet {
  register(s: { host: string; reader: string; driver: EncoderDriverName; processId: string }): Promise<string>;
  setState(id: string, state: EncoderWorkState, orderId?: string | null): Promise<unknown>;
  recordCard(id: string, outcome: StationCardResult): Promise<{ state: EncoderState; consecutiveFailures: number }>;
  current(id: string): Promise<{ state: EncoderState } | null>;
}

export interface StationDeps {
  orders: Pick<
    PersonalizationOrdersService,
    'pendingCount' | 'checkChipUnused' | 'claimNext' | 'recordPersonalized' | 'recordFailure' | 'releaseStation'
  >;
  /** The vault gives an order's codes at the moment of use, by order id. */
  vault: { codesForPersonalization(orderId: string): Promise<CardCodes> };
  fleet: StationFleet;
  log: StationLog;
  host: string;
  processId: string;
  driver: EncoderDriverName;
}
