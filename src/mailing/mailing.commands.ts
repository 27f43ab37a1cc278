import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { progressView } from '../common/cli/progress';
import { LETTER_KINDS, LetterKind } from './mailing.entities';
import { MAX_DAYS_AHEAD, MailingBatchesService } from './mailing-batches.service';
import { MailingLettersService } from './mailing-letters.service';

@Command({
  name: 'mailing:batch',
  description:
    'Make a batch of card letters (personalized cards not yet mailed) or of PIN letters (cards whose card letter is PIN_LETTER_DELAY_DAYS old): one PDF and its manifest in DATA_DIR/mailing',
})
export class MailingBatchCommand extends CommandRunner {
  constructor(
    private readonly batches: MailingBatchesService,
    private readonly letters: MailingLettersService,
  ) {
    super();
  }

  async run(_args: string[], flags: { kind?: string; asOf?: string; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    const view = progressView(json);
    try {
      // The PDFs of letters of the codes recorded printed that the API could not reach: this process owns the spool.
      const kindKnown = (LETTER_KINDS as readonly string[]).includes(flags.kind ?? '');
      const { removed } = kindKnown ? await this.letters.removePrintedPdfs(hostActor(), { spoolOwner: true }) : { removed: [] };
      const r = await this.batches.run({
        kind: (flags.kind ?? '') as LetterKind,
        asOf: flags.asOf,
        actor: hostActor(),
        onProgress: (done, total) => view.update('rendering letters', done, total),
      });
      view.stop();
      printResult(
        json,
        {
          batchId: r.batchId,
          kind: r.kind,
          letters: r.letters,
          path: r.path,
          number: r.number,
          asOf: r.asOf,
          held: r.held,
          pages: r.pages,
          manifestPath: r.manifestPath,
          resumed: r.resumed,
          pdfsRemoved: removed,
        },
        () =>
          (r.batchId
            ? `${r.kind} batch ${r.number} of ${r.asOf}${r.resumed ? ' (an interrupted batch, finished)' : ''}: ${r.letters} letters, ${r.pages} pages\n  PDF:      ${r.path}\n  manifest: ${r.manifestPath}`
            : `${r.kind}: no letter due on ${r.asOf}`) +
          (r.held ? `\n  ${r.held} letters held, each with its reason (an address that cannot be laid out, a card opposed)` : '') +
          (removed.length ? `\n  the PDFs of printed batches ${removed.join(', ')} (letters of the codes) deleted from the spool` : ''),
      );
    } catch (e) {
      view.stop();
      printFailure(json, e);
    }
  }

  @Option({ flags: '--kind <kind>', description: 'card-letter or pin-letter', required: true })
  parseKind(v: string): string {
    return v;
  }

  @Option({
    flags: '--as-of <date>',
    description: `the batch's day, YYYY-MM-DD, from today to ${MAX_DAYS_AHEAD} days ahead (default: today, Paris time); PIN letters go for cards whose card letter's batch is PIN_LETTER_DELAY_DAYS before it`,
  })
  parseAsOf(v: string): string {
    return v;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}

@Command({
  name: 'mailing:codes-sweep',
  description:
    'Destroy the codes past their reprint window (CODES_REPRINT_WINDOW_DAYS after their first letter printed), or whose order was cancelled or rejected, or whose card is opposed; close the reprint requests that waited for them (the worker does it daily at CODES_SWEEP_CRON)',
})
export class MailingCodesSweepCommand extends CommandRunner {
  constructor(private readonly batches: MailingBatchesService) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.batches.runCodesSweep({ actor: hostActor() });
      printResult(
        json,
        r,
        () =>
          `codes destroyed: ${r.pastWindow} past their reprint window, ${r.ended} no longer needed (order cancelled or rejected, card opposed)` +
          `\nreprint requests closed: ${r.requestsClosed}`,
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
