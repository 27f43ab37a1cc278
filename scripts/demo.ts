/**
 * `npm run demo`: the project end to end on generated sample data, in its own database.
 *
 * Runs the real CLI (`node dist/src/cli.js ... --json`) as child processes against a
 * dedicated database `cps_demo` on the server of DATABASE_URL (the database named in
 * DATABASE_URL is never touched), with QUEUE_PREFIX=cps-demo and DATA_DIR=<project>/var/demo,
 * and prints what each step did. The sample extracts come from the project's generator
 * with a fixed seed, so every run prints the same figures (timings and ids aside).
 *
 * The demo is a list of named steps (STEPS below) sharing a context: later features
 * (orders, cards, letters, CRL) append their steps there. A step returns the lines it
 * reports; it throws DemoFailure (with the child's stderr) to stop the demo with exit 1.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { type RunningApi, startApi, startWorker } from '../bench/api-process';
import {
  generateRegistryDay1,
  generateRegistryNextDay,
  type NextDayStats,
  type RegistryDay1Stats,
  type RegistryEventCounts,
  truncateRegistryFile,
} from '../bench/generators/rpps-generator';
import { spawnMeasured } from '../bench/harness';
import { parisDate } from '../src/common/clock/clock';
import { databaseName, dropDatabase, withDatabase } from '../src/common/database/database-url';
import { cardTypeForCategory } from '../src/orders/validity';
import { luhnCheckDigit } from '../src/rpps/identifiers';
import { REGISTRY_EVENT_KINDS } from '../src/rpps/registry-events';
import { crlText, verifyCrl } from '../test/support/openssl';
import { type ConsoleAccount, type ConsoleDeps, consoleAccounts, orderAwaitingApproval } from './demo-console';

// ---------------------------------------------------------------------------
// Settings (fixed: the demo prints the same figures every time)
// ---------------------------------------------------------------------------

const SEED = 20260105;
const PERSONS = 2000;
const CHANGE_RATE = 0.02;
const LAYOUT = 52 as const;
const TRUNCATE_FRACTION = 0.5;
/** Share of the registry an import may cease before it is held (the default of RPPS_MASS_CHANGE_RATIO). */
const MASS_CHANGE_RATIO = 0.05;
const DEMO_DB = 'cps_demo';
const QUEUE_PREFIX = 'cps-demo';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cps';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** File stamps (YYYYMMDDhhmm) of the three extracts: day 1, the day after, and a truncated day 3. */
const STAMPS = { day1: '202601050600', day2: '202601060600', day3: '202601070600' } as const;
const EVENT_KINDS = REGISTRY_EVENT_KINDS;

// ---------------------------------------------------------------------------
// Context shared by the steps
// ---------------------------------------------------------------------------

/** What `rpps:import --json` prints (contract.md), with the extra fields the CLI gives. */
interface ImportJson {
  importId: string;
  status: 'baseline' | 'applied' | 'unchanged' | 'held';
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rejects: Array<{ line: number; reason: string }>;
  events: Partial<RegistryEventCounts>;
  professionals?: { before: number; after: number };
  heldReason?: string;
  seconds?: number;
}

interface Ctx {
  root: string;
  dataDir: string;
  extractDir: string;
  cli: string;
  userDatabaseUrl: string;
  redisUrl: string;
  demoUrl: string;
  env: NodeJS.ProcessEnv;
  files: { day1: string; day2: string; day3: string; expected: string };
  day1?: RegistryDay1Stats;
  day2?: NextDayStats;
  imports: { day1?: ImportJson; day2?: ImportJson; day3?: ImportJson };
  /** set when the day-2 events differ from the generator's expected counts */
  mismatch: boolean;
  /** a professional of the demo registry, for the "look further" hints */
  sampleId?: string;
  tokenFile?: string;
  /** the HTTP API, started for the opposition steps and stopped at the end */
  api?: RunningApi;
  helpdeskToken?: string;
  /** the card the helpdesk declares lost */
  lostCard?: string;
  /** two operators' tokens: one asks, the other approves */
  operators?: { alice: string; bob: string };
  /** the card-letter batch, once made */
  cardBatch?: { batchId: string; number: number };
  /** the people who sign in to the console, with their demo passwords */
  consoleAccounts?: ConsoleAccount[];
}

interface Step {
  title: string;
  run(ctx: Ctx): Promise<string[]>;
}

class DemoFailure extends Error {
  constructor(
    message: string,
    readonly details = '',
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** The project root: the nearest folder above this file with a package.json (works from dist/ or with ts-node). */
function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new DemoFailure(`no package.json above ${__dirname}`);
    dir = up;
  }
}

