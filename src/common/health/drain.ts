/**
 * The API's drain on SIGTERM (SHUTDOWN_DRAIN_SECONDS): while it lasts, GET /health and GET /health/ready answer
 * 503 naming `shutdown` (GET /health/live stays 200), so that a load balancer stops sending new requests, and every
 * request is still served; then the server closes.
 */
export class Drain {
  private startedAt: number | null = null;

  /** Whether the drain has begun (the process is stopping). */
  get draining(): boolean {
    return this.startedAt !== null;
  }

  begin(now = Date.now()): void {
    this.startedAt ??= now;
  }
}
