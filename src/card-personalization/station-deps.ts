/**
 * What an encoder station needs from the rest of the back-office, as narrow interfaces
 * (the Nest services implement them; the station stays a plain class).
 */
import type { PersonalizationOrdersService } from '../orders/personalization-orders.service';

export interface StationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type StationState = 'idle' | 'waiting-card' | 'writing' | 'error' | 'offline';

export interface StationFleet {
  register(s: { host: string; reader: string; driver: 'pcsc' | 'simulated'; processId: string }): Promise<string>;
  setState(id: string, state: 'idle' | 'waiting-card' | 'writing', orderId?: string | null): Promise<unknown>;
  recordCard(
    id: string,
    outcome: { ok: true } | { ok: false; error: string },
  ): Promise<{ state: StationState; consecutiveFailures: number }>;
  current(id: string): Promise<{ state: StationState } | null>;
}

export interface StationDeps {
  orders: Pick<
    PersonalizationOrdersService,
    'pendingCount' | 'checkChipUnused' | 'claimNext' | 'recordPersonalized' | 'recordFailure' | 'releaseStation'
  >;
  /** The vault gives an order's codes at the moment of use, by order id. */
  vault: { codesForPersonalization(orderId: string): Promise<{ pin: string; puk: string }> };
  fleet: StationFleet;
  log: StationLog;
  host: string;
  processId: string;
  driver: 'pcsc' | 'simulated';
}