/** The URL with its password masked, for messages. */
function shown(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function rel(ctx: Ctx, file: string): string {
  return path.relative(ctx.root, file) || '.';
}

function secs(s: number): string {
  return `${s.toFixed(1)} s`;
}

function n(v: number): string {
  return v.toLocaleString('en');
}

async function cli<T>(ctx: Ctx, args: string[], okCodes: number[] = [0]): Promise<{ json: T; seconds: number; code: number }> {
  const r = await spawnMeasured(process.execPath, [ctx.cli, ...args, '--json'], ctx.env, { cwd: ctx.root });
  const command = `cli ${args.map((a) => (a.includes(path.sep) ? rel(ctx, a) : a)).join(' ')} --json`;
  const text = r.stdout.trim();
  let json: unknown;
  try {
    json = JSON.parse(text.slice(text.lastIndexOf('\n') + 1));
  } catch {
    json = undefined;
  }
  const code = r.code ?? -1;
  const jsonError = (json as { error?: { message?: string } } | undefined)?.error;
  if (!okCodes.includes(code) || json === undefined || jsonError) {
    const why = r.signal ? `killed by ${r.signal}` : `exit code ${code}`;
    const details = [
      jsonError?.message ? `error: ${jsonError.message}` : '',
      r.stderr.trim() ? `--- stderr of the CLI ---\n${r.stderr.trim()}` : '(no stderr)',
      json === undefined && text ? `--- stdout of the CLI ---\n${text}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    throw new DemoFailure(`${command} failed (${why})`, details);
  }
  return { json: json as T, seconds: r.seconds, code };
}

async function withDemoDb<T>(ctx: Ctx, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ctx.demoUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function eventsLine(events: Partial<RegistryEventCounts>): string {
  const parts = EVENT_KINDS.filter((k) => (events[k] ?? 0) > 0).map((k) => `${k} ${n(events[k] ?? 0)}`);
  return parts.length ? parts.join(', ') : 'none';
}

function importLines(r: ImportJson, seconds: number): string[] {
  const p = r.professionals;
  return [
    `status ${r.status}; lines read ${n(r.rowsRead)}, accepted ${n(r.rowsAccepted)}, rejected ${n(r.rowsRejected)}` +
      (p ? `; professionals ${n(p.before)} → ${n(p.after)}` : '') +
      `; ${secs(seconds)}`,
    `events: ${eventsLine(r.events)}`,
    ...r.rejects.slice(0, 3).map((x) => `reject line ${x.line}: ${x.reason}`),
  ];
}

// ---------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------

const checkServices: Step = {
  title: 'PostgreSQL and Redis',
  async run(ctx) {
    const pgUrl = withDatabase(ctx.userDatabaseUrl, 'postgres');
    const pg = new Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
    let version = '';
    try {
      await pg.connect();
      const r = await pg.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
      version = r.rows[0].v;
    } catch (e) {
      throw new DemoFailure(
        `PostgreSQL is not reachable at ${shown(ctx.userDatabaseUrl)} (DATABASE_URL): ${(e as Error).message}`,
        'Start it with `bash .ci/services.sh` (installs and starts PostgreSQL and Redis on 127.0.0.1),\n' +
          'or point DATABASE_URL at a running server (the demo uses its own database "cps_demo" there).',
      );
    } finally {
      await pg.end().catch(() => undefined);
    }
    const redis = new IORedis(ctx.redisUrl, {
      lazyConnect: true,
      connectTimeout: 5000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    let lastError: Error | undefined;
    redis.on('error', (e: Error) => (lastError = e)); // the cause, reported below
    try {
      await redis.connect();
      await redis.ping();
    } catch (e) {
      throw new DemoFailure(
        `Redis is not reachable at ${shown(ctx.redisUrl)} (REDIS_URL): ${(lastError ?? (e as Error)).message}`,
        'Start it with `bash .ci/services.sh` (or `redis-server --daemonize yes`), or set REDIS_URL.',
      );
    } finally {
      redis.disconnect();
    }
    return [`PostgreSQL ${version} at ${shown(pgUrl.replace(/\/postgres$/, ''))}, Redis at ${shown(ctx.redisUrl)}: reachable`];
  },
};

const freshDemoDatabase: Step = {
  title: 'Fresh demo database',
  async run(ctx) {
    await dropDatabase(ctx.demoUrl);
    fs.rmSync(ctx.dataDir, { recursive: true, force: true });
    fs.mkdirSync(ctx.extractDir, { recursive: true });
    return [
      `dropped "${DEMO_DB}" (the CLI recreates it and applies the migrations) and emptied ${rel(ctx, ctx.dataDir)}/`,
      `your database "${databaseName(ctx.userDatabaseUrl)}" is not touched`,
    ];
  },
};

const generateExtracts: Step = {
  title: 'Sample registry extracts',
  async run(ctx) {
    const t0 = process.hrtime.bigint();
    ctx.day1 = await generateRegistryDay1({ persons: PERSONS, seed: SEED, layout: LAYOUT, out: ctx.files.day1 });
    ctx.day2 = await generateRegistryNextDay({
      day1: ctx.files.day1,
      seed: SEED,
      changeRate: CHANGE_RATE,
      layout: LAYOUT,
      out: ctx.files.day2,
      expectedOut: ctx.files.expected,
    });
    const d1 = ctx.day1;
    const d2 = ctx.day2;
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    return [
      `seed ${SEED}, ${LAYOUT}-column layout, ${secs(t)}`,
      `day 1: ${n(d1.persons)} persons (${n(d1.rpps)} RPPS, ${n(d1.adeli)} ADELI), ${n(d1.lines)} lines`,
      `day 2: change rate ${CHANGE_RATE * 100}%: ${d2.added} new, ${d2.ceased} ceased, ${d2.siteChanged} moved site, ` +
        `${d2.identityChanged} renamed; ${n(d2.lines)} lines`,
    ];
  },
};

const importDay1: Step = {
  title: 'Import day 1 (baseline)',
  async run(ctx) {
    const { json, seconds } = await cli<ImportJson>(ctx, ['rpps:import', ctx.files.day1]);
    ctx.imports.day1 = json;
    if (json.status !== 'baseline') throw new DemoFailure(`day 1 import: status ${json.status}, expected baseline`, JSON.stringify(json));
    return importLines(json, seconds);
  },
};

const importDay2: Step = {
  title: 'Import day 2 (the day after)',
  async run(ctx) {
    const { json, seconds } = await cli<ImportJson>(ctx, ['rpps:import', ctx.files.day2]);
    ctx.imports.day2 = json;
    if (json.status !== 'applied') throw new DemoFailure(`day 2 import: status ${json.status}, expected applied`, JSON.stringify(json));
    const expected = ctx.day2!.expectedEvents;
    const diffs = EVENT_KINDS.filter((k) => (json.events[k] ?? 0) !== expected[k]).map(
      (k) => `${k} got ${json.events[k] ?? 0}, expected ${expected[k]}`,
    );
    ctx.mismatch = diffs.length > 0;
    const lines = importLines(json, seconds);
    lines.push(
      diffs.length
        ? `generator's expected events: DIFFERENT: ${diffs.join('; ')}`
        : `generator's expected events: matches (${eventsLine(expected)})`,
    );
    // a few professionals that changed, one per kind of change
    const rows = await withDemoDb(
      ctx,
      async (c) =>
        (
          await c.query<{ kind: string; national_id: string; last_name: string; first_name: string; before_name: string | null }>(
            `SELECT * FROM (
             SELECT DISTINCT ON (e.kind) e.kind, e.national_id, p.last_name, p.first_name,
                    e.details->'before'->>'lastName' AS before_name
               FROM rpps_event e JOIN rpps_professional p ON p.national_id = e.national_id
              WHERE e.import_id = $1 AND e.kind IN ('NEW_PROFESSIONAL', 'IDENTITY_CHANGED', 'SITUATION_CHANGED', 'CEASED')
              ORDER BY e.kind, e.id) x
           ORDER BY array_position(ARRAY['NEW_PROFESSIONAL','IDENTITY_CHANGED','SITUATION_CHANGED','CEASED'], x.kind)`,
            [json.importId],
          )
        ).rows,
    );
    lines.push('for example:');
    for (const r of rows) {
      const name = `${r.first_name} ${r.last_name}`.trim();
      const was = r.kind === 'IDENTITY_CHANGED' && r.before_name ? ` (was ${r.before_name})` : '';
      lines.push(`  ${r.kind.padEnd(18)} ${r.national_id}  ${name}${was}`);
    }
    ctx.sampleId = rows.find((r) => r.kind === 'IDENTITY_CHANGED')?.national_id ?? rows[0]?.national_id;
    return lines;
  },
};

const importTruncated: Step = {
  title: 'Import a truncated day 3 (mass-change guard)',
  async run(ctx) {
    const cut = await truncateRegistryFile({ input: ctx.files.day2, out: ctx.files.day3, fraction: TRUNCATE_FRACTION });
    const { json, seconds, code } = await cli<ImportJson>(ctx, ['rpps:import', ctx.files.day3], [0, 1]);
    ctx.imports.day3 = json;
    if (json.status !== 'held' || code !== 1) {
      throw new DemoFailure(`truncated import: status ${json.status} (exit ${code}), expected held (exit 1)`, JSON.stringify(json));
    }
    const activeBefore = ctx.imports.day2?.professionals?.after;
    const { active, events } = await withDemoDb(ctx, async (c) => {
      const a = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM rpps_professional WHERE ceased_at IS NULL`);
      const e = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM rpps_event WHERE import_id = $1`, [json.importId]);
      return { active: a.rows[0].n, events: e.rows[0].n };
    });
    if (events !== 0 || (activeBefore !== undefined && active !== activeBefore)) {
      throw new DemoFailure(
        `the held import changed the registry: ${events} events stored, ${active} active professionals (was ${activeBefore})`,
      );
    }
    const ceased = json.events.CEASED ?? 0;
    const before = json.professionals?.before ?? active;
    return [
      `kept the first ${Math.round(TRUNCATE_FRACTION * 100)}% of day 2: ${n(cut.persons)} of ${n(cut.inputPersons)} persons, ${n(cut.lines)} lines`,
      `status held (exit code 1, as expected); lines read ${n(json.rowsRead)}; ${secs(seconds)}`,
      `would cease ${n(ceased)} of ${n(before)} professionals (${((100 * ceased) / Math.max(before, 1)).toFixed(1)}%, ` +
        `more than the ${MASS_CHANGE_RATIO * 100}% allowed): nothing applied, ${n(active)} active, 0 events stored`,
    ];
  },
};

