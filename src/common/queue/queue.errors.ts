import { DomainError } from '../errors/domain-error';

export const QUEUE_ERROR_CODES = ['queue_unavailable'] as const;
export type QueueErrorCode = (typeof QUEUE_ERROR_CODES)[number];

/** The job queues (Redis) cannot be reached: a 503 within seconds, never a hang. */
export class QueueError extends DomainError<QueueErrorCode> {
  static override readonly titles: Readonly<Record<QueueErrorCode, string>> = {
    queue_unavailable: 'The job queues are unavailable',
  };
}

export function queueUnavailable(cause: unknown): QueueError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new QueueError('queue_unavailable', `the job queues (Redis) cannot be reached right now: ${why}`, 503);
}

/** Runs a Redis call with a bound on its time (a fail-fast connection bounds it too). */
export async function withinMs<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(t);
  }
}
