import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isBusinessDate } from '../clock/business-date';
import { isHelpdeskPhone, isSenderName, MAX_SENDER_NAME_LENGTH } from './letter-settings';

/**
 * Environment configuration, validated once at start-up.
 * Every variable has a default that works on a developer machine (contract.md).
 * Secret values are listed in SECRET_KEYS and never printed.
 */
const isoDate = z.string().refine((v) => isBusinessDate(v), 'expected an existing date YYYY-MM-DD');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .url('expected a URL such as postgres://user@host:5432/db')
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'expected a postgres:// URL');

const redisUrl = z
  .string()
  .url('expected a URL such as redis://host:6379')
  .refine((v) => /^rediss?:\/\//.test(v), 'expected a redis:// URL');

/** A date and time whose calendar day and hour exist (Date.parse would roll 02-30 over to March). */
function isRealTime(v: string): boolean {
  const [y, m, d, h, min] = v.split(/[-T:]/).map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d && m >= 1 && m <= 12 && h < 24 && min < 60 && !Number.isNaN(Date.parse(v));
}

/** ENCODER_READERS: `*` (every reader) or PC/SC reader names separated by commas. */
export type ReaderSelection = '*' | readonly string[];

/** Parses ENCODER_READERS; throws an Error naming what is wrong. */
export function parseReaderSelection(value: string): ReaderSelection {
  if (value.trim() === '*') return '*';
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new Error('expected * or reader names separated by commas, without an empty name');
  if (names.includes('*')) throw new Error('* stands alone (every reader); it cannot be mixed with reader names');
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`reader "${twice}" is named twice`);
  return names;
}

/** vsmartcard's virtual readers (vpcd: "Virtual PCD 00 00", "Virtual PCD 00 01"), where the tests' simulated cards sit. */
const VIRTUAL_READER = /virtual\s+pcd/i;

/** Whether a PC/SC reader is a virtual one (vpcd): any program on the machine may answer through it as a card. */
export function isVirtualReader(name: string): boolean {
  return VIRTUAL_READER.test(name);
}

/**
 * Why `selection` (ENCODER_READERS, already parsed) cannot be used in production, or null: there,
 * every reader a card's codes are written through is named, and none is a virtual reader. `*`
 * would take whatever reader appears, vpcd's included, whose "card" may be any local program.
 */
export function productionReaderRefusal(selection: ReaderSelection): string | null {
  if (selection === '*') {
    return (
      "in production (with ENCODER_DRIVER=pcsc) the encoders' readers are named, separated by commas: * (every reader, " +
      'the default) is refused, as it would take any reader that appears, a virtual one (vpcd) included'
    );
  }
  const virtual = selection.filter(isVirtualReader);
  if (virtual.length) {
    return (
      `${virtual.map((n) => `"${n}"`).join(', ')} ${virtual.length === 1 ? 'is a virtual reader' : 'are virtual readers'} ` +
      "(vsmartcard's vpcd, for tests): refused in production"
    );
  }
  return null;
}

