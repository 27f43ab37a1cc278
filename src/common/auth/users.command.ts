import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../cli/cli-output';
import { hostActor } from '../cli/host-actor';
import { CommonError } from '../errors/domain-error';
import { CONSOLE_ROLES } from './console-account.entity';
import { ConsoleAccountsService, IssuedLink } from './console-accounts.service';

const at = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');

function linkText(r: IssuedLink): string {
  return (
    `${r.setPasswordUrl}\n(send this link to ${r.principal} only: it sets the password once, until ${r.linkExpiresAt.toISOString()}; ` +
    'only its hash is stored)'
  );
}

@Command({
  name: 'users:create',
  description: `Create a person's console account and print its one-time set-password link (roles: ${CONSOLE_ROLES.join(', ')})`,
})
export class UsersCreateCommand extends CommandRunner {
  constructor(private readonly accounts: ConsoleAccountsService) {
    super();
  }

  async run(_args: string[], flags: { role?: string[]; name?: string; email?: string; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      if (!flags.role?.length)
        throw new CommonError('validation_failed', `--role is required (${CONSOLE_ROLES.join(', ')}; repeated or comma-separated)`);
      if (!flags.name)
        throw new CommonError('validation_failed', '--name is required (the person: a name seen before is the same principal)');
      const r = await this.accounts.create({ roles: flags.role, name: flags.name, email: flags.email }, hostActor());
      printResult(json, { principal: r.principal, setPasswordUrl: r.setPasswordUrl, linkExpiresAt: r.linkExpiresAt }, () => linkText(r));
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--role <role>', description: `${CONSOLE_ROLES.join(' | ')}; repeat it or separate roles with commas` })
  parseRole(v: string, previous: string[] = []): string[] {
    return [...previous, ...v.split(',')];
  }

  @Option({ flags: '--name <name>', description: 'the person (a principal); a name seen before, whatever its case, is the same principal' })
  parseName(v: string): string {
    return v;
  }

  @Option({ flags: '--email <email>', description: "the person's email: a second login besides the name" })
  parseEmail(v: string): string {
    return v;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}

@Command({
  name: 'users:reset-password',
  arguments: '<name>',
  description: 'Issue a new set-password link for a console account: the old link, the password and its sessions stop working',
})
export class UsersResetPasswordCommand extends CommandRunner {
  constructor(private readonly accounts: ConsoleAccountsService) {
    super();
  }

  async run([name]: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.accounts.resetPassword(name ?? '', hostActor());
      printResult(json, { principal: r.principal, setPasswordUrl: r.setPasswordUrl, linkExpiresAt: r.linkExpiresAt }, () => linkText(r));
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
  name: 'users:list',
  description: 'List the console accounts: principal, email, roles, created, last sign-in, locked, disabled (never a password)',
})
export class UsersListCommand extends CommandRunner {
  constructor(private readonly accounts: ConsoleAccountsService) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const users = await this.accounts.list();
      printResult(json, { users }, () =>
        users.length
          ? users
              .map(
                (u) =>
                  `${u.principal}${u.email ? ` <${u.email}>` : ''}  ${u.roles.join(',')}  created ${at(u.createdAt)}  last sign-in ${at(u.lastLoginAt)}` +
                  `${u.lockedUntil ? `  LOCKED until ${at(u.lockedUntil)}` : ''}${u.disabledAt ? `  DISABLED ${at(u.disabledAt)}` : ''}`,
              )
              .join('\n')
          : 'no console accounts',
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
  name: 'users:disable',
  arguments: '<name>',
  description:
    "Disable a console account: it signs in no more, its sessions end and its person's tokens (all but batch) are revoked at once",
})
export class UsersDisableCommand extends CommandRunner {
  constructor(private readonly accounts: ConsoleAccountsService) {
    super();
  }

  async run([name]: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.accounts.disable(name ?? '', hostActor());
      printResult(
        json,
        r,
        () =>
          `console account of ${r.disabled} disabled at ${r.disabledAt.toISOString()}; ` +
          `${r.tokensRevoked} token${r.tokensRevoked === 1 ? '' : 's'} revoked`,
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
