import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { progressView } from '../common/cli/progress';
import { CrlPublisher } from './crl-publisher.service';
import { OppositionsService } from './oppositions.service';

@Command({ name: 'expiry:run', description: 'Oppose every card past its end of validity (the daily sweep, by hand)' })
export class ExpiryRunCommand extends CommandRunner {
  constructor(private readonly oppositions: OppositionsService) {
    super();
  }

  async run(_args: string[], flags: { asOf?: string; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    const view = progressView(json);
    try {
      const r = await this.oppositions.expire({
        asOf: flags.asOf,
        actor: hostActor(),
        onProgress: (d) => view.update('opposing expired cards', d, 0),
      });
      view.stop();
      printResult(
        json,
        { cardsExpired: r.cardsExpired, oppositionsCreated: r.oppositionsCreated },
        () =>
          `expiry as of ${r.asOf}: ${r.cardsExpired} cards past their end of validity opposed, ${r.oppositionsCreated} oppositions recorded`,
      );
    } catch (e) {
      view.stop();
      printFailure(json, e);
    }
  }

  @Option({ flags: '--as-of <date>', description: 'the day of the sweep, YYYY-MM-DD (default: today, Paris time)' })
  parseAsOf(v: string): string {
    return v;
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
