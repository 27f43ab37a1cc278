import { basename } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CommonError } from '../errors/domain-error';
import { AuditService } from './audit.service';
import { loadAuditPublicKey } from './audit-checkpoint.signer';
import { AuditCheckpoints } from './audit-checkpoints.service';
import { AuditProblem, AuditTrailReport, CheckpointRef, LATE_MARGIN_MS } from './audit-verification';

/** What `audit:verify` prints and `GET /api/v1/audit/verification` answers. */
export interface AuditCheckResult {
  entries: number;
  ok: boolean;
  firstBadEntry: string | null;
  checkpoints: AuditTrailReport['checkpoints'] & { file: string; inFile: number; inTable: number };
  contradicts: CheckpointRef | null;
  sequenced: number;
  queued: number;
  late: number;
  problems: AuditProblem[];
}

/** What `GET /api/v1/audit/verification` answers: the check, and when it was made. */
export type AuditCheckAnswer = AuditCheckResult & { checkedAt: Date };

/** How long the API keeps the answer of a check: requests meanwhile get it, without reading the trail again. */
export const API_CHECK_KEPT_MS = 60_000;

/**
 * The check of the audit trail: the chain recomputed from its first entry and held to every
 * signed checkpoint, those of the file under DATA_DIR (the copy outside the database) and
 * those of the table. The CLI (`audit:verify`) and the auditors' route run the same check.
 * One check at a time per process: a second one while the first runs is refused (409); the
 * API's route shares one check among its requests and keeps its answer API_CHECK_KEPT_MS, so
 * that repeated clicks cannot make a process read the whole trail many times over.
 */
@Injectable()
export class AuditCheck {
  private running = false;
  /** The API's check: under way (checkedAt null) or done then. */
  private forApi: { answer: Promise<AuditCheckAnswer>; checkedAt: number | null } | null = null;

  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpoints,
    @Inject(APP_CONFIG)
    private readonly cfg: Pick<AppConfig, 'AUDIT_SIGNING_KEY_FILE' | 'AUDIT_PUBLIC_KEY_FILE' | 'DATA_DIR' | 'AUDIT_SEQUENCE_INTERVAL_MS'>,
    private readonly clock: Clock,
  ) {}

  /**
   * The check for `GET /api/v1/audit/verification`: the answer of the check under way or made
   * less than API_CHECK_KEPT_MS ago, else a new one (see run, `overHttp`), with `checkedAt`.
   */
  checkForApi(): Promise<AuditCheckAnswer> {
    const kept = this.forApi;
    if (kept && (kept.checkedAt === null || this.clock.now().getTime() - kept.checkedAt < API_CHECK_KEPT_MS)) return kept.answer;
    // Assigned before either callback runs (they run after this function returns).
    let entry: { answer: Promise<AuditCheckAnswer>; checkedAt: number | null } | undefined;
    const answer = this.run({ signingKeyAllowed: false, overHttp: true }).then(
      (r) => {
        const checkedAt = this.clock.now();
        if (entry) entry.checkedAt = checkedAt.getTime();
        return { ...r, checkedAt };
      },
      (e: unknown) => {
        if (this.forApi === entry) this.forApi = null; // a failure is not kept
        throw e;
      },
    );
    entry = { answer, checkedAt: null };
    this.forApi = entry;
    return answer;
  }

  /**
   * `publicKeyFile`, `checkpointsFile`: the CLI's options. `signingKeyAllowed`: whether this
   * process may read the signing key to learn its public half (the CLI at the host may; the
   * API never reads a private key: it takes AUDIT_PUBLIC_KEY_FILE, or the development key's
   * public file). `overHttp`: the answer names the checkpoints file by its base name only (not
   * where DATA_DIR is), and with no public key to check the signed checkpoints it is a 503
   * audit_public_key_missing rather than a trail whose every checkpoint looks forged.
   */
  async run(o: {
    publicKeyFile?: string;
    checkpointsFile?: string;
    signingKeyAllowed: boolean;
    overHttp?: boolean;
  }): Promise<AuditCheckResult> {
    if (this.running) throw new CommonError('check_in_progress', 'a check of the audit trail is already running in this process', 409);
    this.running = true;
    try {
      const file = await this.checkpoints.readFile(o.checkpointsFile);
      const table = await this.checkpoints.all();
      const publicKey = await loadAuditPublicKey({
        keyFile: o.signingKeyAllowed && !this.cfg.AUDIT_PUBLIC_KEY_FILE ? this.cfg.AUDIT_SIGNING_KEY_FILE : undefined,
        dataDir: this.cfg.DATA_DIR,
        publicKeyFile: o.publicKeyFile ?? this.cfg.AUDIT_PUBLIC_KEY_FILE,
      });
      const signed = file.checkpoints.length + table.length;
      if (o.overHttp && !publicKey && signed) {
        throw new CommonError(
          'audit_public_key_missing',
          `no audit public key is configured to check the ${signed} signed checkpoints: set AUDIT_PUBLIC_KEY_FILE ` +
            'to the public half of the audit signing key (audit:public-key prints it)',
          503,
        );
      }
      const fileName = o.overHttp ? basename(file.path) : file.path;
      const r = await this.audit.verify({
        checkpoints: [...file.checkpoints, ...table],
        publicKey,
        lateAfterMs: this.cfg.AUDIT_SEQUENCE_INTERVAL_MS + LATE_MARGIN_MS,
      });
      if (table.length && !file.checkpoints.length) {
        r.problems.push({
          kind: 'checkpoint-file-missing',
          message:
            `${fileName} holds no checkpoint while the database holds ${table.length}: the copy outside the database is ` +
            'what holds the database to account; give the file of each signing host with --checkpoints',
          contradicts: null,
        });
      }
      for (const u of file.unreadable) {
        r.problems.push({ kind: 'checkpoint-unreadable', message: `${fileName}, ${u}`, contradicts: null });
      }
      return {
        entries: r.entries,
        ok: r.problems.length === 0,
        firstBadEntry: r.firstBadEntry,
        checkpoints: { ...r.checkpoints, file: fileName, inFile: file.checkpoints.length, inTable: table.length },
        contradicts: r.contradicts,
        sequenced: r.sequenced,
        queued: r.queued,
        late: r.late,
        problems: r.problems,
      };
    } finally {
      this.running = false;
    }
  }
}
