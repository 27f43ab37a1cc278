import pino from 'pino';
import { pinoOptions } from './logging';

/**
 * A process (the API, the worker) that cannot start, or meets an error nothing caught, says
 * why in one JSON log line on stderr, as every other line it writes (redacted the same way),
 * then exits with `code`.
 */
export function exitOnFatal(role: 'api' | 'worker', what: string, err: unknown, code = 1): never {
  // The options of every other line (redaction, fields); no configuration read: it may be what failed,
  // and a fatal line is written whatever LOG_LEVEL says.
  const log = pino(pinoOptions({ LOG_LEVEL: 'info' }), pino.destination({ fd: 2, sync: true })).child({ role });
  const message = err instanceof Error ? err.message : String(err);
  log.fatal({ err }, `${role}: ${what}: ${message}`);
  process.exit(code);
}

/** Errors nothing caught end the process as Node would (exit 1), but said in a JSON line. */
export function exitOnUncaught(role: 'api' | 'worker'): void {
  process.on('uncaughtException', (err) => exitOnFatal(role, 'uncaught error', err));
  process.on('unhandledRejection', (err) => exitOnFatal(role, 'unhandled rejection', err));
}