const readerSelection = z.string().superRefine((v, ctx) => {
  try {
    parseReaderSelection(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const cron = z.string().regex(/^(\S+\s+){4}\S+$/, 'expected a 5-field cron pattern');

/** A retention period, in days (at least a day, at most ten years). */
const retentionDays = z.coerce.number().int().min(1).max(3650);

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/cps'),
    REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
    /**
     * The passwords of PostgreSQL and Redis, put into DATABASE_URL and REDIS_URL (replacing theirs): with
     * DATABASE_PASSWORD_FILE and REDIS_PASSWORD_FILE, one secret file serves the server and the processes.
     */
    DATABASE_PASSWORD: z.string().min(1).optional(),
    REDIS_PASSWORD: z.string().min(1).optional(),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
      .default('cps'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    DATA_DIR: z.string().min(1).default('./var'),
    /**
     * The encoder driver: the worker runs its stations only when this is set; `personalize:run`
     * takes `simulated` when it is not (see PersonalizationService.driverName).
     */
    ENCODER_DRIVER: z.enum(['simulated', 'pcsc']).optional(),
    /** PC/SC readers the pcsc encoder driver takes (`*`: every one); see parseReaderSelection. */
    ENCODER_READERS: readerSelection.default('*'),
    /** Cards spoiled for one order before it goes to `failed` for an operator to look at. */
    PERSONALIZATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
    /** An order personalizing this long (its station silent) goes back to the queue. */
    PERSONALIZATION_CLAIM_TIMEOUT_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
    /** An encoder station that fails this many cards in a row goes to error and takes no work until an operator resets it. */
    ENCODER_MAX_CONSECUTIVE_FAILURES: z.coerce.number().int().min(1).max(1000).default(3),
    /** How often an encoder station writes its heartbeat; one silent for 3 heartbeats is shown offline. */
    ENCODER_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    /** An offline encoder station (not in error) silent this long is no longer listed, and its row is deleted. */
    ENCODER_FORGET_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .default(168),
    MIGRATIONS_RUN: bool.default(true),
    /** Create the database named in DATABASE_URL when it does not exist. Default: true in development only. */
    DATABASE_CREATE: bool.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Share of the registry's professionals an import may cease before it is held (0..1). */
    RPPS_MASS_CHANGE_RATIO: z.coerce.number().min(0).max(1).default(0.05),
    /** The only directory files named over the API are read from (default: DATA_DIR/import). */
    IMPORT_DIR: z.string().min(1).optional(),
    /** Most bytes a zip given to an import may inflate to (a national extract inflates to about 750 MB). */
    IMPORT_ZIP_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 ** 3),
    /** Highest inflated / compressed ratio of a zip entry (over 1 MiB) given to an import. */
    IMPORT_ZIP_MAX_RATIO: z.coerce.number().min(1).default(100),
    OUTBOX_RELAY_INTERVAL_MS: z.coerce.number().int().min(10).default(500),
    OUTBOX_RELAY_BATCH: z.coerce.number().int().min(1).max(10000).default(500),
    /** An outbox message relayed but not consumed this long after is relayed again (contract.md). */
    OUTBOX_REDELIVERY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    /**
     * A running job's lock in Redis (BullMQ's lockDuration), renewed every half of it by its worker; the
     * workers look for jobs whose lock has expired (a worker that died) every half of it too, and hand them
     * out again: a killed worker's job runs again within about 1.5 times this.
     */
    QUEUE_JOB_LOCK_MS: z.coerce.number().int().min(5_000).max(3_600_000).default(60_000),
    /** PostgreSQL: a statement running longer is cancelled (the long runs set LONG_STATEMENT_TIMEOUT_MS on their own sessions). */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    /** PostgreSQL: a session idle inside a transaction this long is ended by the server. */
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
    /** PostgreSQL: how long to wait for a connection (a new one, or a free one from the pool). */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
    /** PostgreSQL connections of the card status route's own pool (a saturated main pool cannot starve it). */
    DATABASE_STATUS_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
    CPS4_START_DATE: isoDate.default('2025-07-01'),
    /** Professions (TRE_G15 codes, comma-separated) the CPS4 rollout is limited to; empty: all. */
    CPS4_PROFESSIONS: z
      .string()
      .regex(/^(\d{2}(,\d{2})*)?$/, 'expected profession codes such as 10,21,40 (or nothing for all)')
      .default('')
      .transform((v) => (v ? v.split(',') : [])),
    RENEWAL_WINDOW_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
    /** When the daily renewal sweep runs (cron pattern, Europe/Paris). */
    RENEWAL_CRON: cron.default('0 4 * * *'),
    /** When the daily expiry sweep runs (Europe/Paris): cards past their end of validity are opposed. */
    EXPIRY_CRON: cron.default('5 0 * * *'),
    /**
     * Largest share (0..1) of the valid cards an expiry sweep may oppose; a sweep past it is held,
     * nothing opposed, until someone at the host confirms it (expiry:run --confirm-mass-change).
     */
    EXPIRY_MAX_SHARE: z.coerce.number().min(0).max(1).default(0.01),
    /** When the daily full CRL is published (Europe/Paris); after the expiry sweep. */
    CRL_FULL_CRON: cron.default('30 0 * * *'),
    /** A CRL's nextUpdate, in hours after its thisUpdate. */
    CRL_NEXT_UPDATE_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 31)
      .default(24),
    /** Days after its end of validity an opposed card stays on the CRL (its status stays opposed). */
    CRL_EXPIRED_GRACE_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
    /** Debounce of delta CRLs: the first opposition schedules one this long after; the ones meanwhile join it. */
    CRL_DELTA_DELAY_MS: z.coerce.number().int().min(0).max(50_000).default(20_000),
    /** How often, at most, the API checks the database for a newer CRL to serve (it keeps the current ones in memory). */
    CRL_REFRESH_SECONDS: z.coerce.number().min(0).max(300).default(5),
    /**
     * The CRL signing key (PEM, PKCS#8 or SEC1, ECDSA P-256, mode 600) and its issuer certificate (PEM); only the processes
     * that sign CRLs (the worker, crl:publish) read them, and in production they need them. The API reads neither.
     */
    CRL_SIGNING_KEY_FILE: z.string().min(1).optional(),
    CRL_ISSUER_CERT_FILE: z.string().min(1).optional(),
    /** After a helpdesk declaration of loss, theft, malfunction or non-receipt: a replacement order approved by policy, one waiting for an operator, or none. */
    OPPOSITION_REPLACEMENT: z.enum(['policy', 'operator', 'none']).default('policy'),
    /** A card's PIN letter goes in a batch at least this many days after the batch of its card letter (their day, --as-of). */
    PIN_LETTER_DELAY_DAYS: z.coerce.number().int().min(1).max(60).default(2),
    /** Days after its PIN letter is printed that the codes are kept for a reprint (then destroyed). */
    CODES_REPRINT_WINDOW_DAYS: z.coerce.number().int().min(0).max(365).default(30),
    /**
     * The helpdesk's number, printed on both letters (24/7); production makes no batch without it. Checked as the
     * letters check it (letter-settings.ts): a number accepted here is never refused when a batch is drawn.
     */
    HELPDESK_PHONE: z
      .string()
      .refine(
        isHelpdeskPhone,
        'expected a phone number such as 01 23 45 67 89: 5 to 20 digits, spaces or dots (a leading + besides), starting and ending with a digit',
      )
      .optional(),
    /** The sender printed on the letters: printable text of at most 60 characters, as the letters take it. */
    MAILING_SENDER: z
      .string()
      .refine(isSenderName, `expected printable text of at most ${MAX_SENDER_NAME_LENGTH} characters (the letters print no more)`)
      .default('Agence du numérique en santé — Service CPS'),
    /** When the daily batches of card letters and of PIN letters are made (Europe/Paris). */
    MAILING_CARD_LETTER_CRON: cron.default('0 6 * * *'),
    MAILING_PIN_LETTER_CRON: cron.default('15 6 * * *'),
    /**
     * When the daily sweep of the codes runs (Europe/Paris): codes past their reprint window, or whose order was
     * cancelled or rejected, or whose card is opposed, are destroyed. A job of its own: it needs no letter setting.
     */
    CODES_SWEEP_CRON: cron.default('45 5 * * *'),
    /**
     * Retention (issue 13, item 5): when the worker's daily purge runs (Europe/Paris), and how many days each kind of
     * row is kept after it is done with (retention:run does the same by hand). The audit trail is never purged.
     */
    RETENTION_CRON: cron.default('30 3 * * *'),
    /** Outbox messages consumed this many days ago go (those refused for good: after RETENTION_JOB_RUNS_DAYS); a pending message never does. */
    RETENTION_OUTBOX_DAYS: retentionDays.default(30),
    /** Job runs finished (succeeded or failed), and outbox messages refused for good, this many days ago go; queued, running and held runs stay. */
    RETENTION_JOB_RUNS_DAYS: retentionDays.default(400),
    /** Marks of the registry events consumed this many days ago go. */
    RETENTION_CONSUMED_EVENTS_DAYS: retentionDays.default(90),
    /** Idempotency-Keys of orders given this many days ago go (a key given again after that makes a new order). */
    RETENTION_IDEMPOTENCY_KEYS_DAYS: retentionDays.default(30),
    /** Rejected lines of registry imports (their raw text holds personal data) go this many days after their import ended. */
    RETENTION_REGISTRY_REJECTS_DAYS: retentionDays.default(90),
    /** Failed BullMQ jobs are kept this many days (removeOnFail of the relayed jobs, and the daily purge of every queue). */
    RETENTION_FAILED_JOBS_DAYS: retentionDays.default(30),
    /**
     * A file holding the password that opens the batch PDFs (AES-256), on its first line; none: PDFs not encrypted.
     * Read and checked (readable by its owner only, a password of 12 characters or more) when the worker starts and
     * when mailing:batch starts: the processes that draw letters.
     */
    MAILING_PDF_PASSWORD_FILE: z.string().min(1).optional(),
    /** Tests only: the clock starts at this instant (ISO 8601 with Z or an offset) and runs on; refused in production. */
    CLOCK_NOW: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'expected an ISO 8601 time with Z or an offset')
      .refine(isRealTime, 'not a real time')
      .optional(),
    /** Largest JSON request body the API reads (bytes, or with a unit: 100kb, 1mb). */
    HTTP_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)?$/i, 'expected a size such as 100kb or 1mb')
      .default('100kb'),
    /** Failed authentications a client address may make per minute; past it, only tokens already checked pass (429). */
    AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
    /** Opposition declarations a principal may make per minute (429 past it). */
    OPPOSITIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
    /** Trust X-Forwarded-For from a reverse proxy to name the client address (rate limits, logs). */
    TRUST_PROXY: bool.default(false),
    /** When set, /metrics and the API documents are served on this port only (keep it internal), not on PORT. */
    INTERNAL_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** When set, the worker serves its Prometheus metrics (GET /metrics) on this port; none by default (keep it internal). */
    WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /**
     * SIGTERM, API: for this long GET /health and GET /health/ready answer 503 (so that a load balancer stops sending;
     * GET /health/live stays 200) while requests are still served; then the server closes as before. 0: it closes at once.
     */
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(300).default(0),
    /** How often each worker checks that the daily schedules are in Redis, re-creating a missing one. */
    SCHEDULES_CHECK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    /**
     * The PIN/PUK vault's master keys (mode 600): lines `<key-id> <base64 of 32 bytes>`, the last one sealing new codes,
     * the others opening older codes until vault:rotate re-wraps them. Read only by the processes that give out codes
     * (the worker, the CLI commands that need them), never by the API; required by them in production.
     */
    VAULT_KEY_FILE: z.string().min(1).optional(),
    /** The longest an audit entry waits, after its commit, to be linked into the chain and signed in a checkpoint. */
    AUDIT_SEQUENCE_INTERVAL_MS: z.coerce.number().int().min(20).max(600_000).default(2000),
    /** The audit checkpoint signing key (PEM, PKCS#8, Ed25519 or ECDSA P-256, mode 600); the processes that sign need it in production. */
    AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
    /** The audit key's public half (PEM): what the API checks checkpoints with (GET /api/v1/audit/verification); the API never reads the signing key. */
    AUDIT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    /**
     * The console's address as people open it (no trailing slash): set-password links are `${CONSOLE_URL}/mot-de-passe#jeton=...`.
     * Default: http://localhost:${PORT}/console.
     */
    CONSOLE_URL: z
      .string()
      .url('expected a URL such as https://cps.example.fr/console')
      .refine((v) => /^https?:\/\//.test(v), 'expected an http:// or https:// URL')
      .refine((v) => !/[?#]/.test(v), 'expected an address without a query or a fragment')
      .optional(),
    /** How long a set-password link (users:create, users:reset-password) may be used, in hours; it is used once. */
    USER_LINK_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 31)
      .default(72),
    /** A console session unused this long ends (each authenticated request renews it). */
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    /** A console session ends this long after its sign-in, however used. */
    SESSION_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 31)
      .default(12),
    /** The session cookie carries Secure (sent over HTTPS only). Default: true in production, false otherwise. */
    SESSION_COOKIE_SECURE: bool.optional(),
    /** Consecutive failed sign-ins after which a console account is locked. */
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    /** How long a locked console account stays locked (a new password unlocks it at once). */
    LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.CRL_SIGNING_KEY_FILE) !== Boolean(c.CRL_ISSUER_CERT_FILE)) {
      const missing = c.CRL_SIGNING_KEY_FILE ? 'CRL_ISSUER_CERT_FILE' : 'CRL_SIGNING_KEY_FILE';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'CRL_SIGNING_KEY_FILE and CRL_ISSUER_CERT_FILE go together' });
    }
    if (c.PERSONALIZATION_CLAIM_TIMEOUT_SECONDS < 3 * c.ENCODER_HEARTBEAT_SECONDS) {
      // Claims are renewed with each heartbeat: a timeout within a few beats gives back orders still being written.
      ctx.addIssue({
        code: 'custom',
        path: ['PERSONALIZATION_CLAIM_TIMEOUT_SECONDS'],
        message: `at least 3 times ENCODER_HEARTBEAT_SECONDS (${c.ENCODER_HEARTBEAT_SECONDS}): claims are renewed with each heartbeat`,
      });
    }
    if (c.NODE_ENV === 'production' && c.CLOCK_NOW) {
      ctx.addIssue({ code: 'custom', path: ['CLOCK_NOW'], message: 'for tests only: refused in production' });
    }
    if (c.NODE_ENV === 'production' && c.ENCODER_DRIVER === 'pcsc') {
      let selection: ReaderSelection | null = null;
      try {
        selection = parseReaderSelection(c.ENCODER_READERS);
      } catch {
        // Already reported by ENCODER_READERS' own check.
      }
      const refusal = selection && productionReaderRefusal(selection);
      if (refusal) ctx.addIssue({ code: 'custom', path: ['ENCODER_READERS'], message: refusal });
    }
  });

