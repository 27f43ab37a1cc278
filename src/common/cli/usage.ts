import type { Type } from '@nestjs/common';
import { Command } from 'commander';
import type { CommandMetadata } from 'nest-commander';

/** Where nest-commander's @Command() keeps its options (nest-commander/src/constants.ts, CommandMeta). */
const COMMAND_META = 'CommandBuilder:Command:Meta';

/** The name, arguments and description of each @Command() class. */
export function commandsOf(classes: ReadonlyArray<Type<unknown>>): CommandMetadata[] {
  return classes.map((c) => {
    const meta = Reflect.getMetadata(COMMAND_META, c) as CommandMetadata | undefined;
    if (!meta) throw new Error(`${c.name} has no @Command()`);
    return meta;
  });
}

/** The list of commands, as commander prints it, without starting the application. */
export function usageText(program: string, commands: ReadonlyArray<CommandMetadata>): string {
  const root = new Command(program).usage('<command> [options]  (every command accepts --json and --help)').addHelpCommand(false);
  for (const c of commands) root.command(c.arguments ? `${c.name} ${c.arguments}` : c.name).description(c.description ?? '');
  return root.helpInformation();
}

export type Invocation = { kind: 'run'; command: string } | { kind: 'help' } | { kind: 'missing' } | { kind: 'unknown'; command: string };

/**
 * What the arguments ask for, before anything connects: a known command (run it), the
 * general help (`--help`, `-h`, `help`), no command at all, or an unknown one.
 */
export function invocation(args: ReadonlyArray<string>, commands: ReadonlyArray<CommandMetadata>): Invocation {
  const first = args.find((a) => a !== '--json');
  if (first === undefined) return { kind: 'missing' };
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help' };
  if (commands.some((c) => c.name === first || c.aliases?.includes(first))) return { kind: 'run', command: first };
  return { kind: 'unknown', command: first };
}
