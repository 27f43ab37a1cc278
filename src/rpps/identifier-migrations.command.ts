import { Command, CommandRunner, Option } from 'nest-commander';
import type { ZodType } from 'zod';
import { printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { CommonError } from '../common/errors/domain-error';
import { paging } from '../common/http/validation';
import { IdentifierMigrationsService, MIGRATION_STATUS_FILTERS, MigrationStatusFilter } from './identifier-migrations.service';

/** A paging option checked as the same query parameter of the API is. */
function pagingOption(flag: string, schema: ZodType<number | undefined, string | undefined>, v: string | undefined): number | undefined {
  const r = schema.safeParse(v);
  if (!r.success) throw new CommonError('validation_failed', `${flag} "${v}": ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data;
}

@Command({ name: 'rpps:migrations', description: 'List ADELI → RPPS identifier migrations (default: those pending a decision)' })
export class ListMigrationsCommand extends CommandRunner {
  constructor(private readonly migrations: IdentifierMigrationsService) {
    super();
  }

  async run(_args: string[], flags: { status?: string; page?: string; pageSize?: string; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const status = (flags.status ?? 'pending') as MigrationStatusFilter;
      if (!MIGRATION_STATUS_FILTERS.includes(status)) {
        throw new CommonError('validation_failed', `--status "${status}": expected one of ${MIGRATION_STATUS_FILTERS.join(', ')}`);
      }
      const page = pagingOption('--page', paging.page, flags.page);
      const pageSize = pagingOption('--page-size', paging.pageSize, flags.pageSize);
      const listed = await this.migrations.list({ status, page, pageSize });
      const items = listed.items;
      printResult(json, listed, () =>
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

  @Option({ flags: '--page <n>', description: 'which page, from 1 (default 1)' })
  parsePage(v: string): string {
    return v;
  }

  @Option({ flags: '--page-size <n>', description: 'migrations per page, 1 to 200 (default 50)' })
  parsePageSize(v: string): string {
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
