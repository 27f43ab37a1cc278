/** One enum of queue names (design.md point 5). */
export enum QueueName {
  RppsImport = 'rpps-import',
  RegistryEvents = 'registry-events',
  Opposition = 'opposition',
  Renewals = 'renewals',
}

/** Where each outbox topic goes: the relay adds a job of name `topic` on this queue. */
export const TOPIC_QUEUES: Record<string, QueueName> = {
  'rpps.import.requested': QueueName.RppsImport,
  'registry.event': QueueName.RegistryEvents,
  'card.opposition-requested': QueueName.Opposition,
};

/** Typed payloads: ids only, never a PIN, a PUK or a person's data (design.md point 4). */
export interface JobPayloads {
  'rpps.import.requested': { jobRunId: string };
  'registry.event': { eventId: string; kind: string };
  'card.opposition-requested': { requestId: string };
}

export function queueForTopic(topic: string): QueueName {
  const q = TOPIC_QUEUES[topic];
  if (!q) throw new Error(`No queue is declared for outbox topic "${topic}"`);
  return q;
}
