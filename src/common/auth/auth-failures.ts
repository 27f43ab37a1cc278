import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { rateLimited } from '../metrics/metrics';

const WINDOW_MS = 60_000;
const MAX_CLIENTS = 50_000;
/**
 * How long a refused request is held before its 429: a flooding client waits on each of its
 * connections instead of sending again at once, which costs the process a timer, not CPU.
 */
export const REFUSAL_DELAY_MS = 1000;

/**
 * Failed authentications per client address, counted in one-minute windows. Past
 * AUTH_FAILURES_PER_MINUTE, an address gets 429 for any token this process never verified
 * valid, before any database look-up: a flood of bad tokens costs neither the database nor
 * the clients whose tokens were seen valid (they share the address behind a proxy; theirs
 * are still checked against the database). Sign-ins under way count too, until they end
 * (`begin`): a burst of parallel sign-ins from one address meets the budget before their
 * password checks end, not after. Per process.
 */
@Injectable()
export class AuthFailures {
  private readonly windows = new Map<string, { start: number; failures: number }>();
  /** Sign-ins under way per address (an entry goes when its last one ends). */
  private readonly inFlight = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly cfg: Pick<AppConfig, 'AUTH_FAILURES_PER_MINUTE'>) {}

  /** Whether this address is over its budget of failures (then only tokens once seen valid are checked). */
  isOver(client: string, now = Date.now()): boolean {
    const w = this.windows.get(client);
    const failures = w && now - w.start < WINDOW_MS ? w.failures : 0;
    return failures + (this.inFlight.get(client) ?? 0) >= this.cfg.AUTH_FAILURES_PER_MINUTE;
  }

  /** Counts an attempt under way from `client` against its budget until the function returned is called (once). */
  begin(client: string): () => void {
    this.inFlight.set(client, (this.inFlight.get(client) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.inFlight.get(client) ?? 1) - 1;
      if (n > 0) this.inFlight.set(client, n);
      else this.inFlight.delete(client);
    };
  }

  record(client: string, now = Date.now()): void {
    let w = this.windows.get(client);
    if (!w || now - w.start >= WINDOW_MS) {
      if (this.windows.size >= MAX_CLIENTS) this.prune(now);
      w = { start: now, failures: 0 };
      this.windows.set(client, w);
    }
    w.failures += 1;
  }

  /** Counts a refusal and holds it REFUSAL_DELAY_MS (the caller then answers 429). */
  async refused(): Promise<void> {
    rateLimited.inc({ limit: 'auth_failures' });
    await new Promise((resolve) => setTimeout(resolve, REFUSAL_DELAY_MS));
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
    if (this.windows.size >= MAX_CLIENTS) this.windows.clear();
  }
}
