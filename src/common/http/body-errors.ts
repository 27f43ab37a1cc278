import type { NextFunction, Request, Response } from 'express';
import { CommonError } from '../errors/domain-error';
import { sendProblem } from '../errors/problem.filter';

/**
 * Errors of the body parser (a body over the limit, malformed JSON, an unsupported
 * charset) happen before Nest's routing: answered here as problem+json, like every error.
 */
export function bodyParserErrors(limit: string) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const e = err as { type?: string; status?: number };
    if (!e || typeof e.type !== 'string' || typeof e.status !== 'number') {
      next(err);
      return;
    }
    sendProblem(
      res,
      e.type === 'entity.too.large'
        ? new CommonError('payload_too_large', `the request body is over the limit of ${limit}`, 413)
        : e.type === 'entity.parse.failed'
          ? new CommonError('validation_failed', 'body: malformed JSON', 400)
          : new CommonError('validation_failed', `body: cannot be read (${e.type})`, e.status >= 400 && e.status < 500 ? e.status : 400),
    );
  };
}

/**
 * The API reads JSON bodies only: a body of any other type (or of none) would otherwise
 * reach the routes as no body at all and be refused for the wrong reason, or ignored.
 * Answered 415 `unsupported_media_type`, naming the type received.
 */
export function jsonBodiesOnly() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const length = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (!hasBody || req.is('application/json')) {
      next();
      return;
    }
    const type = req.headers['content-type'];
    sendProblem(
      res,
      new CommonError(
        'unsupported_media_type',
        `body: send JSON with Content-Type: application/json (got ${type ? `"${type.slice(0, 100)}"` : 'no Content-Type'})`,
        415,
      ),
    );
  };
}

/** HTTP_BODY_LIMIT ("100kb", "1mb", "512b" or "512") in bytes, as the body parser reads it (1 kb = 1024 bytes). */
export function bodyLimitBytes(limit: string): number {
  const m = /^(\d+)(b|kb|mb)?$/i.exec(limit);
  if (!m) throw new Error(`HTTP_BODY_LIMIT: expected a size such as 100kb or 1mb (got "${limit}")`);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}
