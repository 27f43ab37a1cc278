import type { NextFunction, Request, Response } from 'express';

/**
 * `Cache-Control: no-store` on every answer it sees (main.ts mounts it on /api/v1): an API answer
 * names people, cards and sessions, and no browser or proxy keeps a copy of one, errors included.
 * The fast-path routes, answered before Express, set it themselves.
 */
export function noStore() {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
