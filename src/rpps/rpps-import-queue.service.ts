import { access } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Principal, principalActor } from '../common/auth/tokens.service';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { rowsReturned } from '../common/database/returning';
import { isUuid } from '../common/database/uuid';
import { ExtractFormatError } from '../common/extract/extract.errors';
import { inspectExtract, ZipLimits } from '../common/extract/extract-open';
import { jobErrorMessage } from '../common/jobs/jobs.errors';
import { JobsService } from '../common/jobs/jobs.service';
import { OutboxService } from '../common/outbox/outbox.service';
import { extractDate } from './extract-date';
import { resolveInImportDir } from './import-dir';
import { RppsError, unusableInput } from './rpps.errors';
import { ImportFile, ImportPreview } from './rpps-import.entity';
import { ImportResult, RppsImportService } from './rpps-import.service';

export interface EnqueueImport {
  files: string[];
  asOf?: string;
  /** At the host only (the CLI's --enqueue --confirm-mass-change). */
  confirmMassChange?: boolean;
  correspondence?: string;
  actor: string;
  /**
   * `api`: the files are names inside IMPORT_DIR, and `principal` submitted them (it may
   * not confirm the import if it is held). `host`: any path the user at the host gives.
   */
  source: 'api' | 'host';
  principal?: Principal;
}

interface ImportJobParams {
  files: string[];
  asOf?: string;
  confirmMassChange?: boolean;
  correspondence?: string;
  /** Where the request came from (absent on the job runs of imports run in the foreground). */
  source?: 'api' | 'host';
  submittedByPrincipal?: string | null;
  /** A confirmation: the held import this job applies, and who confirmed it. */
  confirms?: { importId: string; by: string };
}

export interface ConfirmedImport {
  importId: string;
  status: 'held';
  confirmedBy: string;
  confirmedAt: Date;
  /** The queue job that applies the held import (GET /api/v1/jobs/:id). */
  jobRunId: string;
  state: 'queued';
  preview: ImportPreview | null;
}

