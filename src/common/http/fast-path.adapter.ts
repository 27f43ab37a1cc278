import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { authorize, clientAddress } from '../auth/auth.guard';
import { AuthFailures } from '../auth/auth-failures';
import { Role } from '../auth/roles';
import { Principal, TokensService } from '../auth/tokens.service';
import { toProblem } from '../errors/problem.filter';
import { httpDuration, httpRequests } from '../metrics/metrics';

/**
 * A GET route answered before Nest's pipeline (request metrics, helmet, body parser,
 * request logging, router, guards): for the few routes that sit in other services' hot paths (the card status in
 * an authentication path). Same contract as a Nest route: bearer token and roles checked
 * by the guard's own function, errors as application/problem+json, Prometheus metrics by
 * route; only the per-request log line is left out (errors are still logged).
 */
export interface FastRoute {
  /** Matched against the path (query string removed); the captures are the route's parameters. */
  pattern: RegExp;
  /** The route as Nest names it, for the metrics. */
  route: string;
  roles: readonly Role[];
  handle(params: string[], principal: Principal): Promise<unknown>;
}

/** The Express adapter, with the server's request listener trying the fast routes first. */
export class FastPathAdapter extends ExpressAdapter {
  private fastRoutes: FastRoute[] = [];
  private tokens: TokensService | null = null;
  private failures: AuthFailures | null = null;
  private trustProxy = false;
  private readonly fastLog = new Logger('FastPath');

  /** Called once the application exists (the routes need its services). */
  serveFast(auth: { tokens: TokensService; failures: AuthFailures; trustProxy: boolean }, routes: FastRoute[]): void {
    this.tokens = auth.tokens;
    this.failures = auth.failures;
    this.trustProxy = auth.trustProxy;
    this.fastRoutes = routes;
  }

  override initHttpServer(options: NestApplicationOptions): void {
    super.initHttpServer(options);
    const server = this.getHttpServer();
    const express = this.getInstance();
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!this.tryFast(req, res)) express(req, res);
    });
  }

  private tryFast(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || !this.tokens || !this.failures || !this.fastRoutes.length) return false;
    const url = req.url ?? '';
    // A fast route takes no query string: one with a query goes through Nest, which refuses it (400).
    if (url.includes('?')) return false;
    const path = url;
    for (const route of this.fastRoutes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: string[] = [];
      for (const p of m.slice(1)) {
        try {
          params.push(decodeURIComponent(p));
        } catch {
          return false; // let Express answer a malformed URL
        }
      }
      void this.serve(route, params, req, res, this.tokens, this.failures);
      return true;
    }
    return false;
  }

  private async serve(
    route: FastRoute,
    params: string[],
    req: IncomingMessage,
    res: ServerResponse,
    tokens: TokensService,
    failures: AuthFailures,
  ): Promise<void> {
    const end = httpDuration.startTimer({ method: 'GET', route: route.route });
    let status = 200;
    let type = 'application/json; charset=utf-8';
    let body: string;
    try {
      const principal = await authorize(
        { tokens, failures, client: clientAddress(req, this.trustProxy) },
        req.headers.authorization,
        route.roles,
      );
      body = JSON.stringify(await route.handle(params, principal));
    } catch (err) {
      const problem = toProblem(err);
      status = problem.status;
      type = 'application/problem+json; charset=utf-8';
      body = JSON.stringify(problem);
      if (status >= 500) this.fastLog.error({ err, route: route.route }, 'request failed');
    }
    if (!res.headersSent) {
      res.writeHead(status, {
        'content-type': type,
        'content-length': Buffer.byteLength(body),
        // What helmet sets on the other routes, for an API answer.
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'referrer-policy': 'no-referrer',
      });
      res.end(body);
    }
    end();
    httpRequests.inc({ method: 'GET', route: route.route, status: String(status) });
  }
}
