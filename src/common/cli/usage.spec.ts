import { ListMigrationsCommand } from '../../rpps/identifier-migrations.command';
import { commandHelpText, commandsOf, invocation } from './usage';

const commands = [{ name: 'tokens:list' }, { name: 'rpps:import', arguments: '<file...>' }];

describe('CLI invocation (read before anything connects)', () => {
  it('finds the command, whatever the place of --json', () => {
    expect(invocation(['tokens:list', '--json'], commands)).toEqual({ kind: 'run', command: 'tokens:list' });
    expect(invocation(['--json', 'tokens:list'], commands)).toEqual({ kind: 'run', command: 'tokens:list' });
  });

  it('tells no command, an unknown one and the general help apart', () => {
    expect(invocation([], commands)).toEqual({ kind: 'missing' });
    expect(invocation(['--json'], commands)).toEqual({ kind: 'missing' });
    expect(invocation(['tokens:lst'], commands)).toEqual({ kind: 'unknown', command: 'tokens:lst' });
    expect(invocation(['--verbose'], commands)).toEqual({ kind: 'unknown', command: '--verbose' });
    for (const h of ['--help', '-h', 'help']) expect(invocation([h], commands)).toEqual({ kind: 'help' });
    expect(invocation(['rpps:import', '--help'], commands)).toEqual({ kind: 'command-help', command: 'rpps:import' });
    expect(invocation(['rpps:import', 'x.txt', '-h', '--json'], commands)).toEqual({ kind: 'command-help', command: 'rpps:import' });
  });
});

describe('CLI help read from the decorators', () => {
  it("lists a command's arguments and options without building the application", () => {
    const [c] = commandsOf([ListMigrationsCommand]);
    expect(c.name).toBe('rpps:migrations');
    expect(c.flags.map((f) => f.flags)).toEqual(['--status <status>', '--page <n>', '--page-size <n>', '--json']);
    const help = commandHelpText('cps', c);
    expect(help).toMatch(/^Usage: cps rpps:migrations \[options\]/);
    expect(help).toContain('--status <status>');
  });
});