const auditVerify: Step = {
  title: 'Audit trail',
  async run(ctx) {
    // no worker runs in the demo: audit:checkpoint links the queued entries and signs a checkpoint
    const cp = await cli<{ size: number; head: string; signedAt: string }>(ctx, ['audit:checkpoint']);
    const { json, seconds } = await cli<{
      entries: number;
      ok: boolean;
      firstBadEntry?: string | null;
      problems?: Array<{ message: string }>;
    }>(ctx, ['audit:verify']);
    if (!json.ok) throw new DemoFailure(`audit trail contradicted: ${(json.problems ?? []).map((p) => p.message).join('; ')}`);
    return [
      `audit:checkpoint: chain of ${n(cp.json.size)} entries signed, head ${cp.json.head.slice(0, 16)}…; ${secs(cp.seconds)}`,
      `audit:verify: hash chain intact over ${n(json.entries)} entries, and it holds to the signed checkpoint; ${secs(seconds)}`,
    ];
  },
};

const createToken: Step = {
  title: 'API token',
  async run(ctx) {
    const { json } = await cli<{ token: string }>(ctx, ['tokens:create', '--role', 'operator', '--name', 'demo']);
    ctx.tokenFile = path.join(ctx.dataDir, 'operator.token');
    fs.writeFileSync(ctx.tokenFile, `${json.token}\n`, { mode: 0o600 });
    return [
      `operator token ${json.token.slice(0, 8)}… created (only its hash is stored; full token in ${rel(ctx, ctx.tokenFile)}, mode 600)`,
    ];
  },
};

