import { hostname } from 'node:os';
import { Pool } from 'pg';
import { DataSource, DataSourceOptions, EntityManager, MixedList } from 'typeorm';
import { runPendingMigrations } from './migrations';

/** What TypeORM takes as entity and migration classes. */
// biome-ignore lint/complexity/noBannedTypes: TypeORM declares these lists with Function.
type Classes = MixedList<Function>;

export interface DataSourceParts {
  url: string;
  entities: Classes;
  migrations: Classes;
  poolSize?: number;
  applicationName?: string;
  timeouts?: DatabaseTimeouts;
}

/** Server-side limits on every session of a pool (issue 8: outages end in errors, not hangs). */
export interface DatabaseTimeouts {
  statementMs: number;
  idleInTransactionMs: number;
  connectMs: number;
}

export function databaseTimeouts(cfg: {
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
}): DatabaseTimeouts {
  return {
    statementMs: cfg.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionMs: cfg.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    connectMs: cfg.DATABASE_CONNECT_TIMEOUT_MS,
  };
}

/** node-postgres pool settings for these limits (sent at connection start; a session may SET LOCAL a longer one). */
function poolTimeouts(t: DatabaseTimeouts | undefined): Record<string, number> {
  if (!t) return {};
  return {
    statement_timeout: t.statementMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    connectionTimeoutMillis: t.connectMs,
  };
}

/**
 * This process's application_name: unique per process (host and pid), so that a process
 * can find, and at shutdown cancel, its own sessions (pg_stat_activity) and no one else's.
 */
export function processApplicationName(role = 'cps-backoffice'): string {
  return `${role}/${hostname()}/${process.pid}`.slice(0, 63);
}

/**
 * The statement timeout of the long runs (registry import, renewal sweep, CRL publication),
 * which legitimately run statements of minutes at national size.
 */
export const LONG_STATEMENT_TIMEOUT_MS = 3_600_000;

/**
 * Raises the statement timeout of a session taken from the pool for a long run; returns what
 * puts it back (call it before releasing the session: the pool's sessions keep the default).
 */
export async function allowLongStatements(session: Pick<EntityManager, 'query'>): Promise<() => Promise<void>> {
  await session.query(`SELECT set_config('statement_timeout', $1, false)`, [String(LONG_STATEMENT_TIMEOUT_MS)]);
  return async () => {
    await session.query(`RESET statement_timeout`).catch(() => undefined);
  };
}

/**
 * A small pool of its own, for a route that must keep answering when the main pool is
 * saturated (the card status route).
 */
export function sidePool(url: string, size: number, applicationName: string, t?: DatabaseTimeouts): Pool {
  const pool = new Pool({ connectionString: url, max: size, application_name: applicationName, ...poolTimeouts(t) });
  pool.on('error', () => undefined); // an idle session lost (server restart): the pool opens another
  return pool;
}

/** A pool seen as the `query` of a DataSource (rows only), for a service that only queries. */
export function poolQueryable(pool: Pool): Pick<DataSource, 'query'> {
  return { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows } as Pick<DataSource, 'query'>;
}

export function dataSourceOptions(p: DataSourceParts): DataSourceOptions {
  return {
    type: 'postgres',
    url: p.url,
    entities: p.entities,
    migrations: p.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: p.applicationName ?? processApplicationName(),
    extra: { max: p.poolSize ?? 10, ...poolTimeouts(p.timeouts) },
  };
}

/** Applies pending migrations under the migration lock; returns the names applied (the tests' template database). */
export async function runMigrationsLocked(ds: DataSource): Promise<string[]> {
  return (await runPendingMigrations(ds)).map((m) => m.name);
}
