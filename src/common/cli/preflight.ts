import { Client } from 'pg';
import { DomainError } from '../errors/domain-error';

/**
 * A service the CLI needs does not answer: exit 1 with one line naming it (and, with
 * --json, `{"error": {"code": "service_unavailable", "message"}}` on stdout).
 */
export class ServiceUnreachableError extends DomainError<'service_unavailable'> {
  static override readonly titles = { service_unavailable: 'A service the command needs does not answer' };

  constructor(message: string) {
    super('service_unavailable', message, 503);
  }
}

/** `host:port` of a service URL, never its credentials or database. */
export function serviceAddress(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || defaultPort}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Why a connection attempt failed, in a few words. */
export function connectFailureReason(err: unknown, timeoutMs: number): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
      return `no answer within ${timeoutMs / 1000} s`;
    case 'ECONNRESET':
      return 'connection reset';
  }
  if (/timeout/i.test(message)) return `no answer within ${timeoutMs / 1000} s`;
  if (/^Connection terminated/.test(message)) return 'connection closed before the server answered';
  return message;
}

/**
 * Opens one PostgreSQL session and closes it, within `timeoutMs`. A database that does not
 * exist yet counts as reachable when the entry point will create it (`DATABASE_CREATE`).
 * Returns nothing when the server answers, throws ServiceUnreachableError otherwise.
 */
export async function checkPostgres(url: string, timeoutMs: number, opts: { databaseMayBeMissing: boolean }): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    if (opts.databaseMayBeMissing && (err as { code?: string }).code === '3D000') return;
    const address = serviceAddress(url, 5432);
    const sqlState = (err as { code?: string }).code ?? '';
    // The server answered but refused the session (authentication, too many clients...).
    const verb = /^[0-9][0-9A-Z]{4}$/.test(sqlState) ? 'cannot connect to' : 'cannot reach';
    throw new ServiceUnreachableError(`${verb} PostgreSQL at ${address} (${connectFailureReason(err, timeoutMs)})`);
  }
  await client.end().catch(() => undefined);
}
