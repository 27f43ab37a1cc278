import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { Page, paged } from '../common/database/paged';
import { rowsReturned } from '../common/database/returning';
import { Param, SqlParams } from '../common/database/sql-params';
import { isUuid } from '../common/database/uuid';
import { errorText } from '../common/errors/error-text';
import { CardPersonalizationError } from './card-personalization.errors';
import { ENCODER_STATES, EncoderDriverName, EncoderState } from './encoder-station.entity';

export type { EncoderDriverName, EncoderState } from './encoder-station.entity';

/** The states a running station sets itself; `error` comes from recordCard only, `offline` from goOffline. */
export type EncoderWorkState = 'idle' | 'waiting-card' | 'writing';
const WORK_STATES: readonly string[] = ['idle', 'waiting-card', 'writing'] satisfies EncoderWorkState[];

/** A station a worker process starts running: one reader of its host. */
export interface StationRegistration {
  host: string;
  /** The PC/SC reader name (or the simulated reader's). */
  reader: string;
  driver: EncoderDriverName;
  /** `<host>:<pid>` of the process that runs it. */
  processId: string;
}

/**
 * How one card ended on a station, as recordCard stores it (the station's own, richer
 * account is encoder-station.ts's CardOutcome). `error` is already safe to show (never a
 * code); it is cut at ERROR_TEXT_MAX characters.
 */
export type StationCardResult = { ok: true } | { ok: false; error: string };

/** A station's row as stored: what its own process reads back (current). */
export interface EncoderStationRecord {
  id: string;
  host: string;
  reader: string;
  driver: EncoderDriverName;
  /** `<host>:<pid>`; null once its process stopped cleanly (goOffline). */
  processId: string | null;
  /** As stored: what the station last said it was doing (never computed offline). */
  state: EncoderState;
  orderId: string | null;
  cardsDone: number;
  cardsFailed: number;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  startedAt: Date;
  heartbeatAt: Date;
  resetBy: string | null;
  resetAt: Date | null;
}

/**
 * A station as GET /api/v1/encoders shows it. `state` is `offline` when no process runs it
 * (it stopped cleanly) or its heartbeat is older than 3 × ENCODER_HEARTBEAT_SECONDS, whatever
 * was stored; `stoppedIn` then says what it was doing when it stopped (`error` for a station
 * that waits for an operator's reset, `writing` for one whose process died mid-card; null
 * when it stopped cleanly). A station in error that is running shows `error`.
 */
export interface EncoderStationView extends Omit<EncoderStationRecord, 'state'> {
  state: EncoderState;
  stoppedIn: EncoderState | null;
}

export interface EncoderListQuery {
  /** 1-based. */
  page?: number;
  /** 50 unless given. */
  pageSize?: number;
}

const RECORD_COLUMNS = `s.id, s.host, s.reader, s.driver, s.process_id AS "processId", s.order_id AS "orderId",
  s.cards_done AS "cardsDone", s.cards_failed AS "cardsFailed", s.consecutive_failures AS "consecutiveFailures",
  s.last_error AS "lastError", s.last_error_at AS "lastErrorAt", s.started_at AS "startedAt", s.heartbeat_at AS "heartbeatAt",
  s.reset_by AS "resetBy", s.reset_at AS "resetAt"`;

/** A station's state as shown (see EncoderStationView): `offline` when stale, whatever was stored. */
const SHOWN_STATE = `CASE WHEN s.stale THEN 'offline' ELSE s.state END`;
/** What a stale station was doing when it stopped (see EncoderStationView); null otherwise. */
const STOPPED_IN = `CASE WHEN s.stale AND s.state <> 'offline' THEN s.state END`;
/** An EncoderStationView's columns, over `shown s` (see shown()). */
const VIEW_COLUMNS = `${RECORD_COLUMNS},
              ${SHOWN_STATE} AS state,
              ${STOPPED_IN} AS "stoppedIn"`;

/**
 * The encoder fleet's rows (`encoder_station`): each worker process registers the stations it
 * runs, says what each is doing and how each card ended, and beats for them; the API lists
 * them and an operator resets a station in error. Every change is one statement on one row
 * (two workers never share a station: a reader belongs to one host, and a new process taking
 * a station over simply becomes its `processId`).
 *
 * Times are the database's (`now()`): the stations of every host are compared against one
 * clock, so a host whose clock drifts is not shown offline (nor alive) for it.
 *
 * A station that fails ENCODER_MAX_CONSECUTIVE_FAILURES cards in a row goes to `error` and
 * stays there, across restarts of its process, until an operator resets it: setState never
 * takes it out, register keeps it, and such a row is never forgotten.
 */
