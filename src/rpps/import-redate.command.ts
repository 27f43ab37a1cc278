import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { ImportRedateService } from './import-redate.service';

@Command({
  name: 'rpps:import:redate',
  arguments: '<importId>',
  description: "Correct the date of the latest import (a wrong --as-of): the registry's content is unchanged; audited",
})
export class RedateImportCommand extends CommandRunner {
  constructor(private readonly redates: ImportRedateService) {
    super();
  }

  async run([importId]: string[], flags: { asOf?: string; reason?: string; stampWasWrong?: boolean; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.redates.redate(importId, flags.asOf, flags.reason, hostActor(), { stampWasWrong: flags.stampWasWrong });
      printResult(
        json,
        r,
        () =>
          `import ${r.importId} (${r.status}): dated ${r.to} instead of ${r.from}` +
          (r.stampWasWrong ? ` (the stamp in its file name, ${r.fileStamp}, was wrong)` : ''),
      );
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--as-of <date>', description: 'the right date of the extract, YYYY-MM-DD, not after today' })
  parseAsOf(v: string): string {
    return v;
  }

  @Option({ flags: '--reason <text>', description: 'why the date was wrong (audited)' })
  parseReason(v: string): string {
    return v;
  }

  @Option({
    flags: '--stamp-was-wrong',
    description: "the agency's stamp in the extract's file name was wrong: allows a date that contradicts it (audited)",
  })
  parseStampWasWrong(): boolean {
    return true;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
