import { Job, UnrecoverableError, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import type pino from 'pino';
import { DomainError } from '../errors/domain-error';
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

/** One BullMQ worker per served queue, dispatching by job name to its handler. */
export class QueueWorkers {
  private readonly workers: Worker[] = [];

  constructor(
    private readonly handlers: JobHandler[],
    private readonly connection: IORedis,
    private readonly prefix: string,
    private readonly log: pino.Logger,
  ) {
    const problems = checkHandlers(handlers);
    if (problems.length) throw new Error(`job handlers are incomplete:\n  - ${problems.join('\n  - ')}`);
  }

  start(): QueueName[] {
    const byQueue = new Map<QueueName, JobHandler[]>();
    for (const h of this.handlers) byQueue.set(h.queue, [...(byQueue.get(h.queue) ?? []), h]);
    for (const [queue, list] of byQueue) {
      const concurrency = Math.max(1, ...list.map((h) => h.concurrency ?? 1));
      const worker = new Worker(
        queue,
        async (job: Job) => {
          const h = list.find((x) => x.jobName === job.name);
          if (!h) throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queue}"`);
          const log = this.log.child({ jobId: job.id, queue, jobName: job.name });
          log.info({ attempt: job.attemptsMade + 1 }, 'job started');
          try {
            const r = await h.handle(job, log);
            log.info({}, 'job done');
            return r;
          } catch (err) {
            log.error({ err }, 'job failed');
            // Bad input will not get better by retrying.
            if (err instanceof DomainError && err.status < 500 && err.status !== 409) throw new UnrecoverableError(err.message);
            throw err;
          }
        },
        { connection: this.connection, prefix: this.prefix, concurrency, lockDuration: 60_000 },
      );
      worker.on('error', (err) => this.log.error({ err, queue }, 'worker error'));
      this.workers.push(worker);
    }
    return [...byQueue.keys()];
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
