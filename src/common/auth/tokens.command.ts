import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../cli/cli-output';
import { hostActor } from '../cli/host-actor';
import { CommonError } from '../errors/domain-error';
import { PRINCIPAL_KINDS } from './principal.entity';
import { ROLES } from './roles';
import { TokensService } from './tokens.service';

function wholeDays(v: string): number {
  if (!/^\d{1,5}$/.test(v)) throw new CommonError('validation_failed', `--expires-in: expected a whole number of days, not "${v}"`);
  return Number(v);
}

@Command({
  name: 'tokens:create',
  description: `Create an API bearer token for a principal (shown once; roles: ${ROLES.join(', ')})`,
})
export class TokensCreateCommand extends CommandRunner {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  async run(_args: string[], flags: { role?: string; name?: string; kind?: string; expiresIn?: string; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      if (!flags.role) throw new CommonError('validation_failed', `--role is required (one of ${ROLES.join(', ')})`);
      if (!flags.name) throw new CommonError('validation_failed', '--name is required (the person or system account that uses the token)');
      const expiresInDays = flags.expiresIn === undefined ? undefined : wholeDays(flags.expiresIn);
      const r = await this.tokens.create({ role: flags.role, principal: flags.name, kind: flags.kind, expiresInDays }, hostActor());
      printResult(
        json,
        { token: r.token, id: r.id, principal: r.principal, expiresAt: r.expiresAt },
        () =>
          `${r.token}\n(keep it now: only its hash is stored; token ${r.id} of ${r.principal}` +
          `${r.expiresAt ? `, expires ${r.expiresAt.toISOString()}` : ', no expiry'})`,
      );
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--role <role>', description: ROLES.join(' | ') })
  parseRole(v: string): string {
    return v;
  }

  @Option({
    flags: '--name <name>',
    description: 'the principal (person or system account) the token belongs to; a name seen before is the same principal',
  })
  parseName(v: string): string {
    return v;
  }

  @Option({
    flags: '--kind <kind>',
    description: `${PRINCIPAL_KINDS.join(' | ')}, for a new principal (default: system for batch, else person)`,
  })
  parseKind(v: string): string {
    return v;
  }

  @Option({ flags: '--expires-in <days>', description: 'the token is refused after this many days (default: no expiry)' })
  parseExpiresIn(v: string): string {
    return v;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}

@Command({
  name: 'tokens:list',
  description: 'List the API tokens: principal, role, created, expires, last used, revoked (never the token)',
})
export class TokensListCommand extends CommandRunner {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const tokens = await this.tokens.list();
      const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');
      printResult(json, { tokens }, () =>
        tokens.length
          ? tokens
              .map(
                (t) =>
                  `${t.id}  ${t.principal} (${t.principalKind})  ${t.role}  created ${day(t.createdAt)}  expires ${day(t.expiresAt)}` +
                  `  last used ${day(t.lastUsedAt)}${t.revokedAt ? `  REVOKED ${day(t.revokedAt)}` : ''}`,
              )
              .join('\n')
          : 'no tokens',
      );
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}

@Command({
  name: 'tokens:revoke',
  arguments: '<id>',
  description: 'Revoke an API token (its id from tokens:list); refused everywhere within seconds',
})
export class TokensRevokeCommand extends CommandRunner {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  async run([id]: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.tokens.revoke(id ?? '', hostActor());
      printResult(json, r, () => `token ${r.revoked} revoked at ${r.revokedAt.toISOString()}`);
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
