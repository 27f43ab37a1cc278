import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { z } from 'zod';
import { authorize, clientAddress } from '../auth/auth.guard';
import { AuthFailures } from '../auth/auth-failures';
import { ConsoleSessionsService } from '../auth/console-sessions.service';
import { Role } from '../auth/roles';
import { Principal, TokensService } from '../auth/tokens.service';
import { CommonError } from '../errors/domain-error';
import { problemHeaders, toProblem } from '../errors/problem.filter';
import { requestIdOf, withRequestId } from '../logging/request-context';
import { httpDuration, httpRequests } from '../metrics/metrics';
import { describeIssues } from './validation';

/**
 * A route answered before Nest's pipeline (request metrics, helmet, body parser, request
 * logging, router, guards, pipes): for the few routes in other services' hot paths (the
 * card status in an authentication path, order creation by batch clients). Same contract as
 * the Nest route it shadows, which stays (it documents the route in OpenAPI and serves what
 * the fast path leaves to it): bearer token or console session (its CSRF token too) and
 * roles checked by the guard's own function,
 * the body read with the same limit and validated by the same zod schema, errors as
 * application/problem+json, Prometheus metrics by route, an access log line.
 *
 * Only ordinary requests are taken: no query string, and for a body an
 * `application/json` one (utf-8, not compressed) with a Content-Length within the limit.
 * Anything else (chunked, compressed, another type or charset, too large) goes to Nest,
 * which answers it as before. The token is checked before the body is read: an
 * unauthenticated client's body is never buffered.
 */
export interface FastRoute<B = undefined> {
  method: 'GET' | 'POST';
  /** Matched against the path (query string removed); the captures are the route's parameters. */
  pattern: RegExp;
  /** The route as Nest names it, for the metrics and the access log. */
  route: string;
  roles: readonly Role[];
  /** Whose cache and pool check the bearer token. */
  tokens: TokensService;
  /** Whose pool checks a console session's cookie. */
  sessions: ConsoleSessionsService;
  /** The body's schema (POST); the same one the Nest route's DTO declares. */
  body?: z.ZodType<B>;
  /** The answer's body, and its status (200 unless given). */
  handle(req: FastRequest<B>): Promise<FastAnswer>;
}

export interface FastRequest<B> {
  params: string[];
  principal: Principal;
  body: B;
  headers: IncomingMessage['headers'];
}

export interface FastAnswer {
  status?: number;
  body: unknown;
}

/** A content type the fast path reads: JSON, utf-8 or no charset said (as body-parser takes it). */
const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** The Express adapter, with the server's request listener trying the fast routes first. */
export class FastPathAdapter extends ExpressAdapter {
  private fastRoutes: readonly FastRoute<unknown>[] = [];
  private failures: AuthFailures | null = null;
  private trustProxy = false;
  private bodyLimit = 0;
  private readonly fastLog = new Logger('FastPath');
  /** The headers helmet sets on the other routes, as it sets them (read once from helmet itself). */
  private readonly securityHeaders = helmetHeaders();

  /** Called once the application exists (the routes need its services). `bodyLimit` in bytes, as the body parser's. */
  serveFast(auth: { failures: AuthFailures; trustProxy: boolean; bodyLimit: number }, routes: readonly FastRoute<unknown>[]): void {
    this.failures = auth.failures;
    this.trustProxy = auth.trustProxy;
    this.bodyLimit = auth.bodyLimit;
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
    if (!this.failures || !this.fastRoutes.length) return false;
    const url = req.url ?? '';
    // A fast route takes no query string: one with a query goes through Nest, which refuses it (400).
    if (url.includes('?')) return false;
    for (const route of this.fastRoutes) {
      if (route.method !== req.method) continue;
      const m = route.pattern.exec(url);
      if (!m) continue;
      const length = this.readableLength(route, req);
      if (length === null) return false;
      const params: string[] = [];
      for (const p of m.slice(1)) {
        try {
          params.push(decodeURIComponent(p));
        } catch {
          return false; // let Express answer a malformed URL
        }
      }
      const failures = this.failures;
      const requestId = requestIdOf(req);
      void withRequestId(requestId, () => this.serve(route, params, length, req, res, failures, requestId));
      return true;
    }
    return false;
  }

