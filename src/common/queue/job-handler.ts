import type { Job } from 'bullmq';
import { QueueName } from './queues';

/**
 * One handler per (queue, job name); the worker refuses to start if a routed job name has none.
 * Handlers are idempotent: a message delivered twice does its work once. A handler of an
 * outbox message marks it consumed in the transaction of its work (OutboxService.markConsumed).
 */
export interface JobHandler {
  readonly queue: QueueName;
  readonly jobName: string;
  /** Concurrency wanted on this queue (the largest asked wins). */
  readonly concurrency?: number;
  handle(job: Job, log: JobLogger): Promise<unknown>;
  /** Called when a shutdown interrupted the job: put what it tracks back in a state that lets it run again. */
  onInterrupted?(job: Job): Promise<void>;
}

export interface JobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
