import { Command, CommandRunner, Option } from 'nest-commander';
import { EXIT_RUN_FAILED, printFailure, printResult } from '../cli/cli-output';
import { AuditService } from './audit.service';

@Command({ name: 'audit:verify', description: 'Recompute the audit trail hash chain and name the first entry that does not hold' })
export class AuditVerifyCommand extends CommandRunner {
  constructor(private readonly audit: AuditService) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.audit.verify();
      printResult(json, r, () =>
        r.ok ? `audit trail intact: ${r.entries} entries` : `audit trail BROKEN at entry ${r.firstBadEntry} (${r.entries} entries)`,
      );
      if (!r.ok) process.exitCode = EXIT_RUN_FAILED;
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
