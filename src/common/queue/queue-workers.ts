import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import type pino from 'pino';
import { DomainError } from '../errors/domain-error';
import { jobErrorMessage } from '../jobs/jobs.errors';
import { requestIdOfPayload, withRequestId } from '../logging/request-context';
import { jobDuration } from '../metrics/metrics';
import { DeliveryRecorder, OutboxDelivery } from '../outbox/outbox-delivery';
import { JobHandler } from './job-handler';
import { QueueName, TOPIC_QUEUES } from './queues';

/**
 * Checks the handler table: each (queue, name) has exactly one handler, and every topic
 * routed to a served queue has one. Returns the problems (empty when fine).
 */
export function checkHandlers(handlers: JobHandler[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const h of handlers) {
    const key = `${h.queue}/${h.jobName}`;
    if (seen.has(key)) problems.push(`two handlers for job "${h.jobName}" on queue "${h.queue}"`);
    seen.add(key);
  }
  const served = new Set(handlers.map((h) => h.queue));
  for (const [topic, queue] of Object.entries(TOPIC_QUEUES)) {
    if (served.has(queue) && !seen.has(`${queue}/${topic}`)) problems.push(`no handler for job "${topic}" on queue "${queue}"`);
  }
  return problems;
}

export interface StopOptions {
  /** How long running jobs may take to end by themselves. */
  graceMs: number;
  /** Then `interrupt` is called (it cancels this process's database statements), and jobs get until this deadline. */
  deadlineMs: number;
  interrupt: () => Promise<void>;
}

const settlesWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), Math.max(0, ms)).unref())]);

/**
 * One BullMQ worker per served queue, dispatching by job name to its handler. For a job from
 * the outbox, the message is marked consumed after its handler succeeded (the handler should
 * have done so in its own transaction: see OutboxService.markConsumed), and its error is
 * recorded when it fails (for good when retrying cannot help).
 */
export class QueueWorkers {
  private readonly workers: Worker[] = [];
  private interrupting = false;

  constructor(
    private readonly handlers: JobHandler[],
    private readonly connection: IORedis,
    private readonly prefix: string,
    private readonly log: pino.Logger,
    private readonly deliveries?: DeliveryRecorder,
  ) {
    const problems = checkHandlers(handlers);
    if (problems.length) throw new Error(`job handlers are incomplete:\n  - ${problems.join('\n  - ')}`);
  }

  /** `lockMs`: a running job's lock, renewed every half of it; jobs whose lock expired are looked for as often. */
  start(o: { lockMs: number } = { lockMs: 60_000 }): QueueName[] {
    const byQueue = new Map<QueueName, JobHandler[]>();
    for (const h of this.handlers) byQueue.set(h.queue, [...(byQueue.get(h.queue) ?? []), h]);
    for (const [queue, list] of byQueue) {
      const concurrency = Math.max(1, ...list.map((h) => h.concurrency ?? 1));
      const worker = new Worker(queue, (job: Job, token?: string) => this.process(queue, list, job, token), {
        connection: this.connection,
        prefix: this.prefix,
        concurrency,
        lockDuration: o.lockMs,
        stalledInterval: Math.round(o.lockMs / 2),
      });
      worker.on('error', (err) => this.log.error({ err, queue }, 'worker error'));
      this.workers.push(worker);
    }
    return [...byQueue.keys()];
  }

  /**
   * Runs a job as part of the request that caused it (the id its outbox payload carries): its
   * log lines, and the audit entries and outbox messages it writes, carry that id. Its duration
   * is observed by queue, name and outcome (completed, failed, interrupted).
   */
  private async process(queue: QueueName, list: JobHandler[], job: Job, token?: string): Promise<unknown> {
    const requestId = requestIdOfPayload(job.data);
    const end = jobDuration.startTimer({ queue, name: list.some((x) => x.jobName === job.name) ? job.name : 'unknown' });
    let outcome = 'failed';
    try {
      const r = await withRequestId(requestId, () => this.run(queue, list, job, requestId, token));
      outcome = 'completed';
      return r;
    } catch (err) {
      if (err instanceof DelayedError) outcome = 'interrupted';
      throw err;
    } finally {
      end({ outcome });
    }
  }

  private async run(queue: QueueName, list: JobHandler[], job: Job, requestId: string | undefined, token?: string): Promise<unknown> {
    const h = list.find((x) => x.jobName === job.name);
    if (!h) throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queue}"`);
    const log = this.log.child({ jobId: job.id, queue, jobName: job.name, ...(requestId ? { requestId } : {}) });
    let delivery: OutboxDelivery | null = null;
    try {
      delivery = (await this.deliveries?.of(job.id)) ?? null;
    } catch (err) {
      log.error({ err }, 'job refused');
      throw new UnrecoverableError((err as Error).message);
    }
    log.info({ attempt: job.attemptsMade + 1 }, 'job started');
    try {
      const r = await h.handle(job, log);
      if (delivery) await this.deliveries!.consumed(delivery);
      log.info({}, 'job done');
      return r;
    } catch (err) {
      if (this.interrupting && token) {
        // Abandoned by a shutdown: back to the queue without counting an attempt, as after a crash.
        log.warn({ err: (err as Error).message }, 'job interrupted by shutdown; it runs again');
        await h.onInterrupted?.(job).catch((e) => log.error({ err: e }, 'could not put the job back'));
        await job.moveToDelayed(Date.now() + 1000, token);
        throw new DelayedError();
      }
      log.error({ err }, 'job failed');
      // Bad input will not get better by retrying.
      const forGood = err instanceof DomainError && err.status < 500 && err.status !== 409;
      if (delivery) {
        // What GET /api/v1/jobs shows of it (failedMessages): no host path, no value quoted by PostgreSQL; this log has the rest.
        await this.deliveries!.failed(delivery, jobErrorMessage(err), forGood).catch((e) =>
          log.warn({ err: e }, 'could not record the failure on the outbox message'),
        );
      }
      if (forGood) throw new UnrecoverableError((err as Error).message);
      throw err;
    }
  }

  /**
   * Stops taking jobs and waits for the running ones; past the grace time, interrupts them
   * (they go back to the queue and run again); past the deadline, gives up on them (their
   * locks expire and BullMQ hands them out again, as after a crash).
   */
  async stop(o?: StopOptions): Promise<void> {
    const started = Date.now();
    const closing = Promise.all(this.workers.map((w) => w.close()));
    if (!o) return void (await closing);
    if (await settlesWithin(closing, o.graceMs)) return;
    this.interrupting = true;
    this.log.warn({ graceMs: o.graceMs }, 'jobs still running at shutdown: interrupting them');
    // Again every second: a job between two statements is caught at its next one.
    for (;;) {
      await o.interrupt().catch((err) => this.log.error({ err }, 'could not interrupt the running jobs'));
      const left = o.deadlineMs - (Date.now() - started);
      if (await settlesWithin(closing, Math.min(1000, left))) return;
      if (left <= 1000) break;
    }
    this.log.error({}, 'jobs did not end in time; leaving them to be handed out again');
    await Promise.all(this.workers.map((w) => w.close(true).catch(() => undefined)));
  }
}
