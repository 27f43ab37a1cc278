import { createServer, type Server } from 'node:http';
import { registry } from './metrics';
import type { MetricsRefresher } from './metrics-refresher';

/**
 * A process without an HTTP API (the worker) serves its metrics on a port of its own:
 * GET /metrics (Prometheus text), anything else 404. Resolves once listening.
 */
export function serveMetrics(refresher: Pick<MetricsRefresher, 'metrics'>, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0].toLowerCase().replace(/\/+$/, '');
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'urn:cps:problem:not_found',
          title: 'There is nothing at this address',
          status: 404,
          detail: 'this port serves GET /metrics only',
          code: 'not_found',
        }),
      );
      return;
    }
    refresher.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics could not be collected\n');
      },
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
