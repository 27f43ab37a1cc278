import { writeCliError } from '../cli/cli-output';
import { AppConfig, ConfigError, loadConfig } from './config';

/**
 * Validates the configuration before anything starts; a bad variable stops the process with
 * its name (exit 2). `json`: the CLI's --json, which also gets the failure as one JSON object
 * on stdout (`{"error": {"code": "invalid_configuration", "message"}}`). `logJson`: a service
 * (the API, the worker), whose every line is JSON: the failure is one JSON log line on stderr.
 */
export function bootConfig(entry: string, opts: { json?: boolean; logJson?: boolean } = {}): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      if (opts.logJson) process.stderr.write(configFailureLine(entry, `${entry} cannot start. ${e.message}`, e.problems));
      else writeCliError(!!opts.json, 'invalid_configuration', `${entry} cannot start. ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

/** The JSON line of a configuration that does not validate (pino's fields; written before any logger is loaded). */
export function configFailureLine(role: string, message: string, problems: readonly string[]): string {
  return `${JSON.stringify({
    level: 'fatal',
    time: new Date().toISOString(),
    pid: process.pid,
    service: 'cps-backoffice',
    role,
    code: 'invalid_configuration',
    problems,
    msg: message,
  })}\n`;
}
