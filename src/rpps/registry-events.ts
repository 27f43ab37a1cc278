/** The registry events an import emits (contract.md), one per professional and kind of change. */
export const REGISTRY_EVENT_KINDS = [
  'NEW_PROFESSIONAL',
  'PROFESSION_ADDED',
  'PROFESSION_REMOVED',
  'IDENTITY_CHANGED',
  'SITUATION_CHANGED',
  'IDENTIFIER_MIGRATED',
  'CEASED',
] as const;

export type RegistryEventKind = (typeof REGISTRY_EVENT_KINDS)[number];
export type EventCounts = Record<RegistryEventKind, number>;

export function zeroCounts(): EventCounts {
  return Object.fromEntries(REGISTRY_EVENT_KINDS.map((k) => [k, 0])) as EventCounts;
}

/** Outbox topic of registry events; the job payload is `{ eventId, kind }` (ids only). */
export const REGISTRY_EVENT_TOPIC = 'registry.event';