/** Imports as queue jobs: the job run (with the file paths) and its outbox row in one transaction. */
@Injectable()
export class RppsImportQueueService {
  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly imports: RppsImportService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: Clock,
  ) {}

  private get zipLimits(): ZipLimits {
    return { maxBytes: this.cfg.IMPORT_ZIP_MAX_BYTES, maxRatio: this.cfg.IMPORT_ZIP_MAX_RATIO };
  }

  async enqueue(r: EnqueueImport): Promise<{ jobRunId: string; state: 'queued' }> {
    if (!r.files.length) throw unusableInput('no file given');
    let files: string[];
    let correspondence: string | undefined;
    if (r.source === 'api') {
      files = [];
      for (const f of r.files) files.push(await resolveInImportDir(this.cfg.IMPORT_DIR, f));
      if (r.correspondence) correspondence = await resolveInImportDir(this.cfg.IMPORT_DIR, r.correspondence);
    } else {
      files = r.files.map((f) => resolve(f));
      correspondence = r.correspondence ? resolve(r.correspondence) : undefined;
      for (const f of [...files, ...(correspondence ? [correspondence] : [])]) {
        await access(f).catch(() => {
          throw unusableInput(`"${f}": no such file (the worker reads the same path)`);
        });
      }
    }
    // A zip past its limits is refused now, from its central directory (the worker checks again as it inflates).
    const entryNames = new Map<string, string>();
    for (const f of files) {
      const entryName = await inspectExtract(f, this.zipLimits).catch((e: unknown) => {
        if (e instanceof ExtractFormatError) throw unusableInput(e.message);
        throw e;
      });
      entryNames.set(f, entryName);
    }
    // The extract's date is checked now (the worker checks again): given, or in the Personne_activite file's
    // name (a zip's, and the extract's inside it).
    const main = files.find((f) => /Personne_activite/i.test(basename(f))) ?? files[0];
    extractDate({
      asOf: r.asOf,
      mainPath: main,
      entryName: entryNames.get(main),
      today: this.clock.today(),
      what: r.source === 'api' ? 'asOf' : '--as-of',
    });
    const params: ImportJobParams = {
      files,
      asOf: r.asOf,
      confirmMassChange: r.source === 'host' && !!r.confirmMassChange,
      correspondence,
      source: r.source,
      submittedByPrincipal: r.principal?.principalId ?? null,
    };
    const jobRunId = await this.ds.transaction(async (em) => {
      const id = await this.queueJob(em, r.actor, params);
      await this.audit.append(em, {
        actor: r.actor,
        action: 'rpps.import.requested',
        entity: 'job_run',
        entityId: id,
        details: { files: files.map((f) => basename(f)), source: r.source },
      });
      return id;
    });
    return { jobRunId, state: 'queued' };
  }

  /**
   * A held import confirmed over the API by `principal`, never its submitter: queues the
   * job that applies it (the worker reads the same files again and refuses them if they
   * changed). 403 for the submitter, 409 when it is not held, was superseded, or its
   * confirmation is already being applied.
   */
  async confirm(importId: string, principal: Principal): Promise<ConfirmedImport> {
    if (!isUuid(importId)) {
      throw new RppsError('import_not_found', `no import ${importId}`, 404);
    }
    const by = principalActor(principal);
    return this.ds.transaction(async (em) => {
      const rows: Array<{
        id: string;
        status: string;
        submitted_by_principal: string | null;
        preview: ImportPreview | null;
        files: ImportFile[];
        params: ImportJobParams | null;
        confirmed_at: Date | null;
        confirmer: string | null;
        confirmation_state: string | null;
        newer: string | null;
      }> = await em.query(
        `SELECT i.id, i.status, i.submitted_by_principal, i.preview, i.files, j.params, i.confirmed_at,
                p.name AS confirmer, c.state AS confirmation_state,
                (SELECT n.id FROM rpps_import n WHERE n.started_at > i.started_at AND n.status <> 'failed'
                  ORDER BY n.started_at LIMIT 1) AS newer
           FROM rpps_import i
           LEFT JOIN job_run j ON j.id = i.job_run_id
           LEFT JOIN job_run c ON c.id = i.confirmation_job_run_id
           LEFT JOIN principal p ON p.id = i.confirmed_by_principal
          WHERE i.id = $1
          FOR UPDATE OF i`,
        [importId],
      );
      const held = rows[0];
      if (!held) throw new RppsError('import_not_found', `no import ${importId}`, 404);
      if (held.submitted_by_principal && held.submitted_by_principal === principal.principalId) {
        throw new RppsError(
          'confirmer_is_submitter',
          `import ${importId} was submitted by ${by}: another operator confirms its mass change, never its submitter (with any of its tokens)`,
          403,
        );
      }
      if (principal.kind !== 'person') {
        throw new RppsError('confirmer_not_a_person', `${by} is a system account: a person confirms a mass change`, 403);
      }
      if (held.status !== 'held') {
        throw new RppsError('import_not_held', `import ${importId} is ${held.status}, not held: nothing to confirm`, 409);
      }
      if (held.confirmed_at && held.confirmation_state !== 'failed') {
        throw new RppsError(
          'import_not_held',
          `import ${importId} was already confirmed by principal:${held.confirmer} at ${held.confirmed_at.toISOString()}; ` +
            `its apply is ${held.confirmation_state}`,
          409,
        );
      }
      if (held.newer) {
        throw new RppsError('import_superseded', `import ${importId} was superseded by import ${held.newer}: submit a new import`, 409);
      }
      if (!held.params?.source) {
        throw new RppsError(
          'import_not_confirmable',
          `import ${importId} was run at the host (rpps:import in the foreground): it is confirmed there, with --confirm-mass-change`,
          409,
        );
      }
      const params: ImportJobParams = {
        files: held.params.files,
        asOf: held.params.asOf,
        correspondence: held.params.correspondence,
        source: held.params.source,
        submittedByPrincipal: held.submitted_by_principal,
        confirms: { importId, by },
      };
      const jobRunId = await this.queueJob(em, by, params);
      // (An UPDATE's rows come as [rows, count] from TypeORM's driver: read through rowsReturned.)
      const [{ confirmed_at: confirmedAt }] = await rowsReturned<{ confirmed_at: Date }>(
        em,
        `UPDATE rpps_import SET confirmed_by_principal = $2, confirmed_at = now(), confirmation_job_run_id = $3
          WHERE id = $1 RETURNING confirmed_at`,
        [importId, principal.principalId, jobRunId],
      );
      await this.audit.append(em, {
        actor: by,
        action: 'rpps.import.confirmed',
        entity: 'rpps_import',
        entityId: importId,
        details: {
          jobRunId,
          files: held.files.map((f) => f.name),
          ceased: held.preview?.ceased ?? null,
          changed: held.preview?.changed ?? null,
        },
      });
      return { importId, status: 'held', confirmedBy: by, confirmedAt, jobRunId, state: 'queued', preview: held.preview };
    });
  }

  /** The worker's side: runs the import of a queued job run, once. */
  async runQueued(jobRunId: string): Promise<ImportResult | null> {
    const run = await this.jobs.get(jobRunId);
    if (!run) throw new Error(`job run ${jobRunId} not found`);
    // Delivered again (a crash before the message was marked consumed, OUTBOX_REDELIVERY_SECONDS):
    // a run that succeeded is done, and a held one waits for a person; neither runs again.
    if (run.state === 'succeeded' || run.state === 'held') return null;
    const p = run.params as unknown as ImportJobParams;
    let files = p.files;
    if (p.source === 'api') {
      // Resolved again as the worker reads them: a link swapped since the request is still refused.
      files = [];
      try {
        for (const f of p.files) files.push(await resolveInImportDir(this.cfg.IMPORT_DIR, f));
      } catch (e) {
        await this.jobs.fail(jobRunId, jobErrorMessage(e)).catch(() => undefined);
        throw e;
      }
    }
    try {
      return await this.imports.run({
        files,
        asOf: p.asOf,
        confirmMassChange: p.confirmMassChange,
        confirms: p.confirms,
        submittedByPrincipal: p.submittedByPrincipal ?? null,
        correspondence: p.correspondence,
        actor: run.actor,
        jobRunId,
      });
    } catch (e) {
      // Refused before the import started (a file it cannot use): the job run says why.
      await this.jobs.fail(jobRunId, jobErrorMessage(e)).catch(() => undefined);
      throw e;
    }
  }

  /** The job run and its outbox row (the worker takes it from there), in the caller's transaction. */
  private async queueJob(em: EntityManager, actor: string, params: ImportJobParams): Promise<string> {
    const id = await this.jobs.createQueued(em, 'rpps-import', actor, { ...params });
    await this.outbox.add(em, 'rpps.import.requested', { jobRunId: id });
    return id;
  }
}
