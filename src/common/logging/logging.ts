import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../config/config';
import { currentRequestId, requestIdOf } from './request-context';

/** Paths pino replaces with [Redacted]: codes, tokens and credentials never reach a log. */
export const REDACT_PATHS = [
  'pin',
  'puk',
  '*.pin',
  '*.puk',
  '*.*.pin',
  '*.*.puk',
  'token',
  '*.token',
  '*.*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  // A database error's values (a national id, an Idempotency-Key): the statement's text stays.
  'err.parameters',
  'err.detail',
  'err.driverError.parameters',
  'err.driverError.detail',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // The console session: its cookie, its CSRF token, a set-password link's token.
  'cookie',
  '*.cookie',
  '*.*.cookie',
  '"set-cookie"',
  '*["set-cookie"]',
  '*.*["set-cookie"]',
  '"x-csrf-token"',
  '*["x-csrf-token"]',
  '*.*["x-csrf-token"]',
  'csrfToken',
  '*.csrfToken',
  'secret',
  '*.secret',
  'setPasswordUrl',
  '*.setPasswordUrl',
];

export function pinoOptions(cfg: Pick<AppConfig, 'LOG_LEVEL'>): pino.LoggerOptions {
  return {
    level: cfg.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    base: { pid: process.pid, service: 'cps-backoffice' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: requestIdMixin,
  };
}

/**
 * Every line written while a request or a job runs carries its id (`requestId`), unless the
 * logger already holds it as a binding (the request's own logger, a job's child logger).
 */
function requestIdMixin(_obj: object, _level: number, logger: pino.Logger): Record<string, string> {
  const requestId = currentRequestId();
  if (!requestId || logger.bindings().requestId === requestId) return {};
  return { requestId };
}

/** JSON logs; the CLI sends them to stderr so that stdout carries only its JSON result. */
export function loggerModule(cfg: AppConfig, to: 'stdout' | 'stderr' = 'stdout') {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        ...pinoOptions(cfg),
        autoLogging: { ignore: (req) => isProbePath(req.url) },
        // The id decided by requestIds() (main.ts), also what X-Request-Id answers.
        genReqId: (req) => requestIdOf(req),
        customProps: accessLogProps,
        serializers: {
          req: (req: { id: unknown; method: string; url: string; raw?: { route?: { path?: string }; baseUrl?: string } }) => ({
            id: req.id,
            method: req.method,
            url: loggableUrl(req.url, req.raw?.route?.path ? `${req.raw.baseUrl ?? ''}${req.raw.route.path}` : undefined),
          }),
        },
      },
      pino.destination({ fd: to === 'stdout' ? 1 : 2, sync: to === 'stderr' }),
    ],
  });
}

/**
 * The fields pino-http adds to a request's lines: its id from the start (every line of the
 * request carries it), and once the guard has named it, the principal (the access log line).
 * pino-http calls this at the start and again for the access line, and adds only bindings it
 * does not hold yet: so one or the other, never the id twice.
 */
export function accessLogProps(req: IncomingMessage): Record<string, string> {
  const principal = (req as IncomingMessage & { principal?: { principalId: string } }).principal;
  return principal ? { principal: principal.principalId } : { requestId: requestIdOf(req) };
}

/** /health, its /live and /ready, and /metrics, as Express routes them (any case, query string or trailing slash): not logged. */
export function isProbePath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0].toLowerCase().replace(/\/+$/, '');
  return path === '/health' || path === '/health/live' || path === '/health/ready' || path === '/metrics';
}

/**
 * A request's URL as the access log shows it: the route pattern when known
 * (/api/v1/professionals/:nationalId), else the path with identifiers masked; never the
 * query string (names searched for) nor a national id or card number.
 */
export function loggableUrl(url: string, routePattern?: string): string {
  // A catch-all ('/{*path}', the pattern the logging middleware itself is mounted on) names no route.
  if (routePattern && !routePattern.includes('*')) return routePattern;
  const path = url.split('?')[0];
  return path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id').replace(/\d{4,}/g, ':n');
}

/** A plain pino logger (scripts and places outside Nest). */
export function createLogger(cfg: AppConfig, to: 'stdout' | 'stderr' = 'stderr'): pino.Logger {
  return pino(pinoOptions(cfg), pino.destination({ fd: to === 'stdout' ? 1 : 2, sync: true }));
}
