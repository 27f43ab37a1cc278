import type { JobsOptions } from 'bullmq';

/** One enum of queue names (design.md point 5). */
export enum QueueName {
  RppsImport = 'rpps-import',
  RegistryEvents = 'registry-events',
  Opposition = 'opposition',
  Renewals = 'renewals',
  Crl = 'crl',
  Mailing = 'mailing',
  /** Upkeep: the daily retention purge. */
  Maintenance = 'maintenance',
}

/**
 * The daily schedules (BullMQ job schedulers) every worker creates at start and checks every SCHEDULES_CHECK_SECONDS,
 * by id, with their queue: the CRL, the expiry and renewal sweeps, the letters and the codes sweep, the retention purge.
 */
export const DAILY_SCHEDULES = [
  { id: 'daily-full-crl', queue: QueueName.Crl },
  { id: 'daily-expiry-sweep', queue: QueueName.Opposition },
  { id: 'daily-renewal-sweep', queue: QueueName.Renewals },
  { id: 'daily-card-letters', queue: QueueName.Mailing },
  { id: 'daily-pin-letters', queue: QueueName.Mailing },
  { id: 'daily-codes-sweep', queue: QueueName.Mailing },
  { id: 'daily-retention', queue: QueueName.Maintenance },
] as const;

export type DailyScheduleId = (typeof DAILY_SCHEDULES)[number]['id'];

/** Where each outbox topic goes: the relay adds a job of name `topic` on this queue. */
export const TOPIC_QUEUES: Record<string, QueueName> = {
  'rpps.import.requested': QueueName.RppsImport,
  'registry.event': QueueName.RegistryEvents,
  'card.opposition-requested': QueueName.Opposition,
  'crl.delta-requested': QueueName.Crl,
  'orders.approved': QueueName.Mailing,
  'card.personalized': QueueName.Mailing,
  'card.opposed': QueueName.Mailing,
};

/** Typed payloads: ids only, never a PIN, a PUK or a person's data (design.md point 4). */
export interface JobPayloads {
  'rpps.import.requested': { jobRunId: string };
  'registry.event': { eventId: string; kind: string };
  'card.opposition-requested': { requestId: string };
  /** An opposition was recorded: a delta CRL is due (debounced, see TOPIC_JOB_OPTIONS). */
  'crl.delta-requested': Record<string, never>;
  /** Orders were approved (one, or a chunk of a renewal sweep): the vault issues their codes. */
  'orders.approved': { orderIds: string[] };
  /** Cards were personalized: mailing prepares their card letters. */
  'card.personalized': { cardNumbers: string[] };
  /** Cards were opposed (any reason, any path): mailing destroys their codes and withdraws their letters not printed. */
  'card.opposed': { cardNumbers: string[] };
}

/**
 * Job options of a topic beyond the relay's defaults. Delta CRLs are debounced: the first
 * request schedules one `delayMs` later, the requests meanwhile join it, and one arriving
 * while it runs schedules exactly one more (BullMQ deduplication, keepLastIfActive).
 */
export function topicJobOptions(topic: string, o: { crlDeltaDelayMs: number }): Partial<JobsOptions> {
  if (topic === 'crl.delta-requested') {
    return { delay: o.crlDeltaDelayMs, deduplication: { id: 'crl-delta', keepLastIfActive: true } };
  }
  return {};
}

export function queueForTopic(topic: string): QueueName {
  const q = TOPIC_QUEUES[topic];
  if (!q) throw new Error(`No queue is declared for outbox topic "${topic}"`);
  return q;
}
