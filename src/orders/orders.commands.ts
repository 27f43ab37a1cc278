import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { progressView } from '../common/cli/progress';
import { CardBaseImportService } from './card-base-import.service';
import { RenewalsService } from './renewals.service';

@Command({ name: 'cards:import', arguments: '<file>', description: 'Import the existing card base (Porteurs_CPS_CPF, .txt or .zip)' })
export class CardsImportCommand extends CommandRunner {
  constructor(private readonly cardBase: CardBaseImportService) {
    super();
  }

  async run([file]: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.cardBase.importHolders(file, hostActor());
      printResult(json, r, () =>
        [
          `cards: ${r.rowsRead} lines read, ${r.cardsCreated} created, ${r.cardsUpdated} updated, ${r.rowsRejected} rejected`,
          ...r.rejects.slice(0, 20).map((x) => `  reject line ${x.line}: ${x.reason}`),
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

@Command({ name: 'renewals:run', description: 'Order a renewal for every card due (the daily sweep, by hand)' })
export class RenewalsRunCommand extends CommandRunner {
  constructor(private readonly renewals: RenewalsService) {
    super();
  }

  async run(_args: string[], flags: { asOf?: string; dryRun?: boolean; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    const view = progressView(json);
    try {
      const r = await this.renewals.run({
        asOf: flags.asOf,
        dryRun: !!flags.dryRun,
        actor: hostActor(),
        onProgress: (d, t) => view.update('ordering', d, t),
      });
      view.stop();
      const day = `${r.asOf}${r.asOfGiven ? ` (given with --as-of${r.asOfAfterToday ? ', after today' : ''})` : ''}`;
      printResult(json, r, () =>
        r.dryRun
          ? `dry run of the renewals as of ${day} (window ${r.windowDays} days): ${r.cardsDue} cards due, ${r.ordersWouldCreate} orders ` +
            `would be created, ${r.alreadyOpen} already open; nothing ordered (${r.seconds} s)`
          : `renewals as of ${day} (window ${r.windowDays} days): ${r.cardsDue} cards due, ${r.ordersCreated} orders created, ` +
            `${r.alreadyOpen} already open (${r.seconds} s)`,
      );
    } catch (e) {
      view.stop();
      printFailure(json, e);
    }
  }

  @Option({
    flags: '--as-of <date>',
    description:
      'the day of the sweep, YYYY-MM-DD (default: today); a later day runs the sweep of that day (rehearsals, tests), recorded as given and after today',
  })
  parseAsOf(v: string): string {
    return v;
  }

  @Option({ flags: '--dry-run', description: 'count the cards due and the orders the sweep would make; order nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
