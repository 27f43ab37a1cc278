import { invocation } from './usage';

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
  });
});
