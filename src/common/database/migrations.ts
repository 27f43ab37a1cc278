import { performance } from 'node:perf_hooks';
import { inspect } from 'node:util';
import { DataSource, DataSourceOptions, MigrationExecutor, QueryRunner } from 'typeorm';
import type { RdbmsSchemaBuilder } from 'typeorm/schema-builder/RdbmsSchemaBuilder';
import { DataLossRefusedError, FORCE_DATA_LOSS } from '../../../migrations/data-loss';
import { DomainError } from '../errors/domain-error';

export const MIGRATIONS_ERROR_CODES = ['migrations_pending', 'data_loss_refused', 'migration_failed'] as const;
export type MigrationsErrorCode = (typeof MIGRATIONS_ERROR_CODES)[number];

/**
 * A process that may not start (migrations pending with MIGRATIONS_RUN=false), or a revert
 * refused or failed. Its message is the whole story, on one line: its stack (and what
 * util.inspect shows) is that line too, so that whatever prints a start-up failure prints one line.
 */
export class MigrationsError extends DomainError<MigrationsErrorCode> {
  static override readonly titles = {
    migrations_pending: 'The database has migrations to apply first',
    data_loss_refused: 'Reverting this migration would destroy data',
    migration_failed: 'A migration failed; nothing of it was applied',
  };

  constructor(code: MigrationsErrorCode, message: string) {
    super(code, message, code === 'migrations_pending' ? 503 : 409);
    this.stack = `${this.name}: ${message}`;
  }

  /** How Nest's console logger (util.inspect) prints it when a start fails: the one line. */
  [inspect.custom](): string {
    return this.stack!;
  }
}

/** A migration applied or reverted, and the time it took (its statements and its commit). */
export interface MigrationRun {
  name: string;
  ms: number;
}

/** What migrations:status shows. `unknown`: applied to the database but not in this release (a newer release's). */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
  unknown: string[];
}

/** A lock number every process uses while it applies or reverts migrations, so two never race. */
const MIGRATION_LOCK = 7_264_001;

/**
 * A data source of its own for migrating, opened and closed around `f`: migrations (and the
 * wait for another process's) are not bound by the pools' statement timeout.
 */
export async function withMigrator<T>(options: DataSourceOptions, f: (ds: DataSource) => Promise<T>): Promise<T> {
  const migrator = await new DataSource({ ...options, extra: { max: 2 } } as DataSourceOptions).initialize();
  try {
    return await f(migrator);
  } finally {
    await migrator.destroy();
  }
}

/** Runs `f` on one session holding the migration lock (waiting for another process's run to end). */
async function locked<T>(ds: DataSource, f: (qr: QueryRunner, executor: MigrationExecutor) => Promise<T>): Promise<T> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const executor = new MigrationExecutor(ds, qr);
    executor.transaction = 'each';
    return await f(qr, executor);
  } finally {
    await qr.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await qr.release();
  }
}

/** The names of the migrations of this release not applied to the database, in order. */
export async function pendingMigrations(ds: DataSource): Promise<string[]> {
  return (await new MigrationExecutor(ds).getPendingMigrations()).map((m) => m.name);
}

export async function migrationStatus(ds: DataSource): Promise<MigrationStatus> {
  const executor = new MigrationExecutor(ds);
  const executed = (await executor.getExecutedMigrations()).sort((a, b) => (a.id ?? 0) - (b.id ?? 0)).map((m) => m.name);
  const known = ds.migrations.map((m) => m.name ?? m.constructor.name);
  return {
    applied: executed.filter((n) => known.includes(n)),
    pending: known.filter((n) => !executed.includes(n)),
    unknown: executed.filter((n) => !known.includes(n)),
  };
}

/** The one-line refusal of a process started with MIGRATIONS_RUN=false while migrations are pending. */
export function pendingMigrationsError(pending: readonly string[]): MigrationsError {
  const n = pending.length;
  return new MigrationsError(
    'migrations_pending',
    `${n} ${n === 1 ? 'migration is' : 'migrations are'} pending (${pending.join(', ')}) and MIGRATIONS_RUN=false: ` +
      'apply them first (cps migrations:run, as the database owner), then start again',
  );
}

/**
 * Applies the pending migrations, one transaction each, under the migration lock; calls
 * `applied` after each commit (name, time taken). A failing migration is rolled back
 * (MigrationsError migration_failed naming it); the ones before it stay applied.
 */
export async function runPendingMigrations(ds: DataSource, applied?: (m: MigrationRun) => void): Promise<MigrationRun[]> {
  return locked(ds, async (qr, executor) => {
    // Creates schema_migrations (and TypeORM's metadata table) on a new database.
    await executor.showMigrations();
    const builder = ds.driver.createSchemaBuilder() as Partial<RdbmsSchemaBuilder>;
    await builder.createMetadataTableIfNecessary?.(qr);
    const done: MigrationRun[] = [];
    for (const m of await executor.getPendingMigrations()) {
      const t0 = performance.now();
      const inTransaction = m.instance?.transaction !== false;
      if (inTransaction) await qr.startTransaction();
      try {
        await m.instance!.up(qr);
        await executor.insertMigration(m);
        if (inTransaction) await qr.commitTransaction();
      } catch (e) {
        if (inTransaction) await qr.rollbackTransaction().catch(() => undefined);
        throw new MigrationsError('migration_failed', `migration ${m.name} failed (nothing of it applied): ${(e as Error).message}`);
      }
      const run = { name: m.name, ms: Math.round(performance.now() - t0) };
      done.push(run);
      applied?.(run);
    }
    return done;
  });
}

/**
 * Reverts the last applied migration under the migration lock; null when none is applied. Its
 * down step refuses to destroy data (MigrationsError data_loss_refused, nothing changed) unless
 * `forceDataLoss`.
 */
export async function revertLastMigration(ds: DataSource, opts: { forceDataLoss: boolean }): Promise<MigrationRun | null> {
  return locked(ds, async (qr, executor) => {
    const executed = await executor.getExecutedMigrations();
    if (!executed.length) return null;
    const last = executed.reduce((a, b) => ((b.id ?? 0) > (a.id ?? 0) ? b : a));
    const t0 = performance.now();
    qr.data = { ...qr.data, [FORCE_DATA_LOSS]: opts.forceDataLoss };
    try {
      await executor.undoLastMigration();
    } catch (e) {
      if (e instanceof DataLossRefusedError) throw new MigrationsError('data_loss_refused', e.message);
      throw new MigrationsError('migration_failed', `reverting ${last.name} failed (nothing changed): ${(e as Error).message}`);
    } finally {
      delete qr.data[FORCE_DATA_LOSS];
    }
    return { name: last.name, ms: Math.round(performance.now() - t0) };
  });
}