export type AppConfig = z.infer<typeof configSchema> & {
  IMPORT_DIR: string;
  CONSOLE_URL: string;
  SESSION_COOKIE_SECURE: boolean;
  DATABASE_CREATE: boolean;
};

export const SECRET_KEYS: ReadonlyArray<keyof AppConfig> = ['DATABASE_URL', 'REDIS_URL', 'DATABASE_PASSWORD', 'REDIS_PASSWORD'];

/**
 * `X_FILE`, for any variable X (not itself a file's name, *_FILE): X is read from that file (a Docker secret), its
 * trailing line break dropped. Setting both X and X_FILE is refused; so is a file that cannot be read or is empty.
 */
function readFileVariables(env: NodeJS.ProcessEnv, keys: string[]): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const key of keys.filter((k) => !k.endsWith('_FILE'))) {
    const file = env[`${key}_FILE`];
    if (file === undefined || file === '') continue;
    if (env[key] !== undefined && env[key] !== '') {
      problems.push(`${key}_FILE=${JSON.stringify(file)}: ${key} is set too; set one of them`);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      problems.push(`${key}_FILE=${JSON.stringify(file)}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      continue;
    }
    if (text === '') problems.push(`${key}_FILE=${JSON.stringify(file)}: the file is empty`);
    else values[key] = text;
  }
  return { values, problems };
}

/** `url` with its password replaced by `password` (percent-encoded as a URL's user information is). */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const keys = Object.keys(configSchema.shape);
  const input: Record<string, string> = {};
  for (const key of keys) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const fromFiles = readFileVariables(env, keys);
  Object.assign(input, fromFiles.values);
  const parsed = configSchema.safeParse(input);
  if (!parsed.success || fromFiles.problems.length) {
    const problems = (parsed.error?.issues ?? []).map((i) => {
      const key = String(i.path[0] ?? '?');
      const shown =
        SECRET_KEYS.includes(key as keyof AppConfig) || key in fromFiles.values
          ? '(value hidden)'
          : key in input
            ? JSON.stringify(input[key])
            : '(not set)';
      return `${key}=${shown}: ${i.message}`;
    });
    throw new ConfigError([...fromFiles.problems, ...problems]);
  }
  const c = parsed.data;
  return {
    ...c,
    DATABASE_URL: withPassword(c.DATABASE_URL, c.DATABASE_PASSWORD),
    REDIS_URL: withPassword(c.REDIS_URL, c.REDIS_PASSWORD),
    IMPORT_DIR: c.IMPORT_DIR ?? join(c.DATA_DIR, 'import'),
    CONSOLE_URL: (c.CONSOLE_URL ?? `http://localhost:${c.PORT}/console`).replace(/\/+$/, ''),
    SESSION_COOKIE_SECURE: c.SESSION_COOKIE_SECURE ?? c.NODE_ENV === 'production',
    DATABASE_CREATE: c.DATABASE_CREATE ?? c.NODE_ENV === 'development',
  };
}

/** A copy of the config safe to print (secrets with passwords masked). */
export function redactedConfig(cfg: AppConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg };
  for (const k of SECRET_KEYS) {
    if (cfg[k] === undefined) continue;
    out[k] = k.endsWith('_PASSWORD') ? '***' : String(cfg[k]).replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
  return out;
}
