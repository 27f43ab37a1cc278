import type { Type } from '@nestjs/common';
import { Command } from 'commander';
import type { CommandMetadata, OptionMetadata } from 'nest-commander';

/** Where nest-commander's @Command() and @Option() keep their metadata (nest-commander/src/constants.ts). */
const COMMAND_META = 'CommandBuilder:Command:Meta';
const OPTION_META = 'CommandBuilder:Option:Meta';

/** A command as its decorators declare it: name, arguments, description, options. */
export interface CliCommand extends CommandMetadata {
  flags: Array<Pick<OptionMetadata, 'flags' | 'description'>>;
}

/** The declarations of each @Command() class, read without instantiating anything. */
export function commandsOf(classes: ReadonlyArray<Type<unknown>>): CliCommand[] {
  return classes.map((c) => {
    const meta = Reflect.getMetadata(COMMAND_META, c) as CommandMetadata | undefined;
    if (!meta) throw new Error(`${c.name} has no @Command()`);
    const flags: CliCommand['flags'] = [];
    const seen = new Set<string>();
    for (let proto = c.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        const fn = Object.getOwnPropertyDescriptor(proto, key)?.value;
        const option = typeof fn === 'function' ? (Reflect.getMetadata(OPTION_META, fn) as OptionMetadata | undefined) : undefined;
        if (option && !seen.has(key)) flags.push({ flags: option.flags, description: option.description });
        seen.add(key);
      }
    }
    return { ...meta, flags };
  });
}

/** The list of commands, as commander prints it, without starting the application. */
export function usageText(program: string, commands: ReadonlyArray<CliCommand>): string {
  const root = new Command(program).usage('<command> [options]  (every command accepts --json and --help)').addHelpCommand(false);
  for (const c of commands) root.command(c.arguments ? `${c.name} ${c.arguments}` : c.name).description(c.description ?? '');
  return root.helpInformation();
}

/** One command's help (arguments and options), as commander prints it. */
export function commandHelpText(program: string, c: CliCommand): string {
  const sub = new Command(program).command(c.arguments ? `${c.name} ${c.arguments}` : c.name).description(c.description ?? '');
  for (const f of c.flags) sub.option(f.flags, f.description ?? '');
  return sub.helpInformation();
}

export type Invocation =
  | { kind: 'run'; command: string }
  | { kind: 'command-help'; command: string }
  | { kind: 'help' }
  | { kind: 'missing' }
  | { kind: 'unknown'; command: string };

const HELP = new Set(['--help', '-h']);

/**
 * What the arguments ask for, before anything connects: a known command (run it, or show
 * its help), the general help (`--help`, `-h`, `help`), no command at all, or an unknown one.
 */
export function invocation(args: ReadonlyArray<string>, commands: ReadonlyArray<CommandMetadata>): Invocation {
  const first = args.find((a) => a !== '--json');
  if (first === undefined) return { kind: 'missing' };
  if (HELP.has(first) || first === 'help') return { kind: 'help' };
  const command = commands.find((c) => c.name === first || c.aliases?.includes(first));
  if (!command) return { kind: 'unknown', command: first };
  return args.some((a) => HELP.has(a)) ? { kind: 'command-help', command: command.name } : { kind: 'run', command: command.name };
}