const CARD_TYPE_CODES: Record<string, string> = { CPS: '00', CPF: '01' };
const HOLDERS_HEADER =
  "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|Prénom d'exercice|Code profession|" +
  'Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type de carte|Libellé type de carte|' +
  'Numéro carte|Identifiant national contenu dans la carte|Date début validité|Date fin validité|Date opposition|Date de mise à jour|';

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

function daysFromToday(days: number): Date {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + days);
  return d;
}

const importCards: Step = {
  title: 'The card base (cards:import)',
  async run(ctx) {
    // One card per (professional, profession) of the registry's first 400: most valid, one in
    // ten already past its end of validity, one in twenty-five opposed in the old base.
    const rows = await withDemoDb(
      ctx,
      async (c) =>
        (
          await c.query<{
            id_type: string;
            identifier: string;
            national_id: string;
            last_name: string;
            first_name: string;
            profession_code: string;
            category_code: string;
          }>(
            `SELECT p.id_type, p.identifier, p.national_id, p.last_name, p.first_name, f.profession_code, f.category_code
             FROM rpps_professional p JOIN rpps_profession f ON f.national_id = p.national_id
            WHERE p.ceased_at IS NULL ORDER BY p.national_id, f.profession_code LIMIT 400`,
          )
        ).rows,
    );
    const lines = rows.map((r, i) => {
      const type = cardTypeForCategory(r.category_code);
      const payload = `28${String(i + 1).padStart(7, '0')}`;
      const expired = i % 10 === 3;
      const until = expired ? daysFromToday(-5 - (i % 40)) : daysFromToday(200 + ((i * 37) % 900));
      const from = new Date(until);
      from.setUTCFullYear(from.getUTCFullYear() - 3);
      from.setUTCDate(from.getUTCDate() + 1);
      const opposed = i % 25 === 7 ? ymd(daysFromToday(-100)) : '';
      return [
        r.id_type,
        r.identifier,
        r.national_id,
        r.last_name,
        r.first_name,
        r.profession_code,
        '',
        r.category_code,
        '',
        CARD_TYPE_CODES[type],
        type,
        payload + luhnCheckDigit(payload),
        r.national_id,
        ymd(from),
        ymd(until),
        opposed,
        ymd(daysFromToday(0)),
        '',
      ].join('|');
    });
    const file = path.join(ctx.dataDir, `Porteurs_CPS_CPF_${STAMPS.day2}.txt`);
    fs.writeFileSync(file, `${[HOLDERS_HEADER, ...lines].join('\n')}\n`);
    const { json, seconds } = await cli<{ rowsRead: number; cardsCreated: number; rowsRejected: number }>(ctx, ['cards:import', file]);
    if (json.rowsRejected)
      throw new DemoFailure(`cards:import rejected ${json.rowsRejected} lines of the generated file`, JSON.stringify(json));
    const counts = await withDemoDb(
      ctx,
      async (c) =>
        (
          await c.query<{ valid: number; expired: number; opposed: number }>(
            `SELECT count(*) FILTER (WHERE state <> 'opposed' AND valid_until >= current_date)::int AS valid,
                count(*) FILTER (WHERE state <> 'opposed' AND valid_until < current_date)::int AS expired,
                count(*) FILTER (WHERE state = 'opposed')::int AS opposed FROM card`,
          )
        ).rows[0],
    );
    return [
      `${rel(ctx, file)}: ${n(json.rowsRead)} cards of the demo registry's professionals; ${secs(seconds)}`,
      `${n(json.cardsCreated)} created: ${n(counts.valid)} valid, ${n(counts.expired)} past their end of validity, ` +
        `${n(counts.opposed)} opposed in the old base (handed over to opposition, without a reason)`,
    ];
  },
};

async function api<T>(
  ctx: Ctx,
  method: string,
  route: string,
  body?: unknown,
  token = ctx.helpdeskToken,
  base = ctx.api!.url,
): Promise<{ status: number; json: T }> {
  const r = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as T };
}

const declareLoss: Step = {
  title: 'The helpdesk declares a lost card (HTTP API)',
  async run(ctx) {
    ctx.helpdeskToken = (await cli<{ token: string }>(ctx, ['tokens:create', '--role', 'helpdesk', '--name', 'demo-helpdesk'])).json.token;
    ctx.api = await startApi({ ...ctx.env, LOG_LEVEL: 'warn' });
    const [lost, other] = await withDemoDb(ctx, async (c) =>
      (
        await c.query<{ card_number: string }>(
          `SELECT card_number FROM card WHERE state = 'active' AND valid_until >= current_date ORDER BY card_number LIMIT 2`,
        )
      ).rows.map((r) => r.card_number),
    );
    ctx.lostCard = lost;
    type Opp = { id: string; reason: string; replacementOrderId: string | null };
    const declaration = {
      reason: 'loss',
      channel: 'phone',
      verification: 'date of birth and card number checked',
      invalidityDate: ymd(daysFromToday(-2)).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3'),
    };
    const first = await api<Opp>(ctx, 'POST', `/api/v1/cards/${lost}/oppositions`, declaration);
    const again = await api<Opp>(ctx, 'POST', `/api/v1/cards/${lost}/oppositions`, { ...declaration, reason: 'theft' });
    if (first.status !== 201 || again.status !== 200 || again.json.id !== first.json.id) {
      throw new DemoFailure(
        `declaration: got ${first.status} then ${again.status}`,
        JSON.stringify({ first: first.json, again: again.json }),
      );
    }
    const status = async (card: string) =>
      (await api<{ status: string; reason?: string }>(ctx, 'GET', `/api/v1/cards/${card}/status`)).json;
    const s1 = await status(lost);
    const s2 = await status(other);
    const s3 = await status('9999999999');
    return [
      `API started on ${ctx.api.url}; helpdesk token created`,
      `POST /api/v1/cards/${lost}/oppositions (loss, by phone): 201, opposition ${first.json.id}, ` +
        `replacement order ${first.json.replacementOrderId ?? 'none'} (approved by policy)`,
      `the same declaration again (as a theft): 200, the same opposition ${again.json.id}, reason still ${again.json.reason}`,
      `GET .../status: ${lost} ${s1.status} (${s1.reason}), ${other} ${s2.status}, 9999999999 ${s3.status}`,
    ];
  },
};

