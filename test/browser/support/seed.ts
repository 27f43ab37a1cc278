import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { Client } from 'pg';
import { apiCaller } from '../../support/api-caller';
import { eventually, runCli } from '../../support/processes';

const FIX = join(__dirname, '..', '..', 'fixtures');
/** The registry of the tier: the sample extract of 25 November 2026, and the card base of the same day. */
const REGISTRY = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const CARDS = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

/** Where the tier's processes run: the API (and the console under it) and the environment of its CLI, worker and API. */
export interface Tier {
  apiUrl: string;
  /** `${apiUrl}/console/`, the tests' baseURL */
  consoleUrl: string;
  /** DATABASE_URL, REDIS_URL, QUEUE_PREFIX, DATA_DIR...: what a CLI command of a test runs with (see runCli) */
  env: Record<string, string>;
}

export interface SeededProfessional {
  nationalId: string;
  professionCode: string;
  lastName: string;
  firstName: string;
}

/** What the seeded console holds that tests look for (read with `seeded()` or the `seed` fixture). */
export interface Seed {
  tier: Tier;
  /** Bearer tokens of two operators of the API (`alice`, `bob`), for a test that checks or prepares something over the API. */
  tokens: { alice: string; bob: string };
  /** LEFÈVRE MARIE (an accented name), pédicure-podologue, with an active card. */
  professionalWithCard: SeededProfessional & { cardNumber: string; cardState: string; validUntil: string };
  /** A manual order made by the operator `bob`, waiting for a second operator's approval (any other operator may approve it). */
  orderAwaitingApproval: SeededProfessional & { id: string; status: 'requested'; requestedBy: string };
  /** A manual order made by `alice`, approved by `bob`, written on a card (`cardNumber`) by the worker's simulated encoder. */
  personalizedOrder: SeededProfessional & {
    id: string;
    status: 'personalized';
    requestedBy: string;
    approvedBy: string;
    cardNumber: string;
  };
}

/** The accented professional with a card of the fixtures (810000000355: LEFÈVRE MARIE, card 2900001260). */
const WITH_CARD = '810000000355';
/** A chirurgien-dentiste (LEFÈVRE CÉLINE), whose manual order by bob waits for approval. */
const AWAITING = { nationalId: '810000001601', professionCode: '40' };
/** A sage-femme (BERTRAND ANAÏS), whose manual order by alice is approved by bob and personalized. */
const PERSONALIZED = { nationalId: '810000002088', professionCode: '50' };

