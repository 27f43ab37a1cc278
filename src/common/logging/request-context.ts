import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Request ids: what ties an HTTP request to its log lines, the outbox messages and jobs it
 * causes, and the audit entries written on its behalf (by the API or by a worker's job).
 *
 * An incoming `X-Request-Id` is kept when it is short and plain (REQUEST_ID_PATTERN), else a
 * new one is made (a UUID); either way the answer carries it back in `X-Request-Id`. While a
 * request or a job runs, its id is in an AsyncLocalStorage: OutboxService writes it into the
 * payloads (`xRequestId`), AuditService into `audit_log.request_id`, and the queue workers run
 * each job inside the id its payload carries.
 */
export const REQUEST_ID_HEADER = 'x-request-id';

/** The key of an outbox payload (so of its job's data) that carries the request id: never a business field. */
export const REQUEST_ID_PAYLOAD_KEY = 'xRequestId';

/** At most 128 characters: letters, digits and . _ : = + / - (a UUID, a load balancer's trace id). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:=+/-]{1,128}$/;

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** `value` when it is a usable request id, else null (absent, repeated, too long, or with other characters). */
export function acceptedRequestId(value: unknown): string | null {
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value) ? value : null;
}

export function newRequestId(): string {
  return randomUUID();
}

/** The id of the request or job running now (none outside one: a schedule, a CLI command). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `fn` as part of request `requestId` (its outbox messages and audit entries carry it). */
export function withRequestId<T>(requestId: string | undefined, fn: () => T): T {
  return requestId ? storage.run({ requestId }, fn) : fn();
}

/** The request id an outbox payload (a job's data) carries, if any and if usable. */
export function requestIdOfPayload(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  return acceptedRequestId((data as Record<string, unknown>)[REQUEST_ID_PAYLOAD_KEY]) ?? undefined;
}

type WithRequestId = IncomingMessage & { requestId?: string };

/** The id of an HTTP request: the one given already decided, else its header's (if usable), else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const r = req as WithRequestId;
  r.requestId ??= acceptedRequestId(req.headers[REQUEST_ID_HEADER]) ?? newRequestId();
  return r.requestId;
}

/**
 * The first Express middleware: decides the request's id, echoes it in the answer, and runs the
 * rest of the request in its context. Mounted a second time after the body parser, whose stream
 * events leave the context behind (the id is then the one decided first).
 */
export function requestIds() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const id = requestIdOf(req);
    if (!res.headersSent) res.setHeader('X-Request-Id', id);
    storage.run({ requestId: id }, next);
  };
}