const personalizeCards: Step = {
  title: "The day's approved orders personalized on the simulated encoder (personalize:run)",
  async run(ctx) {
    type Decoded = Record<string, { kind: string; fields?: Record<string, unknown>; records?: unknown[]; matches?: boolean }>;
    type Run = {
      cardsPersonalized: number;
      cardsSpoiled: number;
      results: Array<{ orderId: string; cardNumber: string; chipSerial: string }>;
      firstCard?: { cardNumber: string; chipSerial: string; files: Decoded };
    };
    const r = await cli<Run>(ctx, ['personalize:run', '--show-first-card', '--json']);
    const { cardsPersonalized, cardsSpoiled, firstCard } = r.json;
    const lines = [
      `${cardsPersonalized} cards personalized, ${cardsSpoiled} spoiled (${secs(r.seconds)}); codes drawn by the vault, never shown`,
    ];
    for (const x of r.json.results.slice(0, 3)) lines.push(`  card ${x.cardNumber} on chip ${x.chipSerial} (order ${x.orderId})`);
    if (firstCard) {
      lines.push(`card ${firstCard.cardNumber}, its files decoded from the bytes read back:`);
      for (const [name, f] of Object.entries(firstCard.files)) {
        if (f.kind === 'fields') lines.push(`  ${name}: ${JSON.stringify(f.fields)}`);
        else if (f.kind === 'records') for (const rec of f.records ?? []) lines.push(`  ${name}: ${JSON.stringify(rec)}`);
        else lines.push(`  ${name}: seal ${f.matches ? 'matches' : 'DOES NOT MATCH'} the files it covers`);
      }
    }
    return lines;
  },
};

/** Two operators: alice asks, bob approves (never the requester). */
async function operators(ctx: Ctx): Promise<{ alice: string; bob: string }> {
  if (!ctx.operators) {
    const token = async (name: string) =>
      (await cli<{ token: string }>(ctx, ['tokens:create', '--role', 'operator', '--name', name])).json.token;
    ctx.operators = { alice: await token('demo-alice'), bob: await token('demo-bob') };
  }
  return ctx.operators;
}

const manualOrder: Step = {
  title: 'A manual order by one operator, approved by another (HTTP API)',
  async run(ctx) {
    const { alice, bob } = await operators(ctx);
    const [pair] = await withDemoDb(
      ctx,
      async (c) =>
        (
          await c.query<{ national_id: string; profession_code: string }>(
            `SELECT rp.national_id, rpr.profession_code FROM rpps_professional rp JOIN rpps_profession rpr USING (national_id)
            WHERE rp.ceased_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM card_order o WHERE o.national_id = rp.national_id)
              AND NOT EXISTS (SELECT 1 FROM card c WHERE c.national_id = rp.national_id)
            ORDER BY rp.national_id LIMIT 1`,
          )
        ).rows,
    );
    type Order = { id: string; status: string; requestedBy: string; approvedBy: string | null };
    const body = { nationalId: pair.national_id, professionCode: pair.profession_code, cardType: 'CPS', reason: 'manual' };
    const made = await api<Order>(ctx, 'POST', '/api/v1/orders', body, alice);
    if (made.status !== 201) throw new DemoFailure(`POST /api/v1/orders answered ${made.status}`, JSON.stringify(made.json));
    const own = await api<{ code: string }>(ctx, 'POST', `/api/v1/orders/${made.json.id}/approve`, undefined, alice);
    const approved = await api<Order>(ctx, 'POST', `/api/v1/orders/${made.json.id}/approve`, undefined, bob);
    if (approved.status !== 200) throw new DemoFailure(`approval answered ${approved.status}`, JSON.stringify(approved.json));
    return [
      `order ${made.json.id} for ${pair.national_id} (profession ${pair.profession_code}) asked by ${made.json.requestedBy}: ${made.json.status}`,
      `its requester's approval: ${own.status} ${own.json.code}; another operator's: ${approved.json.status} by ${approved.json.approvedBy}`,
    ];
  },
};

const renewalSweep: Step = {
  title: 'The renewal sweep (renewals:run)',
  async run(ctx) {
    type Renewals = { cardsDue: number; ordersCreated: number; windowDays: number };
    const { json, seconds } = await cli<Renewals>(ctx, ['renewals:run']);
    const again = await cli<Renewals>(ctx, ['renewals:run']);
    return [
      `${n(json.cardsDue)} cards within ${json.windowDays} days of their end of validity: ${n(json.ordersCreated)} renewal orders, approved by policy; ${secs(seconds)}`,
      `run again the same day: ${n(again.json.ordersCreated)} orders (nothing twice)`,
    ];
  },
};

type Batch = {
  batchId: string | null;
  number: number | null;
  letters: number;
  held: number;
  pages: number | null;
  path: string | null;
  manifestPath: string | null;
};