/** Runs a CLI command of the tier; its JSON answer, or an error with its output. */
async function cli(env: Record<string, string>, args: string[]): Promise<any> {
  const r = await runCli(args, env);
  if (r.code !== 0) throw new Error(`cps ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.json;
}

/** Imports the registry through the CLI, as an agency does; the first command of the tier, it creates and migrates the database (DATABASE_URL of `env`). */
export async function importRegistry(env: Record<string, string>): Promise<void> {
  await cli(env, ['rpps:import', REGISTRY, '--json']);
}

/** Imports the card base through the CLI (before the worker starts: it then meets the registry's events with the cards known, as in the end-to-end tests). */
export async function importCards(env: Record<string, string>): Promise<void> {
  await cli(env, ['cards:import', CARDS, '--json']);
}

/** The API tokens of the seed (tokens:create): two operators. */
export async function createTokens(env: Record<string, string>): Promise<Seed['tokens']> {
  const [alice, bob] = await Promise.all(
    ['alice', 'bob'].map(
      async (name) => (await cli(env, ['tokens:create', '--role', 'operator', '--name', name, '--json'])).token as string,
    ),
  );
  return { alice, bob };
}

/**
 * The rest of the seed, over the running API and worker (`tier`): the orders (two operators,
 * four eyes), the worker's personalization; waits until the worker has nothing left to do, so
 * that every test starts from the same state.
 */
export async function seedOrders(tier: Tier, tokens: Seed['tokens']): Promise<Seed> {
  const call = apiCaller(() => tier.apiUrl, tokens);
  const ok = async (method: string, path: string, who: keyof typeof tokens, body?: unknown) => {
    const r = await call(method, path, who, body);
    if (r.status >= 300) throw new Error(`${method} ${path} as ${who}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const professional = async (nationalId: string, professionCode: string): Promise<SeededProfessional> => {
    const p = await ok('GET', `/api/v1/professionals/${nationalId}`, 'alice');
    return { nationalId, professionCode, lastName: p.lastName, firstName: p.firstName };
  };
  const manualOrder = (who: 'alice' | 'bob', p: { nationalId: string; professionCode: string }) =>
    ok('POST', '/api/v1/orders', who, { ...p, cardType: 'CPS', reason: 'manual' });

  const withCard = await ok('GET', `/api/v1/professionals/${WITH_CARD}`, 'alice');
  const card = withCard.cards?.[0];
  if (!/[^A-Z' -]/.test(`${withCard.lastName}${withCard.firstName}`) || !card) {
    throw new Error(`the seed wants ${WITH_CARD} with an accented name and a card: ${JSON.stringify(withCard)}`);
  }

  const awaiting = await manualOrder('bob', AWAITING);
  const toPersonalize = await manualOrder('alice', PERSONALIZED);
  await ok('POST', `/api/v1/orders/${toPersonalize.id}/approve`, 'bob');
  await workerIdle(tier.env.DATABASE_URL);
  const personalized = await ok('GET', `/api/v1/orders/${toPersonalize.id}`, 'alice');
  if (personalized.status !== 'personalized' || (await ok('GET', `/api/v1/orders/${awaiting.id}`, 'alice')).status !== 'requested') {
    throw new Error(`the seed's orders are not as wanted: ${JSON.stringify(personalized)}`);
  }

  return {
    tier,
    tokens,
    professionalWithCard: {
      nationalId: WITH_CARD,
      professionCode: card.professionCode,
      lastName: withCard.lastName,
      firstName: withCard.firstName,
      cardNumber: card.cardNumber,
      cardState: card.state,
      validUntil: card.validUntil,
    },
    orderAwaitingApproval: {
      ...(await professional(AWAITING.nationalId, AWAITING.professionCode)),
      id: awaiting.id,
      status: 'requested',
      requestedBy: awaiting.requestedBy,
    },
    personalizedOrder: {
      ...(await professional(PERSONALIZED.nationalId, PERSONALIZED.professionCode)),
      id: personalized.id,
      status: 'personalized',
      requestedBy: personalized.requestedBy,
      approvedBy: personalized.approvedBy,
      cardNumber: personalized.cardNumber,
    },
  };
}

/** Until the worker has relayed and consumed every outbox message and no order waits for a card. */
async function workerIdle(databaseUrl: string): Promise<void> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    await eventually(
      async () => {
        const { rows } = await pg.query(
          `SELECT (SELECT count(*)::int FROM outbox WHERE consumed_at IS NULL AND failed_at IS NULL) AS pending,
                  (SELECT count(*)::int FROM card_order WHERE status IN ('approved', 'personalizing')) AS waiting`,
        );
        return rows[0].pending === 0 && rows[0].waiting === 0;
      },
      60_000,
      'the worker to relay every outbox message and personalize every approved order',
    );
  } finally {
    await pg.end();
  }
}

/** The env variable naming the seed's file, set by the global setup for the tests' workers. */
export const SEED_FILE_VARIABLE = 'CPS_BROWSER_SEED';

export function writeSeed(file: string, seed: Seed): void {
  writeFileSync(file, JSON.stringify(seed, null, 2));
  process.env[SEED_FILE_VARIABLE] = file;
}

/** What the global setup seeded (see Seed). */
export function seeded(): Seed {
  const file = process.env[SEED_FILE_VARIABLE];
  if (!file) throw new Error(`${SEED_FILE_VARIABLE} is not set: the browser tier runs with its global setup (npm run test:browser)`);
  return JSON.parse(readFileSync(file, 'utf8')) as Seed;
}

/** Playwright's `test` with the seed as a fixture: `test('...', async ({ page, seed }) => ...)`. */
export const test = base.extend<object, { seed: Seed }>({
  seed: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      await use(seeded());
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
