import { Inject } from '@nestjs/common';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { printFailure, printResult } from '../cli/cli-output';
import { hostActor } from '../cli/host-actor';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { createLogger } from '../logging/logging';
import { migrationStatus, revertLastMigration, runPendingMigrations, withMigrator } from './migrations';

/*
 * The CLI starts these three without applying or checking migrations first (cli.ts): they are
 * how the database owner applies them when the processes run with MIGRATIONS_RUN=false.
 */

@Command({
  name: 'migrations:run',
  description: 'Apply the pending database migrations (each logged with its time); the processes then start',
})
export class MigrationsRunCommand extends CommandRunner {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const log = createLogger(this.cfg, 'stderr').child({ component: 'migrations' });
      const applied = await withMigrator(this.ds.options, (m) =>
        runPendingMigrations(m, (r) => log.info({ migration: r.name, ms: r.ms }, `migration ${r.name} applied in ${r.ms} ms`)),
      );
      printResult(json, { applied }, () =>
        applied.length
          ? applied.map((r) => `applied ${r.name} in ${r.ms} ms`).join('\n')
          : 'no migration pending: the database is up to date',
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
  name: 'migrations:revert',
  description: 'Revert the last applied migration; refused (exit 1, nothing changed) when it would destroy data, unless --force-data-loss',
})
export class MigrationsRevertCommand extends CommandRunner {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean; forceDataLoss?: boolean }): Promise<void> {
    const json = !!flags.json;
    const forceDataLoss = !!flags.forceDataLoss;
    try {
      const log = createLogger(this.cfg, 'stderr').child({ component: 'migrations' });
      const reverted = await withMigrator(this.ds.options, (m) => revertLastMigration(m, { forceDataLoss }));
      if (reverted) {
        const fields = { migration: reverted.name, ms: reverted.ms, forceDataLoss, actor: hostActor() };
        if (forceDataLoss) log.warn(fields, `migration ${reverted.name} reverted in ${reverted.ms} ms, data loss forced`);
        else log.info(fields, `migration ${reverted.name} reverted in ${reverted.ms} ms`);
      }
      printResult(json, { reverted }, () =>
        reverted ? `reverted ${reverted.name} in ${reverted.ms} ms` : 'no migration applied: nothing to revert',
      );
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }

  @Option({
    flags: '--force-data-loss',
    description: 'revert even when the down step drops business data (the audit trail, oppositions, the CRL history...)',
  })
  parseForceDataLoss(): boolean {
    return true;
  }
}

@Command({ name: 'migrations:status', description: 'List the migrations applied to the database and those pending' })
export class MigrationsStatusCommand extends CommandRunner {
  constructor(private readonly ds: DataSource) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const s = await migrationStatus(this.ds);
      printResult(json, s, () =>
        [
          ...s.applied.map((n) => `[x] ${n}`),
          ...s.pending.map((n) => `[ ] ${n}  (pending)`),
          ...s.unknown.map((n) => `[?] ${n}  (applied, but not in this release)`),
          `${s.applied.length} applied, ${s.pending.length} pending${s.unknown.length ? `, ${s.unknown.length} unknown to this release` : ''}`,
        ].join('\n'),
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
