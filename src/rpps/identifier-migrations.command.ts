import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { CommonError } from '../common/errors/domain-error';
import { IdentifierMigrationsService, MIGRATION_STATUS_FILTERS, MigrationStatusFilter } from './identifier-migrations.service';

@Command({ name: 'rpps:migrations', description: 'List ADELI → RPPS identifier migrations (default: those pending a decision)' })
export class ListMigrationsCommand extends CommandRunner {
  constructor(private readonly migrations: IdentifierMigrationsService) {
    super();
  }

  async run(_args: string[], flags: { status?: string; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const status = (flags.status ?? 'pending') as MigrationStatusFilter;
      if (!MIGRATION_STATUS_FILTERS.includes(status)) {
        throw new CommonError('validation_failed', `--status "${status}": expected one of ${MIGRATION_STATUS_FILTERS.join(', ')}`);
      }
      const items = await this.migrations.list(status);
      printResult(json, { migrations: items }, () =>
        items.length
          ? items
              .map(
                (m) =>
                  `#${m.id} ${m.status} ${m.adeliNationalId} -> ${m.rppsNationalId} ${m.lastName ?? ''} ${m.firstName ?? ''} (${m.source})`,
              )
              .join('\n')
          : `no ${status === 'all' ? '' : `${status} `}identifier migration`,
      );
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--status <status>', description: 'pending (default), confirmed, rejected, applied or all' })
  parseStatus(v: string): string {
    return v;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}

abstract class DecideMigrationCommand extends CommandRunner {
  protected abstract readonly decision: 'confirm' | 'reject';
  protected abstract readonly migrations: IdentifierMigrationsService;

  async run([id]: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const m = await this.migrations.decide(id, this.decision, hostActor());
      printResult(json, m, () => `#${m.id} ${m.adeliNationalId} -> ${m.rppsNationalId}: ${m.status}`);
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
  name: 'rpps:migration:confirm',
  arguments: '<id>',
  description: 'Confirm an ADELI → RPPS migration candidate (emits IDENTIFIER_MIGRATED)',
})
export class ConfirmMigrationCommand extends DecideMigrationCommand {
  protected readonly decision = 'confirm' as const;

  constructor(protected readonly migrations: IdentifierMigrationsService) {
    super();
  }
}

@Command({
  name: 'rpps:migration:reject',
  arguments: '<id>',
  description: 'Reject a candidate: the ADELI identifier ceases, the RPPS one is a newcomer',
})
export class RejectMigrationCommand extends DecideMigrationCommand {
  protected readonly decision = 'reject' as const;

  constructor(protected readonly migrations: IdentifierMigrationsService) {
    super();
  }
}
