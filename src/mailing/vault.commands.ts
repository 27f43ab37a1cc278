import { Command, CommandRunner, Option } from 'nest-commander';
import { printFailure, printResult } from '../common/cli/cli-output';
import { hostActor } from '../common/cli/host-actor';
import { progressView } from '../common/cli/progress';
import { CodeVaultService } from './code-vault.service';

@Command({
  name: 'vault:rotate',
  description:
    "Re-wrap every order's codes sealed under an older vault key to the current one (the last line of VAULT_KEY_FILE); the codes themselves are not opened",
})
export class VaultRotateCommand extends CommandRunner {
  constructor(private readonly vault: CodeVaultService) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    const view = progressView(json);
    try {
      const r = await this.vault.rotate({ actor: hostActor(), onProgress: (d, t) => view.update('re-wrapping', d, t) });
      view.stop();
      printResult(
        json,
        r,
        () =>
          `vault key "${r.currentKeyId}": ${r.rewrapped} orders' codes re-wrapped to it, ${r.alreadyCurrent} already under it` +
          (r.remaining
            ? `; ${r.remaining} orders are still sealed under older keys (issued during the run by a process that had not yet read the new key file): run vault:rotate again before removing any key`
            : '; no codes remain under older keys: they may now leave VAULT_KEY_FILE'),
      );
    } catch (e) {
      view.stop();
      printFailure(json, e);
    }
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
