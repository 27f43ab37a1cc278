import { QueryRunner } from 'typeorm';

/**
 * What a down step would destroy: the rows of `table` (those matching `where`, when given),
 * described for a person as `what` ("the audit trail", "oppositions").
 */
export interface DataLoss {
  table: string;
  what: string;
  /** Only these rows would be lost (a dropped column: the rows where it is set). */
  where?: string;
}

/**
 * The key of QueryRunner.data a revert sets to let a down step destroy data
 * (`cps migrations:revert --force-data-loss`). Nothing else sets it: a revert by other means
 * (TypeORM's own CLI, a test's undoLastMigration) refuses as the CLI does without the flag.
 */
export const FORCE_DATA_LOSS = 'forceDataLoss';

/**
 * Tables dropped by a down step that hold no business data, so no refusal: they are
 * recomputed or refilled, or hold only what is under way (a session, a mark that an event
 * was consumed, a station's heartbeat). A test (src/common/database/migrations-data-loss.spec.ts)
 * reads every down step and fails on a dropped table that is neither guarded nor listed here.
 */
export const DROPPED_WITHOUT_LOSS: Readonly<Record<string, string>> = {
  consumed_registry_event: 'marks of registry events already consumed (purged by retention)',
  order_idempotency_key: 'idempotency keys of order requests (purged by retention)',
  audit_queue: 'the sequencer work list (the down step refuses while it holds entries)',
  audit_chain: 'the chain links, copied back into audit_log by the down step',
  database_identity: "the database's identity, written again at start",
  encoder_station: 'encoder stations, written again by their heartbeats',
  console_session: 'console sessions (people sign in again)',
};

/**
 * Columns dropped by a down step that hold no business data: work under way (a claim on an
 * order), delivery state, or values computed again from others.
 */
export const DROPPED_COLUMNS_WITHOUT_LOSS: Readonly<Record<string, string>> = {
  'card_order.claimed_at': "an order's claim by an encoder station (work under way)",
  'card_order.claimed_by': "an order's claim by an encoder station (work under way)",
  'card_order.claim_token': "an order's claim by an encoder station (work under way)",
  'card_order.claimed_chip_serial': "an order's claim by an encoder station (work under way)",
  'card_order.personalization_attempts': 'a counter of attempts (the spoiled cards are guarded)',
  'outbox.failed_at': "a message's delivery state",
  'outbox.consumed_at': "a message's delivery state",
  'rpps_professional.name_key': 'a search key computed from the names',
  'rpps_professional.name_key_first': 'a search key computed from the names',
};

/** A down step refused: it would destroy the data it names. Nothing was changed (the revert's transaction is rolled back). */
export class DataLossRefusedError extends Error {
  readonly code = 'data_loss_refused';

  constructor(
    readonly migration: string,
    readonly losses: ReadonlyArray<{ table: string; what: string; rows: number }>,
  ) {
    super(
      `reverting ${migration} would destroy ${losses.map((l) => `${l.what} (${l.rows} ${l.rows === 1 ? 'row' : 'rows'} of ${l.table})`).join(', ')}; ` +
        'nothing was changed. Save them elsewhere first, then revert with --force-data-loss (cps migrations:revert --force-data-loss)',
    );
    this.name = 'DataLossRefusedError';
  }
}

/**
 * The first statement of a down step that drops tables or columns holding business data:
 * counts the rows it would destroy and refuses (DataLossRefusedError) when there are some,
 * unless the revert was forced. An empty table, or one already gone, loses nothing. Each table
 * is locked (ACCESS EXCLUSIVE, held until the migration's transaction ends) before it is
 * counted, so that no row committed between the count and the drop is lost unrefused.
 */
export async function refuseDataLoss(q: QueryRunner, migration: string, losses: readonly DataLoss[]): Promise<void> {
  if (q.data?.[FORCE_DATA_LOSS] === true) return;
  if (!q.isTransactionActive) {
    throw new Error(`${migration}: refuseDataLoss must run inside the migration's transaction (its locks last until the drop)`);
  }
  const found: Array<{ table: string; what: string; rows: number }> = [];
  for (const l of losses) {
    const [{ exists }] = await q.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [l.table]);
    if (!exists) continue;
    await q.query(`LOCK TABLE ${l.table} IN ACCESS EXCLUSIVE MODE`);
    const [{ n }] = await q.query(`SELECT count(*)::bigint AS n FROM ${l.table}${l.where ? ` WHERE ${l.where}` : ''}`);
    if (Number(n) > 0) found.push({ table: l.table, what: l.what, rows: Number(n) });
  }
  if (found.length) throw new DataLossRefusedError(migration, found);
}

/** `WHERE` of the rows where one of `columns` is set (what dropping them destroys). */
export function anySet(columns: readonly string[]): string {
  return columns.map((c) => `${c} IS NOT NULL`).join(' OR ');
}
