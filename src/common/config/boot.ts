import { AppConfig, ConfigError, loadConfig } from './config';

/** Validates the configuration before anything starts; a bad variable stops the process with its name. */
export function bootConfig(entry: string): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${entry}: cannot start.\n${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}
