import { basename, isAbsolute } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { paged } from '../database/paged';
import { PurgeOptions, purgeInBatches } from '../database/purge';
import { JobKind, JobRun, JobState } from './job-run.entity';
import { JobsError } from './jobs.errors';

export interface ProgressReporter {
  /** Reports progress; cheap to call often (writes are throttled). */
  progress(done: number, total?: number | null, phase?: string): void;
}

export interface JobRunView {
  id: string;
  kind: string;
  state: JobState;
  phase: string | null;
  progress: number;
  total: number | null;
  percent: number | null;
  actor: string;
  params: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** Long runs and their progress, in the database, so every process (API, worker, CLI) sees them. */
@Injectable()
export class JobsService {
  constructor(private readonly ds: DataSource) {}

  async create(kind: JobKind, actor: string, params: Record<string, unknown>, state: 'queued' | 'running' = 'running'): Promise<string> {
    const [row]: Array<{ id: string }> = await this.ds.query(
      `INSERT INTO job_run (kind, state, actor, params, started_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $2 = 'running' THEN now() END) RETURNING id`,
      [kind, state, actor, JSON.stringify(params)],
    );
    return row.id;
  }

  /** A queued job run, in the caller's transaction (with the outbox row that will start it). */
  async createQueued(em: EntityManager, kind: JobKind, actor: string, params: Record<string, unknown>): Promise<string> {
    const [row]: Array<{ id: string }> = await em.query(
      `INSERT INTO job_run (kind, state, actor, params) VALUES ($1, 'queued', $2, $3) RETURNING id`,
      [kind, actor, JSON.stringify(params)],
    );
    return row.id;
  }

  /** Removes a job run that did nothing (its input was unusable): no trace is left of a run refused at once. */
  async discard(id: string): Promise<void> {
    await this.ds.query(`DELETE FROM job_run WHERE id = $1`, [id]);
  }

  /**
   * The job runs of `kind` still marked running. Called by the owner of that kind of run
   * under its own lock, when none of them can have a live process: they were interrupted.
   */
  async stillRunning(kind: JobKind): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.ds.query(`SELECT id FROM job_run WHERE kind = $1 AND state = 'running'`, [kind]);
    return rows.map((r) => r.id);
  }

  async start(id: string): Promise<void> {
    await this.ds.query(`UPDATE job_run SET state = 'running', started_at = now(), updated_at = now() WHERE id = $1`, [id]);
  }

  async get(id: string): Promise<JobRun | null> {
    return this.ds.getRepository(JobRun).findOneBy({ id });
  }

  reporter(id: string, minIntervalMs = 500): ProgressReporter & { flush(): Promise<void> } {
    let last = 0;
    let pending: Promise<unknown> = Promise.resolve();
    let latest: [number, number | null | undefined, string | undefined] = [0, null, undefined];
    const write = () => {
      const [done, total, phase] = latest;
      pending = pending
        .then(() =>
          this.ds.query(
            `UPDATE job_run SET progress = $2, total = COALESCE($3, total), phase = COALESCE($4, phase), updated_at = now()
              WHERE id = $1`,
            [id, done, total ?? null, phase ?? null],
          ),
        )
        .catch(() => undefined);
    };
    return {
      progress(done, total, phase) {
        latest = [done, total, phase];
        const now = Date.now();
        if (phase !== undefined || now - last >= minIntervalMs) {
          last = now;
          write();
        }
      },
      async flush() {
        write();
        await pending;
      },
    };
  }

  async succeed(id: string, result: Record<string, unknown>): Promise<void> {
    await this.ds.query(
      `UPDATE job_run SET state = 'succeeded', result = $2, finished_at = now(), updated_at = now(),
              progress = COALESCE(total, progress) WHERE id = $1`,
      [id, JSON.stringify(result)],
    );
  }

