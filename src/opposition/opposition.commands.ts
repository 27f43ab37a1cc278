import { Command, CommandRunner, Option } from 'nest-commander';
import { EXIT_RUN_FAILED, printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { progressView } from '../common/cli/progress';
import { percent } from '../common/jobs/mass-change';
import { CrlPublisher } from './crl-publisher.service';
import { ExpiryService } from './expiry.service';
import { OppositionsService } from './oppositions.service';

@Command({
  name: 'expiry:run',
  description:
    'Oppose every card past its end of validity (the daily sweep, by hand); held, nothing opposed, past EXPIRY_MAX_SHARE of the valid cards',
})
export class ExpiryRunCommand extends CommandRunner {
  constructor(private readonly expiry: ExpiryService) {
    super();
  }

  async run(_args: string[], flags: { asOf?: string; confirmMassChange?: boolean; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    const view = progressView(json);
    try {
      const r = await this.expiry.expire({
        asOf: flags.asOf,
        actor: hostActor(),
        confirmMassChange: !!flags.confirmMassChange,
        onProgress: (d) => view.update('opposing expired cards', d, 0),
      });
      view.stop();
      printResult(json, r, () =>
        r.status === 'held'
          ? `expiry as of ${r.asOf}: HELD, ${r.cardsDue} cards not opposed\n  ${r.heldReason}`
          : `expiry as of ${r.asOf}: ${r.cardsExpired} cards past their end of validity opposed, ${r.oppositionsCreated} oppositions recorded` +
            ` (${percent(r.share)} of ${r.validCards} valid cards${r.massChangeConfirmed ? `, past EXPIRY_MAX_SHARE: ${r.massChangeConfirmed}` : ''})`,
      );
      // Like a held import: nothing was done, someone has to look (exit 1, the answer on stdout).
      if (r.status === 'held') process.exitCode = EXIT_RUN_FAILED;
    } catch (e) {
      view.stop();
      printFailure(json, e);
    }
  }

  @Option({
    flags: '--as-of <date>',
    description: 'the day of the sweep, YYYY-MM-DD, not after today (default: today, Paris time)',
  })
  parseAsOf(v: string): string {
    return v;
  }

  @Option({
    flags: '--confirm-mass-change',
    description:
      'apply even if it opposes more than EXPIRY_MAX_SHARE of the valid cards (audited as confirmed at the host, by this account)',
  })
  parseConfirm(): boolean {
    return true;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}

@Command({
  name: 'crl:publish',
  description:
    'Publish a full CRL now (signed with CRL_SIGNING_KEY_FILE, stored in PostgreSQL, written to DATA_DIR/crl, served at /opposition/crl)',
})
export class CrlPublishCommand extends CommandRunner {
  constructor(
    private readonly publisher: CrlPublisher,
    private readonly oppositions: OppositionsService,
  ) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      // Requests the worker has not handled yet (cessations, imported oppositions) go in first.
      await this.oppositions.handleRequests();
      const r = await this.publisher.publishFull(hostActor());
      const out = {
        crlNumber: Number(r.crlNumber),
        entries: r.entries,
        thisUpdate: r.thisUpdate.toISOString(),
        nextUpdate: r.nextUpdate.toISOString(),
        path: r.path,
        sha256: r.sha256,
      };
      printResult(
        json,
        out,
        () =>
          `CRL ${out.crlNumber}: ${out.entries} entries, ${r.bytes} bytes, this update ${out.thisUpdate}, next update ${out.nextUpdate}\n` +
          `  ${out.path} (sha256 ${out.sha256}), ${r.seconds.toFixed(2)} s`,
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
