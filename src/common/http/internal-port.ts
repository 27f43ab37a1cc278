import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { CommonError } from '../errors/domain-error';
import { sendProblem } from '../errors/problem.filter';

/** What the internal port serves: metrics, the API documents, and health for probes. */
const INTERNAL_PATHS = /^\/(metrics|health|api\/docs)(\/|-json|$)/;

/**
 * The path as Express routes it: case-insensitive, percent-decoded. The split compares this
 * form, so that /METRICS or /%6Detrics (which Express serves as /metrics) cannot slip past it;
 * a path that does not decode is compared as it is (Express answers it 400 or 404).
 */
export function routedPath(path: string): string {
  let p = path;
  try {
    p = decodeURIComponent(path);
  } catch {
    // malformed escape: compared as sent
  }
  return p.toLowerCase();
}

function notFound(res: Response, path: string): void {
  sendProblem(res, new CommonError('not_found', `no route ${path} on this port`, 404));
}

/**
 * With INTERNAL_PORT set, /metrics and the API documents leave the public port and are
 * served on the internal one only (which serves nothing else but /health). Both ports are
 * served by the same application; this middleware tells them apart by the local port.
 */
export function splitPorts(internalPort: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const internal = req.socket.localPort === internalPort;
    const path = routedPath(req.path);
    const internalPath = INTERNAL_PATHS.test(path);
    if (internal ? internalPath : !internalPath || path.startsWith('/health')) return next();
    notFound(res, req.path);
  };
}

/** A second listener on the internal port, for the same request handler. */
export function listenInternal(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host = '0.0.0.0',
): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