const cardLetters: Step = {
  title: 'Card letters (mailing:batch --kind card-letter), then printed (HTTP API)',
  async run(ctx) {
    const { json, seconds } = await cli<Batch>(ctx, ['mailing:batch', '--kind', 'card-letter']);
    if (!json.batchId || !json.path) throw new DemoFailure('no card letter was due after personalization', JSON.stringify(json));
    ctx.cardBatch = { batchId: json.batchId, number: json.number ?? 0 };
    const pin = await cli<Batch>(ctx, ['mailing:batch', '--kind', 'pin-letter']);
    const { alice } = await operators(ctx);
    const printed = await api<{ letters: number; cardsSent: number }>(
      ctx,
      'POST',
      `/api/v1/mailing/batches/${json.batchId}/printed`,
      undefined,
      alice,
    );
    if (printed.status !== 200) throw new DemoFailure(`printed answered ${printed.status}`, JSON.stringify(printed.json));
    return [
      `batch ${json.number}: ${json.letters} card letters (${json.pages} pages, ${json.held} held) in ${secs(seconds)}`,
      `  PDF:      ${rel(ctx, json.path)}`,
      `  manifest: ${rel(ctx, json.manifestPath ?? '')}`,
      `PIN letters the same day: ${pin.json.letters} (they wait PIN_LETTER_DELAY_DAYS after their card letter)`,
      `printed: ${printed.json.letters} letters, ${printed.json.cardsSent} cards personalized → sent`,
    ];
  },
};

const pinLetters: Step = {
  title: 'PIN letters two days later (mailing:batch --kind pin-letter --as-of), printed on their day',
  async run(ctx) {
    const asOf = parisDate(new Date(Date.now() + 2 * 24 * 3600 * 1000));
    const { json, seconds } = await cli<Batch>(ctx, ['mailing:batch', '--kind', 'pin-letter', '--as-of', asOf]);
    if (!json.batchId || !json.path) throw new DemoFailure('no PIN letter was due two days after the card letters', JSON.stringify(json));
    const { alice } = await operators(ctx);
    const route = `/api/v1/mailing/batches/${json.batchId}/printed`;
    type Printed = { letters: number; pdf: string; pullOut: unknown[]; code?: string; detail?: string };
    // Today the batch of two days on cannot be recorded printed: printing never runs ahead of the calendar.
    const early = await api<Printed>(ctx, 'POST', route, undefined, alice);
    if (early.status !== 409 || early.json.code !== 'batch_not_due') {
      throw new DemoFailure(`printed before the batch's day answered ${early.status}`, JSON.stringify(early.json));
    }
    // The demo cannot wait two days: a second API whose clock starts two days on (CLOCK_NOW, refused in production) records it.
    const clockNow = new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString();
    const later = await startApi({ ...ctx.env, LOG_LEVEL: 'warn', CLOCK_NOW: clockNow });
    let printed: { status: number; json: Printed };
    try {
      printed = await api<Printed>(ctx, 'POST', route, undefined, alice, later.url);
    } finally {
      await later.stop();
    }
    if (printed.status !== 200) throw new DemoFailure(`printed answered ${printed.status}`, JSON.stringify(printed.json));
    if (printed.json.pdf !== 'removed' || fs.existsSync(json.path)) {
      throw new DemoFailure(`the PDF of the letters of the codes is still in the spool after printing (pdf: ${printed.json.pdf})`);
    }
    return [
      `batch ${json.number} of ${asOf}: ${json.letters} PIN letters (${json.pages} pages) in ${secs(seconds)}`,
      `  PDF:      ${rel(ctx, json.path)} (the only file that holds the codes)`,
      `  manifest: ${rel(ctx, json.manifestPath ?? '')}`,
      `recorded printed today: ${early.status} ${early.json.code} (${early.json.detail})`,
      `recorded printed by an API started with CLOCK_NOW=${clockNow} (two days on; refused in production): ` +
        `${printed.json.letters} letters printed, ${printed.json.pullOut.length} to pull out`,
      `  PDF ${rel(ctx, json.path)}: deleted from the spool once printed (pdf: ${printed.json.pdf}); the manifest stays`,
    ];
  },
};

const returnedLetter: Step = {
  title: 'A card letter comes back (HTTP API): the card opposed (non-receipt), a replacement ordered; the worker records it',
  async run(ctx) {
    const { alice } = await operators(ctx);
    const [letter] = await withDemoDb(
      ctx,
      async (c) =>
        (
          await c.query<{ id: string; card_number: string }>(
            `SELECT id, card_number FROM mailing_letter WHERE batch_id = $1 ORDER BY sequence LIMIT 1`,
            [ctx.cardBatch?.batchId],
          )
        ).rows,
    );
    // The mail room scans the envelope's barcode (B<batch>-<sequence>) to find the letter, then records it returned with that barcode.
    const barcode = `B${ctx.cardBatch?.number}-1`;
    const found = await api<{ id: string; kind: string; cardNumber: string }>(
      ctx,
      'GET',
      `/api/v1/mailing/letters?barcode=${barcode}`,
      undefined,
      alice,
    );
    if (found.status !== 200 || found.json.id !== letter.id) {
      throw new DemoFailure(`GET /api/v1/mailing/letters?barcode=${barcode} answered ${found.status}`, JSON.stringify(found.json));
    }
    type Returned = { cardNumber: string; oppositionRequested: boolean; replacementOrderId: string | null; reason: string | null };
    const r = await api<Returned>(
      ctx,
      'POST',
      `/api/v1/mailing/letters/${letter.id}/returned`,
      { barcode, comment: 'returned by the post office: addressee unknown' },
      alice,
    );
    if (r.status !== 200) throw new DemoFailure(`returned answered ${r.status}`, JSON.stringify(r.json));
    const worker = await startWorker({ ...ctx.env, LOG_LEVEL: 'warn' });
    const cardAndCodes = async () =>
      (
        await withDemoDb(ctx, (c) =>
          c.query<{ state: string; destroyed_reason: string | null }>(
            `SELECT c.state, k.destroyed_reason FROM card c LEFT JOIN order_codes k ON k.order_id = c.order_id WHERE c.card_number = $1`,
            [letter.card_number],
          ),
        )
      ).rows[0];
    let codes = await cardAndCodes();
    try {
      // The worker records the opposition, then destroys the codes (the orders module's card.opposed event).
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !(codes.state === 'opposed' && codes.destroyed_reason)) {
        await new Promise((res) => setTimeout(res, 250));
        codes = await cardAndCodes();
      }
      if (codes.state !== 'opposed' || !codes.destroyed_reason) {
        throw new DemoFailure(
          `card ${letter.card_number} is ${codes.state}, its codes ${codes.destroyed_reason ? 'destroyed' : 'kept'}, 30 s after its letter came back`,
        );
      }
    } finally {
      await worker.stop();
    }
    return [
      `GET /api/v1/mailing/letters?barcode=${barcode}: the ${found.json.kind} of card ${found.json.cardNumber}`,
      `POST .../letters/${letter.id}/returned {barcode, comment}: opposition requested, ` +
        `replacement order ${r.json.replacementOrderId ?? `none (${r.json.reason})`}`,
      `card ${letter.card_number}: opposed (non-receipt) by the worker; its codes destroyed (${codes.destroyed_reason})`,
    ];
  },
};

