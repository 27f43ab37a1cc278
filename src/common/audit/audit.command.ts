import { Inject } from '@nestjs/common';
import { Command, CommandRunner, Option } from 'nest-commander';
import { EXIT_RUN_FAILED, printFailure, printResult } from '../cli/cli-output';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AuditService } from './audit.service';
import { loadAuditPublicKey, loadAuditSigner } from './audit-checkpoint.signer';
import { AuditCheckpoints } from './audit-checkpoints.service';
import { AuditSequencer } from './audit-sequencer.service';
import { LATE_MARGIN_MS } from './audit-verification';

@Command({
  name: 'audit:verify',
  description: 'Recompute the audit chain and hold it to every signed checkpoint (file and table); exit 1 when one is contradicted',
})
export class AuditVerifyCommand extends CommandRunner {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpoints,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], flags: { json?: boolean; publicKey?: string; checkpoints?: string }): Promise<void> {
    const json = !!flags.json;
    try {
      const file = await this.checkpoints.readFile(flags.checkpoints);
      const table = await this.checkpoints.all();
      const publicKey = await loadAuditPublicKey({
        keyFile: this.cfg.AUDIT_SIGNING_KEY_FILE,
        dataDir: this.cfg.DATA_DIR,
        publicKeyFile: flags.publicKey,
      });
      const r = await this.audit.verify({
        checkpoints: [...file.checkpoints, ...table],
        publicKey,
        lateAfterMs: this.cfg.AUDIT_SEQUENCE_INTERVAL_MS + LATE_MARGIN_MS,
      });
      if (table.length && !file.checkpoints.length) {
        r.problems.push({
          kind: 'checkpoint-file-missing',
          message:
            `${file.path} holds no checkpoint while the database holds ${table.length}: the copy outside the database is ` +
            'what holds the database to account; give the file of each signing host with --checkpoints',
          contradicts: null,
        });
      }
      for (const u of file.unreadable) {
        r.problems.push({ kind: 'checkpoint-unreadable', message: `${file.path}, ${u}`, contradicts: null });
      }
      const ok = r.problems.length === 0;
      const result = {
        entries: r.entries,
        ok,
        firstBadEntry: r.firstBadEntry,
        checkpoints: { ...r.checkpoints, file: file.path, inFile: file.checkpoints.length, inTable: table.length },
        contradicts: r.contradicts,
        sequenced: r.sequenced,
        queued: r.queued,
        late: r.late,
        problems: r.problems,
      };
      printResult(json, result, () =>
        ok
          ? `audit trail intact: ${r.entries} entries (${r.queued} queued), ${r.checkpoints.checked} checkpoints hold`
          : [
              `audit trail CONTRADICTED (${r.entries} entries, ${r.checkpoints.checked} checkpoints checked):`,
              ...r.problems.map((p) => `  - ${p.kind}: ${p.message}`),
            ].join('\n'),
      );
      if (!ok) process.exitCode = EXIT_RUN_FAILED;
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
