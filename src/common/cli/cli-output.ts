import { ConfigError } from '../config/config';
import { DomainError } from '../errors/domain-error';

/** Exit codes of every CLI command (contract.md), besides 0 for success. */
export const EXIT_RUN_FAILED = 1;
export const EXIT_UNUSABLE_INPUT = 2;

/** Codes of input that cannot be used as given (exit 2): bad arguments, and a users:* command naming the wrong account. */
const UNUSABLE_CODES = new Set(['unusable_input', 'validation_failed', 'user_exists', 'user_not_found', 'user_disabled']);

export function exitCodeFor(err: unknown): number {
  if (err instanceof ConfigError) return EXIT_UNUSABLE_INPUT;
  if (err instanceof DomainError && UNUSABLE_CODES.has(err.code)) return EXIT_UNUSABLE_INPUT;
  return EXIT_RUN_FAILED;
}

export function errorCode(err: unknown): string {
  if (err instanceof DomainError) return err.code;
  if (err instanceof ConfigError) return 'invalid_configuration';
  if (isConnectionLoss(err)) return 'service_unavailable';
  return 'internal_error';
}

const CONNECTION_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * A connection to PostgreSQL or Redis lost or refused (a restart, an outage) rather than a
 * defect: a socket error, a PostgreSQL connection exception (SQLSTATE class 08) or shutdown
 * (57P01-57P03), or pg's "Connection terminated".
 */
export function isConnectionLoss(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERRNOS.has(code) || /^(08...|57P0[123])$/.test(code))) return true;
  return /^Connection terminated|^connect ECONNREFUSED|^write EPIPE/.test(err.message);
}

/** The message printed for a failure: a lost connection says so, and what to do (no CLI command uses Redis). */
export function failureMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!isConnectionLoss(err)) return message;
  return (
    `a connection to PostgreSQL (DATABASE_URL) was lost or refused (${message}); ` +
    'the interrupted transaction was not committed: run the command again once the service answers'
  );
}

/** Prints a command's result: one JSON object on stdout with --json, else readable lines. */
export function printResult(json: boolean, result: unknown, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/**
 * The one writer of a CLI failure: with --json, `{"error": {"code", "message"}}` on stdout (the
 * one JSON object of the run); always `error: <message>` on stderr, followed by `after` (the
 * list of commands of a usage error). Codes: `usage` (no command, or an unknown one),
 * `validation_failed` (bad arguments or options), `invalid_configuration`, a domain error's own.
 */
export function writeCliError(json: boolean, code: string, message: string, after = ''): void {
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  process.stderr.write(`error: ${message}\n${after}`);
}

/** Prints a failure (JSON on stdout with --json, the message on stderr always) and sets the exit code. */
export function printFailure(json: boolean, err: unknown): void {
  const message = failureMessage(err);
  const code = exitCodeFor(err);
  writeCliError(json, errorCode(err), message);
  // A defect gets its stack; a lost connection is said in one line.
  if (code === EXIT_RUN_FAILED && !(err instanceof DomainError) && !isConnectionLoss(err) && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.exitCode = code;
}
