import { Command, CommandRunner, Option } from 'nest-commander';
import { EXIT_RUN_FAILED, printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { progressView } from '../common/cli/progress';
import { ImportResult, RppsImportService } from './rpps-import.service';
import { RppsImportQueueService } from './rpps-import-queue.service';

interface ImportFlags {
  asOf?: string;
  confirmMassChange?: boolean;
  correspondence?: string;
  json?: boolean;
  enqueue?: boolean;
}

@Command({
  name: 'rpps:import',
  arguments: '<file...>',
  description: 'Import a PS_LibreAcces_Personne_activite extract (.txt or .zip; with its SavoirFaire file for the 56-column layout)',
})
export class RppsImportCommand extends CommandRunner {
  constructor(
    private readonly imports: RppsImportService,
    private readonly queue: RppsImportQueueService,
  ) {
    super();
  }

  async run(files: string[], flags: ImportFlags): Promise<void> {
    const json = !!flags.json;
    if (flags.enqueue) {
      try {
        const r = await this.queue.enqueue({
          files,
          asOf: flags.asOf,
          confirmMassChange: flags.confirmMassChange,
          correspondence: flags.correspondence,
          actor: hostActor(),
          source: 'host',
        });
        printResult(json, r, () => `queued as job ${r.jobRunId}; follow it with GET /api/v1/jobs/${r.jobRunId}`);
      } catch (e) {
        printFailure(json, e);
      }
      return;
    }
    const view = progressView(json);
    try {
      const r = await this.imports.run({
        files,
        asOf: flags.asOf,
        confirmMassChange: !!flags.confirmMassChange,
        correspondence: flags.correspondence,
        actor: hostActor(),
        onProgress: (p) => view.update(p.phase, p.done, p.total, `${p.rowsRead.toLocaleString('en')} lines, ${p.rowsRejected} rejected`),
      });
      view.stop();
      printResult(json, r, () => humanSummary(r));
      if (r.status === 'held') process.exitCode = EXIT_RUN_FAILED;
    } catch (e) {
      view.stop();
      printFailure(json, e);
    }
  }

  @Option({ flags: '--as-of <date>', description: 'date of the extract, YYYY-MM-DD (default: from the file name)' })
  parseAsOf(v: string): string {
    return v;
  }

  @Option({
    flags: '--confirm-mass-change',
    description: 'apply even if it ceases more than the allowed share (audited as confirmed at the host, by this account)',
  })
  parseConfirm(): boolean {
    return true;
  }

  @Option({ flags: '--correspondence <file>', description: 'ADELI → RPPS correspondence file (adeli;rpps lines)' })
  parseCorrespondence(v: string): string {
    return v;
  }

  @Option({ flags: '--enqueue', description: 'run the import as a queue job on a worker instead of here' })
  parseEnqueue(): boolean {
    return true;
  }

  @Option({ flags: '--json', description: 'print one JSON object on stdout' })
  parseJson(): boolean {
    return true;
  }
}

export function humanSummary(r: ImportResult): string {
  const lines = [
    `import ${r.importId}: ${r.status.toUpperCase()} (${r.layout}, as of ${r.asOf}, ${r.seconds} s)`,
    `  lines read ${r.rowsRead}, accepted ${r.rowsAccepted}, rejected ${r.rowsRejected}`,
    `  professionals ${r.professionals.before} -> ${r.professionals.after}`,
  ];
  const ev = Object.entries(r.events).filter(([, n]) => n > 0);
  lines.push(`  events: ${ev.length ? ev.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}`);
  if (r.migrationCandidates) lines.push(`  ADELI -> RPPS migration candidates for an operator: ${r.migrationCandidates}`);
  if (r.heldReason) lines.push(`  HELD: ${r.heldReason}`);
  for (const x of r.rejects.slice(0, 20)) lines.push(`  reject ${x.file ?? ''} line ${x.line}: ${x.reason}`);
  if (r.rowsRejected > 20) lines.push(`  ... ${r.rowsRejected - 20} more rejects (see rpps_reject / --json)`);
  return lines.join('\n');
}
