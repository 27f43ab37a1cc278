import type { Queue } from 'bullmq';
import { withinMs } from './queue.errors';
import { DAILY_SCHEDULES, DailyScheduleId, QueueName } from './queues';

export interface ScheduleKeeperLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The next run of each daily schedule as Redis holds it (ms since the epoch; undefined: the schedule is missing). */
export async function readScheduleNextRuns(queue: (name: QueueName) => Queue): Promise<Record<DailyScheduleId, number | undefined>> {
  const next = {} as Record<DailyScheduleId, number | undefined>;
  for (const s of DAILY_SCHEDULES) {
    const scheduler = await withinMs(queue(s.queue).getJobScheduler(s.id), 2000);
    next[s.id] = scheduler?.next;
  }
  return next;
}

/**
 * Keeps the daily schedules in Redis: a Redis that lost its data (restored from an old copy, flushed, replaced)
 * must not silently stop the CRL, the sweeps or the letters. Every `intervalMs` it looks for each schedule and
 * for its next job, and re-creates (upserts) those missing; it never touches one that is there, so a run that is
 * due (its job waiting for a worker) is never replaced by the next day's. Several workers may check at once: an
 * upsert is idempotent (the next job's id is the schedule's and its time).
 */
export class ScheduleKeeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly queue: (name: QueueName) => Queue,
    /** Creates or updates one schedule (from the configuration). */
    private readonly upsert: Record<DailyScheduleId, () => Promise<void>>,
    private readonly log: ScheduleKeeperLogger,
  ) {}

  /** Upserts every schedule (at start: the configuration may have changed). */
  async upsertAll(): Promise<void> {
    // One function may create several schedules (the mailing ones): each is called once.
    for (const upsert of new Set(DAILY_SCHEDULES.map((s) => this.upsert[s.id]))) await upsert();
  }

  /** Re-creates the schedules missing from Redis (or whose next job is); gives their ids. */
  async check(): Promise<DailyScheduleId[]> {
    const next = await readScheduleNextRuns(this.queue);
    const missing: DailyScheduleId[] = [];
    for (const s of DAILY_SCHEDULES) {
      const at = next[s.id];
      const job = at === undefined ? undefined : await withinMs(this.queue(s.queue).getJob(`repeat:${s.id}:${at}`), 2000);
      if (!job) missing.push(s.id);
    }
    if (missing.length) {
      for (const upsert of new Set(missing.map((id) => this.upsert[id]))) await upsert();
      const now = await readScheduleNextRuns(this.queue);
      this.log.warn(
        { schedules: missing, next: Object.fromEntries(missing.map((id) => [id, now[id] ? new Date(now[id]).toISOString() : null])) },
        'daily schedules missing from Redis: re-created',
      );
    }
    return missing;
  }

  /** Checks every `intervalMs` (a failed check, Redis away, is logged and tried again at the next). */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.check()
        .catch((e: Error) => this.log.warn({ err: e.message }, 'checking the daily schedules failed; will retry'))
        .finally(() => {
          this.running = null;
        });
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops checking; waits for a check under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
