import type { Job } from 'bullmq';
import { QueueName } from './queues';

/** One handler per (queue, job name); the worker refuses to start if a routed job name has none. */
export interface JobHandler {
  readonly queue: QueueName;
  readonly jobName: string;
  /** Concurrency wanted on this queue (the largest asked wins). */
  readonly concurrency?: number;
  handle(job: Job, log: JobLogger): Promise<unknown>;
}

export interface JobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
