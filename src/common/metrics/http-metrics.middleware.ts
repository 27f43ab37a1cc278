import type { NextFunction, Request, Response } from 'express';
import { httpDuration, httpRequests } from './metrics';

/** Methods counted by name; any other (Node accepts some thirty) is counted as `other`, so a client cannot add label values. */
const COUNTED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** The status recorded for a request whose client went away before the answer was sent (nginx's convention). */
const CLIENT_CLOSED = '499';
/** The catch-all route Nest adds to answer 404: its requests matched no route of ours. */
const NEST_NOT_FOUND_ROUTE = '/{*path}';

/**
 * Counts requests and their durations by route pattern (not by concrete URL), whatever
 * answered them (a handler, a guard's 401/403/429, the body parser's 413) or if the client
 * went away first: an Express middleware that records each request once, when its response
 * is finished or its connection closed. `unmatched` when no route took the request. The
 * fast routes count their own (FastPathAdapter).
 */
export function httpMetrics() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = httpDuration.startTimer();
    const record = (): void => {
      const method = COUNTED_METHODS.has(req.method) ? req.method : 'other';
      const path = req.route?.path as string | undefined;
      const route = path === undefined || path === NEST_NOT_FOUND_ROUTE ? 'unmatched' : path;
      end({ method, route });
      httpRequests.inc({ method, route, status: res.writableFinished ? String(res.statusCode) : CLIENT_CLOSED });
    };
    res.once('close', record);
    next();
  };
}