  async fail(id: string, error: string, result?: Record<string, unknown>): Promise<void> {
    await this.ds.query(
      `UPDATE job_run SET state = 'failed', error = $2, result = COALESCE($3, result), finished_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, error.slice(0, 4000), result ? JSON.stringify(result) : null],
    );
  }

  /** Held for a person's decision (a held import, an expiry sweep past its share), not failed: `result` says what it waits for and how to confirm. */
  async hold(id: string, result: Record<string, unknown>, em: EntityManager = this.ds.manager): Promise<void> {
    await em.query(
      `UPDATE job_run SET state = 'held', error = NULL, result = $2, finished_at = now(), updated_at = now(),
              progress = COALESCE(total, progress) WHERE id = $1`,
      [id, JSON.stringify(result)],
    );
  }

  /**
   * The runs of `kind` held for the business day `asOf` or an earlier one, that a later run
   * confirmed and applied (`byRunId`; a sweep of a day covers every earlier day): they end
   * `succeeded`, their result saying `confirmed` and by which run, so that no held run waits
   * for a decision already taken. (YYYY-MM-DD compares as a date byte by byte.)
   */
  async confirmHeld(kind: string, asOf: string, byRunId: string, em: EntityManager = this.ds.manager): Promise<void> {
    await em.query(
      `UPDATE job_run SET state = 'succeeded', updated_at = now(),
              result = result || jsonb_build_object('status', 'confirmed', 'confirmedByRun', $3::text)
        WHERE kind = $1 AND state = 'held' AND params->>'asOf' <= $2 COLLATE "C" AND id <> $3::uuid`,
      [kind, asOf, byRunId],
    );
  }

  /** Back to queued (after an interruption: the job runs again); a succeeded or held run stays so. */
  async requeue(id: string, note: string): Promise<void> {
    await this.ds.query(
      `UPDATE job_run SET state = 'queued', error = $2, phase = NULL, started_at = NULL, finished_at = NULL, updated_at = now()
        WHERE id = $1 AND state NOT IN ('succeeded', 'held')`,
      [id, note],
    );
  }

  /** A job run as GET /api/v1/jobs shows it; 404 `job_not_found` when there is none. */
  async view(id: string): Promise<JobRunView> {
    const run = await this.get(id);
    if (!run) throw new JobsError('job_not_found', `no job run ${id}`, 404);
    return toView(run);
  }

  /** The latest job runs first, one page of them, and how many match (counted as every list counts, see paged). */
  async list(
    opts: { kind?: string; state?: JobState; page?: number; pageSize?: number } = {},
  ): Promise<{ page: number; pageSize: number; total: number; totalIsLowerBound: boolean; runs: JobRunView[] }> {
    const { items, ...rest } = await paged<JobRun>(this.ds, {
      select: JOB_RUN_COLUMNS,
      from: 'job_run j',
      where: (p) => {
        const where: string[] = [];
        if (opts.kind) where.push(`j.kind = ${p(opts.kind)}`);
        if (opts.state) where.push(`j.state = ${p(opts.state)}`);
        return where.length ? `WHERE ${where.join(' AND ')}` : '';
      },
      orderBy: 'j.created_at DESC, j.id',
      page: opts.page,
      pageSize: opts.pageSize,
      defaultPageSize: 50,
    });
    return { ...rest, runs: items.map(toView) };
  }

  /**
   * Retention (RETENTION_JOB_RUNS_DAYS): deletes the runs that finished (succeeded or failed) before `cutoff`, in
   * batches; queued, running and held runs stay. An import or a renewal sweep that named a run keeps its own record
   * (its link to the run becomes null).
   */
  purgeFinished(cutoff: Date, o: PurgeOptions): Promise<number> {
    return purgeInBatches(
      this.ds,
      { table: 'job_run', where: `state IN ('succeeded', 'failed') AND finished_at < $1`, oldestFirst: 'finished_at' },
      cutoff,
      o,
    );
  }
}

/** A job_run row as the JobRun entity names its fields. */
const JOB_RUN_COLUMNS = `j.id, j.kind, j.state, j.phase, j.progress, j.total, j.params, j.result, j.error, j.actor,
  j.created_at AS "createdAt", j.started_at AS "startedAt", j.finished_at AS "finishedAt", j.updated_at AS "updatedAt"`;

/**
 * A run's parameters as shown over the API: an absolute path (the files of an import, which
 * the worker needs whole) is shown by its file name, so that a host's directories (a home
 * directory, a mount) are not shown to whoever reads the jobs.
 */
export function withFileNamesOnly(params: Record<string, unknown>): Record<string, unknown> {
  const name = (v: unknown): unknown => (typeof v === 'string' && isAbsolute(v) ? basename(v) : v);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.map(name) : name(v)]));
}

function toView(j: JobRun): JobRunView {
  const progress = Number(j.progress);
  const total = j.total === null ? null : Number(j.total);
  return {
    id: j.id,
    kind: j.kind,
    state: j.state,
    phase: j.phase,
    progress,
    total,
    percent: total ? Math.min(100, Math.round((progress / total) * 1000) / 10) : null,
    actor: j.actor,
    params: withFileNamesOnly(j.params),
    result: j.result,
    error: j.error,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    updatedAt: j.updatedAt,
  };
}
