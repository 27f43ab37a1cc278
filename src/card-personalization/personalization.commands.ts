import { Command, CommandRunner, Option } from 'nest-commander';
import { PinoLogger } from 'nestjs-pino';
import { EXIT_RUN_FAILED, printFailure, printResult } from '../common/cli/cli-output';
import { progressView } from '../common/cli/progress';
import { type DecodedFile, decodeCardFiles } from './card-files';
import { CardPersonalizationError } from './card-personalization.errors';
import { CPX_ISO_V1 } from './cpx-iso-v1.profile';
import { PersonalizationService } from './personalization.service';

@Command({
  name: 'personalize:run',
  description:
    'Personalize the approved orders on one encoder station in the foreground (ENCODER_DRIVER: simulated or pcsc), until --limit cards are done or none is pending',
})
export class PersonalizeRunCommand extends CommandRunner {
  constructor(
    private readonly personalization: PersonalizationService,
    private readonly logger: PinoLogger,
  ) {
    super();
  }

  async run(_args: string[], flags: { limit?: number; reader?: string; showFirstCard?: boolean; json?: boolean }): Promise<void> {
    const json = !!flags.json;
    const view = progressView(json);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let done = 0;
    let failed = 0;
    let firstCard: { cardNumber: string; chipSerial: string; files: Record<string, DecodedFile> } | undefined;
    try {
      const r = await this.personalization.runForeground(
        {
          limit: flags.limit,
          reader: flags.reader,
          log: this.logger.logger,
          onCard: (c) => {
            if (c.ok) done++;
            else failed++;
            if (c.ok && flags.showFirstCard && !firstCard) {
              firstCard = { cardNumber: c.cardNumber, chipSerial: c.chipSerial, files: decodeCardFiles(CPX_ISO_V1, c.result.readBack) };
            }
            view.update('personalizing', done, Math.max(flags.limit ?? done, done), `${failed} failed`);
          },
        },
        stop.signal,
      );
      view.stop();
      const out = {
        ...(r.stoppedInError ? { stoppedInError: true } : {}),
        cardsPersonalized: r.cardsPersonalized,
        cardsSpoiled: r.cardsSpoiled,
        cardsRefused: r.cardsRefused,
        results: r.results,
        ...(firstCard ? { firstCard } : {}),
      };
      printResult(json, out, () =>
        [
          `${r.cardsPersonalized} cards personalized, ${r.cardsSpoiled} spoiled, ${r.cardsRefused} refused before writing`,
          ...(r.stoppedInError
            ? ['the encoder station is in error: it takes no card until an operator resets it (POST /api/v1/encoders/:id/reset)']
            : []),
          ...r.results.map((x) => `  ${x.cardNumber}  chip ${x.chipSerial}  order ${x.orderId}  (${x.reader})`),
          ...(firstCard ? [`card ${firstCard.cardNumber}, its files as read back:`, JSON.stringify(firstCard.files, null, 2)] : []),
        ].join('\n'),
      );
      // Interrupted, or stopped with orders left because the station is in error: not a finished run.
      if (stop.signal.aborted || r.stoppedInError) process.exitCode = EXIT_RUN_FAILED;
    } catch (e) {
      view.stop();
      printFailure(json, e);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  @Option({ flags: '--limit <n>', description: 'stop after this many cards personalized' })
  parseLimit(v: string): number {
    if (!/^[1-9]\d{0,5}$/.test(v)) {
      throw new CardPersonalizationError('unusable_input', `--limit "${v}": expected a whole number from 1 to 999999`, 400);
    }
    return Number(v);
  }

  @Option({ flags: '--reader <name>', description: 'the PC/SC reader to use (default: the first one ENCODER_READERS selects)' })
  parseReader(v: string): string {
    return v;
  }

  @Option({
    flags: '--show-first-card',
    description:
      'also print the files of the first card personalized, decoded from the bytes read back (never a code: codes are not readable)',
  })
  parseShowFirstCard(): boolean {
    return true;
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
