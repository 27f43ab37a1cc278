import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../cli/cli-output';
import { CommonError } from '../errors/domain-error';
import { ROLES } from './roles';
import { TokensService } from './tokens.service';

@Command({ name: 'tokens:create', description: `Create an API bearer token (shown once; roles: ${ROLES.join(', ')})` })
export class TokensCreateCommand extends CommandRunner {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  async run(_args: string[], flags: { role?: string; name?: string; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      if (!flags.role) throw new CommonError('validation_failed', `--role is required (one of ${ROLES.join(', ')})`);
      if (!flags.name) throw new CommonError('validation_failed', '--name is required (who or what uses the token)');
      const { token } = await this.tokens.create(flags.role, flags.name, 'cli');
      printResult(json, { token }, () => `${token}\n(keep it now: only its hash is stored)`);
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--role <role>', description: ROLES.join(' | ') })
  parseRole(v: string): string {
    return v;
  }

  @Option({ flags: '--name <name>', description: 'who or what uses the token' })
  parseName(v: string): string {
    return v;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
