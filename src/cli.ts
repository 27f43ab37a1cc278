#!/usr/bin/env node
import 'reflect-metadata';
import { bootConfig } from './common/config/boot';

/** Longest wait for PostgreSQL before a command gives up (the connect timeout if shorter). */
const PREFLIGHT_TIMEOUT_MS = 2000;

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const cfg = bootConfig('cli', { json });
  const { printFailure, writeCliError, EXIT_UNUSABLE_INPUT } = await import('./common/cli/cli-output');
  const { CLI_COMMANDS, CliModule, MIGRATION_COMMANDS } = await import('./root.modules');
  const { commandHelpText, commandsOf, invocation, usageText } = await import('./common/cli/usage');

  // No command, an unknown one, or help: answered before connecting to anything.
  const commands = commandsOf(CLI_COMMANDS);
  const asked = invocation(process.argv.slice(2), commands);
  if (asked.kind === 'command-help') {
    process.stdout.write(commandHelpText('cps', commands.find((c) => c.name === asked.command)!));
    process.exit(0);
  }
  if (asked.kind !== 'run') {
    const help = usageText('cps', commands);
    if (asked.kind === 'help') {
      process.stdout.write(help);
      process.exit(0);
    }
    // `usage`: no command, or an unknown one (an unknown option before any command is a bad argument).
    if (asked.kind === 'missing') writeCliError(json, 'usage', 'no command given', `\n${help}`);
    else if (asked.command.startsWith('-')) writeCliError(json, 'validation_failed', `unknown option '${asked.command}'`, `\n${help}`);
    else writeCliError(json, 'usage', `unknown command '${asked.command}'`, `\n${help}`);
    process.exit(EXIT_UNUSABLE_INPUT);
  }

  // Every command needs PostgreSQL (migrations first): one line naming it when it does not answer.
  const { checkPostgres } = await import('./common/cli/preflight');
  try {
    await checkPostgres(cfg.DATABASE_URL, Math.min(cfg.DATABASE_CONNECT_TIMEOUT_MS, PREFLIGHT_TIMEOUT_MS), {
      databaseMayBeMissing: cfg.DATABASE_CREATE,
    });
  } catch (err) {
    printFailure(json, err);
    process.exit(process.exitCode ?? 1);
  }

  const { CommandFactory } = await import('nest-commander');
  const { StderrLogger } = await import('./common/logging/stderr-logger');
  // Argument errors of a command (a missing argument, an unknown option...) are written by the
  // one CLI error writer, as `validation_failed` (an unknown command: `usage`), and exit 2 as
  // the contract says (commander would print its own line and exit 1).
  const { Command } = await import('commander');
  type Commander = { _exit(exitCode: number, code: string, message: string): never };
  const proto = Command.prototype as unknown as { error(this: Commander, message: string, opts?: { code?: string }): never };
  proto.error = function (this: Commander, message: string, opts?: { code?: string }) {
    const code = opts?.code ?? 'commander.error';
    writeCliError(json, code === 'commander.unknownCommand' ? 'usage' : 'validation_failed', message.replace(/^error: /, ''));
    return this._exit(EXIT_UNUSABLE_INPUT, code, message);
  };
  try {
    // migrations:* apply, revert or list the migrations themselves; every other command applies them first (or, with MIGRATIONS_RUN=false, refuses while some are pending).
    await CommandFactory.run(CliModule.forRoot(cfg, { migrationsAtStart: !MIGRATION_COMMANDS.includes(asked.command) }), {
      // A failure while starting (PostgreSQL gone after the check above) is thrown to the catch
      // below, which prints it once, instead of Nest logging it and exiting.
      abortOnError: false,
      logger: new StderrLogger(cfg, undefined, new Set(['ExceptionHandler'])),
      errorHandler: (err: Error & { code?: string; exitCode?: number }) => {
        // commander: unknown command/option, missing argument, --help
        if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') {
          process.exit(0);
        }
        process.exit(EXIT_UNUSABLE_INPUT);
      },
      serviceErrorHandler: (err: Error) => {
        printFailure(json, err);
      },
    });
  } catch (err) {
    printFailure(json, err);
  }
  process.exit(process.exitCode ?? 0);
}

main().catch((err) => {
  process.stderr.write(`cli: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
