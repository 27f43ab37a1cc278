import { Inject } from '@nestjs/common';
import { Command, CommandRunner, Option } from 'nest-commander';
import { EXIT_RUN_FAILED, printFailure, printResult } from '../cli/cli-output';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AuditCheck } from './audit-check.service';
import { loadAuditSigner } from './audit-checkpoint.signer';
import { AuditSequencer } from './audit-sequencer.service';

@Command({
  name: 'audit:verify',
  description: 'Recompute the audit chain and hold it to every signed checkpoint (file and table); exit 1 when one is contradicted',
})
export class AuditVerifyCommand extends CommandRunner {
  constructor(private readonly check: AuditCheck) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean; publicKey?: string; checkpoints?: string }): Promise<void> {
    const json = !!flags.json;
    try {
      const r = await this.check.run({ publicKeyFile: flags.publicKey, checkpointsFile: flags.checkpoints, signingKeyAllowed: true });
      printResult(json, r, () =>
        r.ok
          ? `audit trail intact: ${r.entries} entries (${r.queued} queued), ${r.checkpoints.checked} checkpoints hold`
          : [
              `audit trail CONTRADICTED (${r.entries} entries, ${r.checkpoints.checked} checkpoints checked):`,
              ...r.problems.map((p) => `  - ${p.kind}: ${p.message}`),
            ].join('\n'),
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

  @Option({
    flags: '--public-key <file>',
    description: 'the audit public key (PEM) to check signatures with (default: the configured key)',
  })
  parsePublicKey(v: string): string {
    return v;
  }

  @Option({ flags: '--checkpoints <file>', description: 'a checkpoints file (default: DATA_DIR/audit/checkpoints.jsonl)' })
  parseCheckpoints(v: string): string {
    return v;
  }
}

@Command({ name: 'audit:checkpoint', description: 'Integrate the queued audit entries into the chain and sign a checkpoint now' })
export class AuditCheckpointCommand extends CommandRunner {
  constructor(private readonly sequencer: AuditSequencer) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const cp = await this.sequencer.checkpointNow();
      printResult(
        json,
        cp,
        () => `checkpoint signed: size ${cp.size}, head ${cp.head}, at ${cp.signedAt} (${cp.integrated} entries integrated)`,
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

@Command({ name: 'audit:public-key', description: 'Print the audit signing key id and its public key (PEM), for auditors' })
export class AuditPublicKeyCommand extends CommandRunner {
  constructor(@Inject(APP_CONFIG) private readonly cfg: AppConfig) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean }): Promise<void> {
    const json = !!flags.json;
    try {
      const { signer } = await loadAuditSigner({
        keyFile: this.cfg.AUDIT_SIGNING_KEY_FILE,
        dataDir: this.cfg.DATA_DIR,
        profile: this.cfg.NODE_ENV,
      });
      const r = { keyId: signer.keyId, algorithm: signer.algorithm, publicKey: signer.publicKeyPem };
      printResult(json, r, () => `key id ${r.keyId} (${r.algorithm})\n${r.publicKey.trimEnd()}`);
    } catch (e) {
      printFailure(json, e);
    }
  }

  @Option({ flags: '--json' })
  parseJson(): boolean {
    return true;
  }
}
