import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { RETENTION_KINDS, RetentionService } from './retention.service';

@Command({
  name: 'retention:run',
  description:
    'Purge what is past its time (RETENTION_*_DAYS): outbox messages consumed, finished job runs, consumed-event marks, idempotency keys, registry rejects; never the audit trail (the worker does it daily at RETENTION_CRON)',
})
export class RetentionRunCommand extends CommandRunner {
  constructor(private readonly retention: RetentionService) {
    super();
  }

  async run(_args: string[], flags: { dryRun?: boolean; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.retention.run({ actor: hostActor(), dryRun: !!flags.dryRun });
      printResult(json, r, () =>
        [
          r.dryRun ? 'dry run of the retention purge: nothing deleted; would delete' : 'retention purge: deleted',
          ...RETENTION_KINDS.map((k) => `  ${k}: ${r.purged[k]} (kept ${r.days[k]} days: before ${r.before[k]})`),
        ].join('\n'),
      );
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--dry-run', description: 'count what would be deleted; delete nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