const expirySweep: Step = {
  title: 'The expiry sweep (expiry:run)',
  async run(ctx) {
    type Expiry = {
      status: 'applied' | 'held';
      cardsExpired: number;
      oppositionsCreated: number;
      cardsDue: number;
      validCards: number;
      share: number;
      maxShare: number;
      confirmWith?: string;
    };
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const lines: string[] = [];
    // The first sweep after the card base import is large: held (nothing opposed) past EXPIRY_MAX_SHARE, then confirmed once.
    let { json, seconds } = await cli<Expiry>(ctx, ['expiry:run'], [0, 1]);
    if (json.status === 'held') {
      lines.push(
        `held: it would oppose ${n(json.cardsDue)} of ${n(json.validCards)} valid cards (${pct(json.share)}, more than the ` +
          `${pct(json.maxShare)} of EXPIRY_MAX_SHARE); nothing opposed; confirmed at the host with: ${json.confirmWith}`,
      );
      ({ json, seconds } = await cli<Expiry>(ctx, ['expiry:run', '--confirm-mass-change']));
      if (json.status !== 'applied')
        throw new DemoFailure('expiry:run --confirm-mass-change did not apply the sweep', JSON.stringify(json));
    }
    const again = await cli<Expiry>(ctx, ['expiry:run']);
    lines.push(
      `${n(json.cardsExpired)} cards past their end of validity opposed (reason expiry), ${n(json.oppositionsCreated)} oppositions recorded; ${secs(seconds)}`,
      `run again the same day: ${n(again.json.cardsExpired)} (nothing twice)`,
    );
    return lines;
  },
};

const publishCrl: Step = {
  title: 'The opposition list (crl:publish, /opposition/crl)',
  async run(ctx) {
    const { json, seconds } = await cli<{ crlNumber: number; entries: number; path: string; sha256: string; nextUpdate: string }>(ctx, [
      'crl:publish',
    ]);
    const served = path.join(ctx.dataDir, 'served.crl');
    const issuer = path.join(ctx.dataDir, 'served-issuer.crt');
    const crl = await fetch(`${ctx.api!.url}/opposition/crl`);
    fs.writeFileSync(served, Buffer.from(await crl.arrayBuffer()));
    fs.writeFileSync(issuer, await (await fetch(`${ctx.api!.url}/opposition/issuer.crt`)).text());
    const reasons = await withDemoDb(
      ctx,
      async (c) =>
        (
          await c.query<{ reason: string | null; n: number }>(
            `SELECT reason, count(*)::int AS n FROM opposition GROUP BY reason ORDER BY count(*) DESC`,
          )
        ).rows,
    );
    const lines = [
      `CRL ${json.crlNumber}: ${n(json.entries)} entries, next update ${json.nextUpdate}; ${rel(ctx, path.join(ctx.dataDir, json.path))}; ${secs(seconds)}`,
      `oppositions by reason: ${reasons.map((r) => `${r.reason ?? 'imported (no reason)'} ${r.n}`).join(', ')}`,
      `(cards more than 30 days past their end of validity stay opposed but leave the list)`,
      `GET /opposition/crl: ${crl.status}, ${crl.headers.get('content-type')}, saved to ${rel(ctx, served)}`,
    ];
    if (spawnSync('openssl', ['version']).error) {
      lines.push('openssl not found: signature not checked here');
    } else {
      try {
        verifyCrl(served, issuer);
      } catch (e) {
        throw new DemoFailure('openssl crl -verify failed on the served CRL', (e as Error).message);
      }
      const t = crlText(served);
      const lost = ctx.lostCard!;
      lines.push(
        `openssl crl -verify against /opposition/issuer.crt: verify OK; openssl counts ${n(t.entries)} entries, CRL number ${t.crlNumber}`,
      );
      lines.push(
        `the lost card ${lost} is on it: reason ${t.reasons.get(lost) ?? '(none)'}, invalidity date ${t.invalidityDates.get(lost) ?? '(none)'}`,
      );
    }
    return lines;
  },
};