  /** The body's length when the fast path reads it (0 for none); null to leave the request to Nest. */
  private readableLength(route: FastRoute<unknown>, req: IncomingMessage): number | null {
    if (req.headers['transfer-encoding'] !== undefined) return null;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return null; // body-parser inflates it
    const header = req.headers['content-length'];
    const length = header === undefined ? 0 : /^\d{1,9}$/.test(header) ? Number(header) : null;
    if (length === null || length > this.bodyLimit) return null;
    if (length === 0) return route.body ? null : 0;
    if (!route.body) return null; // Nest refuses a body on a route without one
    return JSON_TYPE.test(req.headers['content-type'] ?? '') ? length : null;
  }

  private async serve(
    route: FastRoute<unknown>,
    params: string[],
    length: number,
    req: IncomingMessage,
    res: ServerResponse,
    failures: AuthFailures,
    requestId: string,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    // The client went away before the answer: nothing to write, counted as 499 (as the Nest routes are).
    let gone = false;
    res.once('close', () => {
      if (!res.writableFinished) gone = true;
    });
    const end = httpDuration.startTimer({ method: route.method, route: route.route });
    let status = 200;
    let type = 'application/json; charset=utf-8';
    let body: string;
    let extraHeaders: Readonly<Record<string, string>> = {};
    let principal: Principal | undefined;
    try {
      principal = await authorize(
        { tokens: route.tokens, sessions: route.sessions, failures, client: clientAddress(req, this.trustProxy) },
        req,
        route.roles,
      );
      const raw = length ? await readBody(req, length) : undefined;
      const answer = await route.handle({
        params,
        principal,
        body: route.body ? parseBody(route.body, raw) : undefined,
        headers: req.headers,
      });
      status = answer.status ?? 200;
      body = JSON.stringify(answer.body);
    } catch (err) {
      const problem = toProblem(err);
      status = problem.status;
      type = 'application/problem+json; charset=utf-8';
      body = JSON.stringify(problem);
      extraHeaders = problemHeaders(err);
      if (status >= 500) this.fastLog.error({ err, route: route.route }, 'request failed');
    }
    let recorded = String(status);
    if (!gone && !res.headersSent) {
      res.writeHead(status, {
        ...extraHeaders,
        ...this.securityHeaders,
        'content-type': type,
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
        'x-request-id': requestId,
      });
      res.end(body);
    } else {
      recorded = '499';
    }
    end();
    httpRequests.inc({ method: route.method, route: route.route, status: recorded });
    // pino-http's words and levels, as on the Nest routes; plus the principal.
    const line = {
      requestId,
      req: { id: requestId, method: route.method, url: route.route },
      res: { statusCode: Number(recorded) },
      principal: principal?.principalId,
      responseTime: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
    };
    if (status >= 500) this.fastLog.error(line, 'request errored');
    else this.fastLog.log(line, recorded === '499' ? 'request aborted' : 'request completed');
  }
}

/** The headers helmet (as main.ts uses it) sets on an answer, read once by running it on a stub response. */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet()({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}

/** The body, `length` bytes (Node's parser stops a body at its Content-Length, checked within the limit), as text. */
function readBody(req: IncomingMessage, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks, length).toString('utf8')));
    req.once('aborted', () => reject(new CommonError('validation_failed', 'body: the client went away before sending it all', 400)));
    req.once('error', () => reject(new CommonError('validation_failed', 'body: cannot be read', 400)));
  });
}

/** JSON.parse then the route's schema: the 400s the body parser and the validation pipe give. */
function parseBody<B>(schema: z.ZodType<B>, raw: string | undefined): B {
  let value: unknown;
  try {
    // As body-parser: a leading byte-order mark dropped; strict mode: an object or an array, nothing else.
    const text = raw?.replace(/^\uFEFF/, '');
    if (text !== undefined && !/^\s*[[{]/.test(text)) throw new SyntaxError('not an object');
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    throw new CommonError('validation_failed', 'body: malformed JSON', 400);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CommonError('validation_failed', describeIssues(parsed.error), 400);
  return parsed.data;
}