@Injectable()
export class EncoderFleetService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG)
    private readonly cfg: Pick<AppConfig, 'ENCODER_MAX_CONSECUTIVE_FAILURES' | 'ENCODER_HEARTBEAT_SECONDS' | 'ENCODER_FORGET_HOURS'>,
  ) {}

  /** How old a heartbeat may be before its station is shown offline (3 heartbeats). */
  get staleAfterSeconds(): number {
    return 3 * this.cfg.ENCODER_HEARTBEAT_SECONDS;
  }

  /**
   * A process starts running a station: its row is made, or taken over (new processId,
   * started and heartbeat now, no order). State `idle`, except that a station in error stays
   * in error (an operator must reset it). Counters carry on. Refused (409 `encoder_busy`) while
   * another process runs it: its heartbeat is fresh and it is not known dead (a process of this
   * host that no longer exists is known dead, and its station is taken over at once). Also
   * deletes the forgotten rows (see purge). Returns the station id, `<host>/<reader>`.
   */
  async register(s: StationRegistration): Promise<string> {
    if (!s.host || s.host.includes('/')) throw new Error(`register: host "${s.host}" must be a non-empty name without "/"`);
    if (!s.reader) throw new Error('register: the reader name is empty');
    if (!s.processId) throw new Error('register: the processId is empty');
    const id = stationId(s.host, s.reader);
    await this.ds.transaction(async (em) => {
      // Two processes registering one station at once (no row yet to lock): one after the other.
      await em.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [STATION_REGISTER_LOCK, id]);
      const [running]: Array<{ processId: string; seconds: number }> = await em.query(
        `SELECT process_id AS "processId", extract(epoch FROM now() - heartbeat_at)::int AS seconds FROM encoder_station
          WHERE id = $1 AND process_id IS NOT NULL AND process_id <> $2 AND heartbeat_at >= now() - $3::int * interval '1 second'
          FOR UPDATE`,
        [id, s.processId, this.staleAfterSeconds],
      );
      if (running && !knownDead(running.processId)) {
        throw new CardPersonalizationError(
          'encoder_busy',
          `encoder station ${id} is run by process ${running.processId} (heartbeat ${running.seconds} s ago): one process per reader`,
          409,
          { processId: running.processId },
        );
      }
      await em.query(
        `INSERT INTO encoder_station AS s (id, host, reader, driver, process_id, state, started_at, heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, 'idle', now(), now())
         ON CONFLICT (id) DO UPDATE SET
           driver = EXCLUDED.driver,
           process_id = EXCLUDED.process_id,
           state = CASE WHEN s.state = 'error' THEN 'error' ELSE 'idle' END,
           order_id = NULL,
           started_at = now(),
           heartbeat_at = now()`,
        [id, s.host, s.reader, s.driver, s.processId],
      );
    });
    await this.purge();
    return id;
  }

  /**
   * What a running station is doing; refreshes its heartbeat. `orderId`: the order it now
   * works on (null: none; omitted: unchanged, except that `idle` clears it). A station in
   * error stays in error (only reset takes it out): its heartbeat is refreshed, nothing else.
   * Returns the state stored after the call: `state`, or `error`. 404 `encoder_not_found`.
   */
  async setState(id: string, state: EncoderWorkState, orderId?: string | null): Promise<EncoderState> {
    if (!WORK_STATES.includes(state)) throw new Error(`setState: "${state}" is not one of ${WORK_STATES.join(', ')}`);
    if (orderId !== undefined && orderId !== null && !isUuid(orderId)) throw new Error(`setState: order id "${orderId}" is not a UUID`);
    const rows = await rowsReturned<{ state: EncoderState }>(
      this.ds,
      `UPDATE encoder_station SET
         state = CASE WHEN state = 'error' THEN state ELSE $2 END,
         order_id = CASE WHEN state = 'error' THEN order_id WHEN $2 = 'idle' THEN NULL WHEN $4::boolean THEN $3::uuid ELSE order_id END,
         heartbeat_at = now()
       WHERE id = $1
       RETURNING state`,
      [id, state, orderId ?? null, orderId !== undefined],
    );
    if (!rows.length) throw notFound(id);
    return rows[0].state;
  }

  /**
   * How a card ended, in one statement. ok: cards_done + 1 and the run of failures ends.
   * Failure: cards_failed + 1, one more failure in a row, last_error (cut at ERROR_TEXT_MAX
   * characters, control characters made spaces) and its time; the station goes to `error`
   * (and drops its order) when the run reaches ENCODER_MAX_CONSECUTIVE_FAILURES. Refreshes
   * the heartbeat. 404 `encoder_not_found`.
   */
  async recordCard(id: string, outcome: StationCardResult): Promise<{ state: EncoderState; consecutiveFailures: number }> {
    const error = outcome.ok ? null : errorText(outcome.error);
    const rows = await rowsReturned<{ state: EncoderState; consecutiveFailures: number }>(
      this.ds,
      `UPDATE encoder_station SET
         cards_done = cards_done + CASE WHEN $2::boolean THEN 1 ELSE 0 END,
         cards_failed = cards_failed + CASE WHEN $2::boolean THEN 0 ELSE 1 END,
         consecutive_failures = CASE WHEN $2::boolean THEN 0 ELSE consecutive_failures + 1 END,
         last_error = CASE WHEN $2::boolean THEN last_error ELSE $3 END,
         last_error_at = CASE WHEN $2::boolean THEN last_error_at ELSE now() END,
         state = CASE WHEN NOT $2::boolean AND consecutive_failures + 1 >= $4::int THEN 'error' ELSE state END,
         order_id = CASE WHEN NOT $2::boolean AND consecutive_failures + 1 >= $4::int THEN NULL ELSE order_id END,
         heartbeat_at = now()
       WHERE id = $1
       RETURNING state, consecutive_failures AS "consecutiveFailures"`,
      [id, outcome.ok, error, this.cfg.ENCODER_MAX_CONSECUTIVE_FAILURES],
    );
    if (!rows.length) throw notFound(id);
    return rows[0];
  }

  /**
   * The stations of process `processId` are alive: one statement for all of them (a station
   * stopped by goOffline, or taken over by another process, is not revived).
   */
  async heartbeat(ids: string[], processId: string): Promise<void> {
    if (!ids.length) return;
    await this.ds.query(`UPDATE encoder_station SET heartbeat_at = now() WHERE id = ANY($1::text[]) AND process_id = $2`, [ids, processId]);
  }

  /**
   * The stations' process `processId` stops cleanly: no process, no order, state `offline` (a
   * station in error keeps `error`: it must still be reset), heartbeat_at the time it stopped.
   * A station another process took over meanwhile is left to it.
   */
  async goOffline(ids: string[], processId: string): Promise<void> {
    if (!ids.length) return;
    await this.ds.query(
      `UPDATE encoder_station
          SET state = CASE WHEN state = 'error' THEN state ELSE 'offline' END, process_id = NULL, order_id = NULL, heartbeat_at = now()
        WHERE id = ANY($1::text[]) AND process_id = $2`,
      [ids, processId],
    );
  }

  /** A station's row as stored (its state never computed offline): a station in error polls it to learn it was reset. 404 `encoder_not_found`. */
  async current(id: string): Promise<EncoderStationRecord> {
    const rows: EncoderStationRecord[] = await this.ds.query(`SELECT ${RECORD_COLUMNS}, s.state FROM encoder_station s WHERE s.id = $1`, [
      id,
    ]);
    if (!rows.length) throw notFound(id);
    return rows[0];
  }

  /**
   * One page of the stations (by id), as shown (see EncoderStationView), and how many there
   * are. A forgotten station (see purge) is not listed.
   */
  async list(q: EncoderListQuery = {}): Promise<Page<EncoderStationView>> {
    return paged<EncoderStationView>(this.ds, {
      with: (p) => this.shown(p),
      select: VIEW_COLUMNS,
      from: 'shown s',
      orderBy: 's.id',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 50,
    });
  }

  /** One station as listed. 404 `encoder_not_found`. */
  async get(id: string): Promise<EncoderStationView> {
    const { p, values } = new SqlParams();
    const rows: EncoderStationView[] = await this.ds.query(
      `${this.shown(p)}
       SELECT ${VIEW_COLUMNS}
         FROM shown s WHERE s.id = ${p(id)}`,
      values,
    );
    if (!rows.length) throw notFound(id);
    return rows[0];
  }

  /** How many stations are listed in each state (as shown: offline computed), every state present. */
  async countByState(): Promise<Record<EncoderState, number>> {
    const { p, values } = new SqlParams();
    const rows: Array<{ state: EncoderState; n: number }> = await this.ds.query(
      `${this.shown(p)}
       SELECT ${SHOWN_STATE} AS state, count(*)::int AS n FROM shown s GROUP BY 1`,
      values,
    );
    const counts = Object.fromEntries(ENCODER_STATES.map((s) => [s, 0])) as Record<EncoderState, number>;
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  }

  /**
   * Deletes the forgotten stations: offline (see EncoderStationView), not in error, and
   * silent for ENCODER_FORGET_HOURS (a station in error waits for its reset however long it
   * is away: forgetting it would let it come back idle). Returns how many.
   */
  async purge(): Promise<number> {
    const rows = await rowsReturned(
      this.ds,
      `DELETE FROM encoder_station s
        WHERE (s.process_id IS NULL OR s.heartbeat_at < now() - $1::int * interval '1 second')
          AND s.state <> 'error' AND s.heartbeat_at < now() - $2::int * interval '1 hour'
        RETURNING s.id`,
      [this.staleAfterSeconds, this.cfg.ENCODER_FORGET_HOURS],
    );
    return rows.length;
  }

  /**
   * An operator puts a station in error back to work: `idle`, no failure in a row, who and
   * when recorded, and an audit entry `encoder.reset`. A running station learns it from
   * current(); a stopped one starts idle next time. 404 `encoder_not_found`; 409
   * `encoder_not_in_error` when it is not in error. Returns the station as listed.
   */
  async reset(id: string, actor: string): Promise<EncoderStationView> {
    await this.ds.transaction(async (em) => {
      const rows: Array<Pick<EncoderStationRecord, 'host' | 'reader' | 'state' | 'consecutiveFailures' | 'lastError' | 'lastErrorAt'>> =
        await em.query(
          `SELECT host, reader, state, consecutive_failures AS "consecutiveFailures", last_error AS "lastError", last_error_at AS "lastErrorAt"
             FROM encoder_station WHERE id = $1 FOR UPDATE`,
          [id],
        );
      if (!rows.length) throw notFound(id);
      const before = rows[0];
      if (before.state !== 'error') {
        throw new CardPersonalizationError('encoder_not_in_error', `encoder station ${id} is ${before.state}, not in error`, 409, {
          state: before.state,
        });
      }
      await em.query(
        `UPDATE encoder_station SET state = 'idle', consecutive_failures = 0, order_id = NULL, reset_by = $2, reset_at = now() WHERE id = $1`,
        [id, actor],
      );
      await this.audit.append(em, {
        actor,
        action: 'encoder.reset',
        entity: 'encoder_station',
        entityId: id,
        details: {
          host: before.host,
          reader: before.reader,
          consecutiveFailures: before.consecutiveFailures,
          lastError: before.lastError,
          lastErrorAt: before.lastErrorAt,
        },
      });
    });
    return this.get(id);
  }

  /** `WITH shown AS (...)`: the stations not forgotten, each with `stale` (no process, or a heartbeat older than 3 heartbeats). */
  private shown(p: Param): string {
    const stale = `(e.process_id IS NULL OR e.heartbeat_at < now() - ${p(this.staleAfterSeconds)}::int * interval '1 second')`;
    return `WITH shown AS (
      SELECT e.*, ${stale} AS stale FROM encoder_station e
       WHERE NOT (${stale} AND e.state <> 'error' AND e.heartbeat_at < now() - ${p(this.cfg.ENCODER_FORGET_HOURS)}::int * interval '1 hour')
    )`;
  }
}

/** With the station id's hash, the lock two processes registering one station take in turn (two-key space). */
const STATION_REGISTER_LOCK = 7_264_040;

/**
 * This process's id in the fleet: `<host>:<pid>:<random>`. The random part tells apart two
 * processes with one host name and one pid (containers given the same hostname, each its node
 * as pid 1): each is then refused the other's station (encoder_busy) instead of taking it as its own.
 */
export function newProcessId(host = hostname(), pid = process.pid): string {
  return `${host}:${pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Whether the process `<host>:<pid>[:<random>]` is known to be gone: it ran on this host and no
 * process has its pid any more. A process of another host is never known dead (its heartbeat tells).
 */
export function knownDead(processId: string, host = hostname()): boolean {
  const m = /^(.+):(\d+)(?::[0-9a-f]+)?$/.exec(processId);
  const pid = Number(m?.[2]);
  if (!m || m[1] !== host || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A station's id: `<host>/<reader>`. */
export function stationId(host: string, reader: string): string {
  return `${host}/${reader}`;
}

function notFound(id: string): CardPersonalizationError {
  return new CardPersonalizationError('encoder_not_found', `no encoder station ${JSON.stringify(id)}`, 404);
}
