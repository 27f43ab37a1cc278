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
