import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { PurgeOptions } from '../common/database/purge';
import { JobsService } from '../common/jobs/jobs.service';
import { OutboxService } from '../common/outbox/outbox.service';
import { OrdersService } from '../orders/orders.service';
import { RegistryEventsHandler } from '../orders/registry-events.handler';
import { RppsService } from '../rpps/rpps.service';

/** The kinds of row the purge removes past their time, each kept RETENTION_<KIND>_DAYS (config.ts). */
export const RETENTION_KINDS = ['outbox', 'jobRuns', 'consumedEvents', 'idempotencyKeys', 'registryRejects'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Rows deleted per statement: each batch commits on its own, so no lock is held for long. */
export const RETENTION_BATCH = 1000;

const DAY_MS = 86_400_000;

/** Held (session advisory lock) by the one retention run at a time, so that a run left `running` has no live process. */
export const RETENTION_LOCK = 7_264_050;

/** What a purge did (with `dryRun`, what it would do: nothing deleted, no job run, no audit entry). */
export interface RetentionResult {
  dryRun: boolean;
  /** Rows deleted (or that would be) per kind. */
  purged: Record<RetentionKind, number>;
  /** Failed BullMQ jobs removed (the worker's daily run only: the CLI never uses Redis). */
  failedJobs?: number;
  /** Days each kind is kept, and the instant before which its rows went. */
  days: Record<RetentionKind, number>;
  before: Record<RetentionKind, string>;
  /** The job run that recorded it (GET /api/v1/jobs/:id); none for a dry run. */
  jobRunId?: string;
  seconds: number;
}

/**
 * Retention (issue 13, item 5): each owner of a table deletes its own rows past their time
 * (OutboxService, JobsService, RegistryEventsHandler, OrdersService, RppsService), in batches. A
 * run is a job run `retention`, audited with its counts only: one `retention.purge` entry per kind, written as
 * soon as that kind is purged (a run killed midway leaves an entry for what it deleted). The audit trail
 * (audit_log, audit_chain, audit_checkpoint) is never purged: see README, "Retention".
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly outbox: OutboxService,
    private readonly registryEvents: RegistryEventsHandler,
    private readonly orders: OrdersService,
    private readonly rpps: RppsService,
  ) {}

  /** Days each kind is kept (the configuration). */
  days(): Record<RetentionKind, number> {
    return {
      outbox: this.cfg.RETENTION_OUTBOX_DAYS,
      jobRuns: this.cfg.RETENTION_JOB_RUNS_DAYS,
      consumedEvents: this.cfg.RETENTION_CONSUMED_EVENTS_DAYS,
      idempotencyKeys: this.cfg.RETENTION_IDEMPOTENCY_KEYS_DAYS,
      registryRejects: this.cfg.RETENTION_REGISTRY_REJECTS_DAYS,
    };
  }

  /**
   * Purges every kind past its time. `failedJobs`: the worker's removal of the failed BullMQ jobs
   * past RETENTION_FAILED_JOBS_DAYS, counted in the same run and entry.
   */
  async run(o: { actor: string; dryRun?: boolean; failedJobs?: () => Promise<number> }): Promise<RetentionResult> {
    const t0 = Date.now();
    const dryRun = !!o.dryRun;
    const days = this.days();
    const now = this.clock.now().getTime();
    const before = Object.fromEntries(RETENTION_KINDS.map((k) => [k, new Date(now - days[k] * DAY_MS)])) as Record<RetentionKind, Date>;
    if (dryRun) return this.purge(undefined, o.actor, days, before, true, undefined, t0);
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    let locked = false;
    try {
      const [{ ok }] = await qr.query('SELECT pg_try_advisory_lock($1) AS ok', [RETENTION_LOCK]);
      if (!ok) throw new Error('another retention run is under way; try again when it ends');
      locked = true;
      // We hold the lock: a retention run still 'running' lost its process (killed midway).
      for (const id of await this.jobs.stillRunning('retention')) {
        await this.jobs.fail(id, 'interrupted: the process stopped before the end (what it deleted is audited per kind)');
      }
      const runId = await this.jobs.create('retention', o.actor, { days });
      return await this.purge(runId, o.actor, days, before, false, o.failedJobs, t0);
    } finally {
      if (locked) await qr.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]).catch(() => undefined);
      await qr.release();
    }
  }

  private async purge(
    runId: string | undefined,
    actor: string,
    days: Record<RetentionKind, number>,
    before: Record<RetentionKind, Date>,
    dryRun: boolean,
    removeFailedJobs: (() => Promise<number>) | undefined,
    t0: number,
  ): Promise<RetentionResult> {
    /** One audit entry per kind, as soon as it is purged (counts only). */
    const audited = async (details: Record<string, unknown>) => {
      if (!runId) return;
      await this.ds.transaction((em) =>
        this.audit.append(em, { actor, action: 'retention.purge', entity: 'job_run', entityId: runId, details }),
      );
    };
    try {
      const p: PurgeOptions = { batch: RETENTION_BATCH, dryRun };
      const purgers: Record<RetentionKind, () => Promise<number>> = {
        outbox: () => this.outbox.purgeDone(this.ds, before.outbox, before.jobRuns, p),
        jobRuns: () => this.jobs.purgeFinished(before.jobRuns, p),
        consumedEvents: () => this.registryEvents.purgeConsumedMarks(before.consumedEvents, p),
        idempotencyKeys: () => this.orders.purgeIdempotencyKeys(before.idempotencyKeys, p),
        registryRejects: () => this.rpps.purgeRejects(before.registryRejects, p),
      };
      const purged = {} as Record<RetentionKind, number>;
      for (const k of RETENTION_KINDS) {
        purged[k] = await purgers[k]();
        await audited({ kind: k, purged: purged[k], days: days[k], before: before[k].toISOString() });
      }
      const failedJobs = removeFailedJobs && !dryRun ? await removeFailedJobs() : undefined;
      if (failedJobs !== undefined) await audited({ kind: 'failedJobs', purged: failedJobs, days: this.cfg.RETENTION_FAILED_JOBS_DAYS });
      const r: RetentionResult = {
        dryRun,
        purged,
        ...(failedJobs === undefined ? {} : { failedJobs }),
        days,
        before: Object.fromEntries(RETENTION_KINDS.map((k) => [k, before[k].toISOString()])) as Record<RetentionKind, string>,
        ...(runId ? { jobRunId: runId } : {}),
        seconds: (Date.now() - t0) / 1000,
      };
      if (runId) await this.jobs.succeed(runId, { ...r });
      return r;
    } catch (e) {
      if (runId) await this.jobs.fail(runId, e instanceof Error ? e.message : String(e)).catch(() => undefined);
      throw e;
    }
  }
}
