import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { JobsService } from '../common/jobs/jobs.service';
import { OutboxService } from '../common/outbox/outbox.service';
import { unusableInput } from './rpps.errors';
import { ImportResult, RppsImportService } from './rpps-import.service';

export interface EnqueueImport {
  files: string[];
  asOf?: string;
  confirmMassChange?: boolean;
  correspondence?: string;
  actor: string;
}

interface ImportParams {
  files: string[];
  asOf?: string;
  confirmMassChange?: boolean;
  correspondence?: string;
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
  ) {}

  async enqueue(r: EnqueueImport): Promise<{ jobRunId: string; state: 'queued' }> {
    if (!r.files.length) throw unusableInput('no file given');
    const files = r.files.map((f) => resolve(f));
    for (const f of [...files, ...(r.correspondence ? [resolve(r.correspondence)] : [])]) {
      await access(f).catch(() => {
        throw unusableInput(`"${f}": no such file (the worker reads the same path)`);
      });
    }
    const params: ImportParams = {
      files,
      asOf: r.asOf,
      confirmMassChange: !!r.confirmMassChange,
      correspondence: r.correspondence ? resolve(r.correspondence) : undefined,
    };
    const jobRunId = await this.ds.transaction(async (em) => {
      const id = await this.jobs.createQueued(em, 'rpps-import', r.actor, { ...params });
      await this.outbox.add(em, 'rpps.import.requested', { jobRunId: id });
      await this.audit.append(em, {
        actor: r.actor,
        action: 'rpps.import.requested',
        entity: 'job_run',
        entityId: id,
        details: { files: files.map((f) => f.split('/').pop()) },
      });
      return id;
    });
    return { jobRunId, state: 'queued' };
  }

  /** The worker's side: runs the import of a queued job run, once. */
  async runQueued(jobRunId: string): Promise<ImportResult | null> {
    const run = await this.jobs.get(jobRunId);
    if (!run) throw new Error(`job run ${jobRunId} not found`);
    if (run.state === 'succeeded') return null; // delivered twice: already done
    const p = run.params as unknown as ImportParams;
    return this.imports.run({
      files: p.files,
      asOf: p.asOf,
      confirmMassChange: p.confirmMassChange,
      correspondence: p.correspondence,
      actor: run.actor,
      jobRunId,
    });
  }
}
