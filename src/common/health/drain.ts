/**
 * The API's drain on SIGTERM (SHUTDOWN_DRAIN_SECONDS): while it lasts, GET /health and GET /health/ready answer
 * 503 naming `shutdown` (GET /health/live stays 200), so that a load balancer stops sending new requests, and every
 * request is still served; then the server closes.
 */
export class Drain {
  private began = false;

  /** Whether the drain has begun (the process is stopping). */
  get draining(): boolean {
    return this.began;
  }

  begin(): void {
    this.began = true;
  }
}
