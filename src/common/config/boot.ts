import { writeCliError } from '../cli/cli-output';
import { AppConfig, ConfigError, loadConfig } from './config';

/**
 * Validates the configuration before anything starts; a bad variable stops the process with
 * its name (exit 2). `json`: the CLI's --json, which also gets the failure as one JSON object
 * on stdout (`{"error": {"code": "invalid_configuration", "message"}}`).
 */
export function bootConfig(entry: string, opts: { json?: boolean } = {}): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      writeCliError(!!opts.json, 'invalid_configuration', `${entry} cannot start. ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}
