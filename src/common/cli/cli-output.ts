import { ConfigError } from '../config/config';
import { DomainError } from '../errors/domain-error';

/** Exit codes of every CLI command (contract.md), besides 0 for success. */
export const EXIT_RUN_FAILED = 1;
export const EXIT_UNUSABLE_INPUT = 2;

const UNUSABLE_CODES = new Set(['unusable_input', 'validation_failed']);

export function exitCodeFor(err: unknown): number {
  if (err instanceof ConfigError) return EXIT_UNUSABLE_INPUT;
  if (err instanceof DomainError && UNUSABLE_CODES.has(err.code)) return EXIT_UNUSABLE_INPUT;
  return EXIT_RUN_FAILED;
}

export function errorCode(err: unknown): string {
  if (err instanceof DomainError) return err.code;
  if (err instanceof ConfigError) return 'invalid_configuration';
  return 'internal_error';
}

/** Prints a command's result: one JSON object on stdout with --json, else readable lines. */
export function printResult(json: boolean, result: unknown, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** Prints a failure (JSON on stdout with --json, the message on stderr always) and sets the exit code. */
export function printFailure(json: boolean, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const code = exitCodeFor(err);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: errorCode(err), message } })}\n`);
  process.stderr.write(`error: ${message}\n`);
  if (code === EXIT_RUN_FAILED && !(err instanceof DomainError) && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.exitCode = code;
}
