import 'reflect-metadata';
import { bootConfig } from './common/config/boot';

async function main(): Promise<void> {
  const cfg = bootConfig('cli');
  const json = process.argv.includes('--json');
  const { CommandFactory } = await import('nest-commander');
  const { StderrLogger } = await import('./common/logging/stderr-logger');
  const { printFailure, EXIT_UNUSABLE_INPUT } = await import('./common/cli/cli-output');
  const { CliModule } = await import('./root.modules');
  // Usage errors of any (sub)command exit 2, as the contract says (commander would exit 1).
  const { Command } = await import('commander');
  const proto = Command.prototype as unknown as { _exit(exitCode: number, code: string, message: string): never };
  const exit = proto._exit;
  proto._exit = function (this: unknown, exitCode: number, code: string, message: string) {
    const usage = exitCode !== 0 && code.startsWith('commander.') && code !== 'commander.executeSubCommandAsync';
    if (usage && json) process.stdout.write(`${JSON.stringify({ error: { code: 'usage', message } })}\n`);
    return exit.call(this, usage ? EXIT_UNUSABLE_INPUT : exitCode, code, message);
  };
  try {
    await CommandFactory.run(CliModule.forRoot(cfg), {
      logger: new StderrLogger(cfg),
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