/** The console's demo accounts, and an order left for the demo operator to approve in the console. */
const consoleStep: Step = {
  title: 'The console: demo accounts, and an order waiting for a second operator (users:create)',
  async run(ctx) {
    const { alice } = await operators(ctx);
    const deps: ConsoleDeps = {
      usersCreate: async (args) => (await cli<{ principal: string; setPasswordUrl: string }>(ctx, args)).json,
      apiUrl: ctx.api!.url,
      query: (sql) => withDemoDb(ctx, async (c) => (await c.query(sql)).rows),
    };
    ctx.consoleAccounts = await consoleAccounts(deps);
    const order = await orderAwaitingApproval(deps, alice);
    return [
      ...ctx.consoleAccounts.map(
        (a) => `${a.name} (${a.role}): made by users:create, password set through its one-time link, signed in once`,
      ),
      `order ${order.id} for ${order.nationalId}, asked by demo-alice, waits in the console's order queue (${order.status})`,
    ];
  },
};

/** The demo, in order. Later features append their steps here. */
const STEPS: Step[] = [
  checkServices,
  freshDemoDatabase,
  generateExtracts,
  importDay1,
  importDay2,
  importTruncated,
  createToken,
  importCards,
  declareLoss,
  manualOrder,
  renewalSweep,
  personalizeCards,
  cardLetters,
  pinLetters,
  returnedLetter,
  expirySweep,
  publishCrl,
  consoleStep,
  auditVerify,
];

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

function whereToLook(ctx: Ctx): string[] {
  const envs = `DATABASE_URL=${shown(ctx.demoUrl)} QUEUE_PREFIX=${QUEUE_PREFIX} DATA_DIR=${rel(ctx, ctx.dataDir)}`;
  const id = ctx.sampleId ?? '<nationalId>';
  const token = ctx.tokenFile ? `$(cat ${rel(ctx, ctx.tokenFile)})` : '<token>';
  const accounts = ctx.consoleAccounts ?? [];
  return [
    'The console (French), on the demo data: the API, and the worker in a second terminal with the',
    'same environment (it runs the jobs the console queues: a confirmed import, the codes of an',
    'approved order, the delta CRL after an opposition):',
    `  ${envs} npm start`,
    `  ${envs} npm run worker`,
    '  then open http://localhost:3000/console/ and sign in as:',
    ...accounts.map((a) => `    ${a.name.padEnd(16)} ${a.password.padEnd(30)} ${a.role}`),
    'Files:',
    `  ${rel(ctx, ctx.extractDir)}/  the extracts (day 1, day 2, truncated day 3) and day 2's expected changes (*.expected.json)`,
    'Look further (from the project folder):',
    `  ${envs} npx cps audit:verify`,
    `  ${envs} npm start`,
    `  curl -H "Authorization: Bearer ${token}" http://localhost:3000/api/v1/professionals/${id}`,
    `  psql ${shown(ctx.demoUrl)} -c "SELECT kind, count(*) FROM rpps_event GROUP BY kind"`,
    `  openssl crl -inform DER -in ${rel(ctx, path.join(ctx.dataDir, 'served.crl'))} -noout -text | less`,
  ];
}

async function main(): Promise<number> {
  const started = process.hrtime.bigint();
  const root = projectRoot();
  const dataDir = path.join(root, 'var', 'demo');
  const extractDir = path.join(dataDir, 'registry');
  const userDatabaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  let demoUrl: string;
  try {
    demoUrl = withDatabase(userDatabaseUrl, DEMO_DB);
    new URL(redisUrl);
  } catch {
    process.stderr.write(
      'demo: DATABASE_URL or REDIS_URL is not a valid URL (e.g. postgres://postgres@127.0.0.1:5432/cps, redis://127.0.0.1:6379)\n',
    );
    return 1;
  }
  const file = (stamp: string, suffix = '.txt') => path.join(extractDir, `PS_LibreAcces_Personne_activite_${stamp}${suffix}`);
  const ctx: Ctx = {
    root,
    dataDir,
    extractDir,
    cli: path.join(root, 'dist', 'src', 'cli.js'),
    userDatabaseUrl,
    redisUrl,
    demoUrl,
    env: {
      ...process.env,
      DATABASE_URL: demoUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX,
      DATA_DIR: dataDir,
      MIGRATIONS_RUN: 'true',
      DATABASE_CREATE: 'true',
      RPPS_MASS_CHANGE_RATIO: String(MASS_CHANGE_RATIO),
    },
    files: {
      day1: file(STAMPS.day1),
      day2: file(STAMPS.day2),
      day3: file(STAMPS.day3),
      expected: file(STAMPS.day2, '.expected.json'),
    },
    imports: {},
    mismatch: false,
  };
  if (!fs.existsSync(ctx.cli)) {
    process.stderr.write(`demo: ${rel(ctx, ctx.cli)} is missing: run \`npm run build\` first (npm run demo does)\n`);
    return 1;
  }

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`CPS back-office demo: registry import, card base, opposition and CRL (${n(PERSONS)} generated persons, seed ${SEED})`);
  out(`demo database ${shown(demoUrl)}, queue prefix ${QUEUE_PREFIX}, data in ${rel(ctx, dataDir)}/`);
  try {
    for (const [i, step] of STEPS.entries()) {
      out(`\n[${i + 1}/${STEPS.length}] ${step.title}`);
      try {
        for (const line of await step.run(ctx)) out(`    ${line}`);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        out(`    FAILED: ${msg}`);
        process.stderr.write(`\ndemo: step "${step.title}" failed: ${msg}\n`);
        if (e instanceof DemoFailure) {
          if (e.details) process.stderr.write(`${e.details}\n`);
        } else if (e instanceof Error && e.stack) {
          process.stderr.write(`${e.stack}\n`);
        }
        return 1;
      }
    }
  } finally {
    await ctx.api?.stop();
  }
  out('');
  for (const line of whereToLook(ctx)) out(line);
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  out('');
  if (ctx.mismatch) {
    out(`Demo FAILED: the day-2 events differ from the generator's expected counts (${secs(total)}).`);
    return 1;
  }
  out(`Demo done in ${secs(total)}.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`demo: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
