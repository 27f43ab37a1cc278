import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * The effects of the fixtures' day-2 registry events (a newcomer, a cessation, two content
 * changes) on the orders and oppositions, and what an undisturbed run gives: shared by the
 * end-to-end and fault tests that disturb their consumption.
 */
const FIX = join(__dirname, '..', 'fixtures');
export const fixtures = {
  day1: join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt'),
  day2: join(FIX, 'PS_LibreAcces_Personne_activite_202611260600.txt'),
  holders: join(FIX, 'Porteurs_CPS_CPF_202611250600.txt'),
};
export const expectedDay2 = JSON.parse(readFileSync(`${fixtures.day2}.expected.json`, 'utf8')) as Record<
  'new' | 'ceased' | 'site_changed' | 'identity_changed',
  string[]
>;

/** Orders (by reason and holder) and the cards handed to opposition by the registry. */
export async function registryEffects(pg: Client) {
  const orders = (await pg.query(`SELECT reason, national_id FROM card_order ORDER BY reason, national_id`)).rows;
  const requests = (
    await pg.query(`SELECT c.national_id FROM opposition_request r JOIN card c USING (card_number) WHERE r.source = 'registry' ORDER BY 1`)
  ).rows;
  return { orders: orders.map((o) => `${o.reason} ${o.national_id}`), handedToOpposition: requests.map((r) => r.national_id as string) };
}

/** The orders and requests an undisturbed consumption of day 2 makes (registry-orders.e2e-spec.ts checks the same). */
export function undisturbedDay2Effects(handedToOpposition: string[]) {
  return {
    orders: [
      ...expectedDay2.new.map((n) => `first-issue ${n}`),
      ...[...expectedDay2.site_changed, ...expectedDay2.identity_changed].map((n) => `content-change ${n}`),
    ].sort(),
    handedToOpposition,
  };
}

export function expectUndisturbedDay2(e: Awaited<ReturnType<typeof registryEffects>>): void {
  expect(e.orders).toEqual(undisturbedDay2Effects(e.handedToOpposition).orders);
  expect(e.handedToOpposition.length).toBeGreaterThan(0);
  expect(new Set(e.handedToOpposition)).toEqual(new Set(expectedDay2.ceased));
}

/** Registry events not consumed yet. */
export const unconsumedEvents = async (pg: Client) =>
  (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'registry.event' AND consumed_at IS NULL`)).rows[0].n as number;

/** Holds the consumers' table so that every registry event's transaction waits (or times out). */
export async function blockConsumers(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  await c.query('BEGIN');
  await c.query('LOCK TABLE consumed_registry_event IN ACCESS EXCLUSIVE MODE');
  return c;
}

/** Sessions of the database (other than the caller's) waiting on a lock. */
export const sessionsWaitingOnLocks = async (pg: Client) =>
  (
    await pg.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    )
  ).rows[0].n as number;
