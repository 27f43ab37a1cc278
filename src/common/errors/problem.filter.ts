import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, statusTitle } from './domain-error';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [k: string]: unknown;
}

const HTTP_CODES: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'too_many_requests',
};

export function toProblem(err: unknown): Problem {
  if (err instanceof DomainError) {
    return {
      type: `urn:cps:problem:${err.code}`,
      title: err.title,
      status: err.status,
      detail: err.message,
      code: err.code,
      ...(err.extra ?? {}),
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    let detail = err.message;
    if (typeof body === 'object' && body && 'message' in body) {
      const m = (body as { message: unknown }).message;
      detail = Array.isArray(m) ? m.join('; ') : String(m);
    }
    // The router's "Cannot GET /x" for a path no route serves.
    const unrouted = status === 404 && /^Cannot ([A-Z]+) (\S*)$/.exec(detail);
    if (unrouted) detail = `no route ${unrouted[1]} ${unrouted[2]}`;
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'internal_error' : 'http_error');
    return { type: `urn:cps:problem:${code}`, title: statusTitle(status), status, detail, code };
  }
  return {
    type: 'urn:cps:problem:internal_error',
    title: statusTitle(500),
    status: 500,
    detail: 'An unexpected error occurred; it has been logged.',
    code: 'internal_error',
  };
}

/** The headers an error's answer carries besides the problem (none for most). */
export function problemHeaders(err: unknown): Readonly<Record<string, string>> {
  return err instanceof DomainError && err.headers ? err.headers : {};
}

/** Sends an error as application/problem+json (the filter, and the Express handlers before Nest's routing). */
export function sendProblem(res: Response, err: unknown): void {
  const problem = toProblem(err);
  for (const [name, value] of Object.entries(problemHeaders(err))) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The one exhaustive filter: every error leaves as application/problem+json with a stable code. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (toProblem(err).status >= 500) this.logger.error({ err }, 'request failed');
    sendProblem(res, err);
  }
}
