import type { NextFunction, Request, Response } from 'express';
import { httpDuration, httpRequests } from './metrics';

/**
 * Counts requests and their durations by route pattern (not by concrete URL), whatever
 * answered them (a handler, a guard's 401/403/429, the body parser's 413): an Express
 * middleware that reads the status when the response is finished. `unmatched` when no route
 * took the request. The fast routes count their own (FastPathAdapter).
 */
export function httpMetrics() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = httpDuration.startTimer();
    res.once('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      end({ method: req.method, route });
      httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
