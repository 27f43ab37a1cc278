import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { parseBusinessDate } from '../common/clock/business-date';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { allowLongStatements } from '../common/database/data-source.factory';
import { jobErrorMessage } from '../common/jobs/jobs.errors';
import { JobsService } from '../common/jobs/jobs.service';
import { OutboxService } from '../common/outbox/outbox.service';
import { RppsService } from '../rpps/rpps.service';
import { OrdersError } from './orders.errors';
import { OPEN_ORDER_STATES } from './workflow';

export interface RenewalResult {
  runId: string;
  asOf: string;
  /** True when the day was given (--as-of), false for today. */
  asOfGiven: boolean;
  /**
   * True when the given day is after today (Paris): a rehearsal or a test of a sweep to come.
   * The sweep runs for real (it only plans: its orders can be cancelled); this says so.
   */
  asOfAfterToday: boolean;
  /** True for a dry run (--dry-run): the due cards are counted, no order is made. */
  dryRun: boolean;
  windowDays: number;
  cardsDue: number;
  /** Orders this run made; 0 in a dry run. */
  ordersCreated: number;
  /** In a dry run, the orders a run on that day would make (due cards without an open order). */
  ordersWouldCreate?: number;
  alreadyOpen: number;
  seconds: number;
}

const CHUNK = 5000;
/** One sweep at a time. */
const RENEWAL_LOCK = 7_264_020;
const OPEN = OPEN_ORDER_STATES.map((s) => `'${s}'`).join(',');

/**
 * The renewal sweep. A card is due when its holder is still in the registry for its
 * profession, it is the latest card of its (holder, profession, type), it ends within
 * the window (expired cards included), it was not opposed for a reason that excludes
 * renewal (an unknown reason counts as excluding), and no order is open for it. Due
 * cards get a renewal order, approved by policy, in chunks; a rerun creates nothing twice.
 * A day after today is allowed (the sweep only plans: rehearsals and tests of a day to come)
 * and recorded as such; a dry run counts what the sweep would order, and orders nothing.
 */
@Injectable()
export class RenewalsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly rpps: RppsService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
  ) {}

  async run(o: {
    asOf?: string;
    actor: string;
    /** Count the due cards and the orders a sweep would make; make none. */
    dryRun?: boolean;
    chunkSize?: number;
    onProgress?: (done: number, total: number) => void;
  }): Promise<RenewalResult> {
    const started = Date.now();
    const cfg = this.cfg;
    // Planning only (orders, which can be cancelled): a later day is allowed, for rehearsals and
    // tests; the result, the job run and the audit entry say that the day was given, and if it is after today.
    const asOfGiven = o.asOf !== undefined;
    const asOf = o.asOf === undefined ? this.clock.today() : parseBusinessDate(o.asOf, '--as-of');
    const asOfAfterToday = asOf > this.clock.today();
    const dryRun = o.dryRun === true;
    const windowDays = cfg.RENEWAL_WINDOW_DAYS;
    const chunkSize = o.chunkSize ?? CHUNK;
    const jobRunId = await this.jobs.create('renewals', o.actor, { asOf, asOfGiven, asOfAfterToday, dryRun, windowDays });
    const reporter = this.jobs.reporter(jobRunId);
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    const restoreTimeout = await allowLongStatements(qr);
    let dueTable: string | null = null;
    let locked = false;
    try {
      const [{ ok }] = await qr.query(`SELECT pg_try_advisory_lock($1) AS ok`, [RENEWAL_LOCK]);
      if (!ok) throw new OrdersError('renewal_in_progress', 'another renewal sweep is running; try again when it ends', 409);
      locked = true;
      // Work tables of a sweep that was killed (none can be in use: we hold the lock).
      const leftovers: Array<{ tablename: string }> = await qr.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'renewal\\_due\\_%'`,
      );
      for (const t of leftovers) await qr.query(`DROP TABLE IF EXISTS ${t.tablename}`);
      const [run] = await qr.query(`INSERT INTO renewal_run (as_of, window_days, job_run_id) VALUES ($1, $2, $3) RETURNING id`, [
        asOf,
        windowDays,
        jobRunId,
      ]);
      dueTable = `renewal_due_${String(run.id).replace(/-/g, '').slice(0, 16)}`;
      // 1. The due cards, set-based, into a work table (unlogged: rebuilt by a rerun).
      await qr.query(
        `
        CREATE UNLOGGED TABLE ${dueTable} AS
        SELECT l.card_number, l.national_id, l.profession_code, l.card_type
          FROM card l
         WHERE l.valid_until <= $1::date + $2::int
           AND (l.state <> 'opposed' OR l.opposition_reason = 'expiry')
           -- the latest card of its holder, profession and type (no later one)
           AND NOT EXISTS (SELECT 1 FROM card n
                            WHERE n.national_id = l.national_id AND n.profession_code = l.profession_code
                              AND n.card_type = l.card_type
                              AND (n.valid_until, n.card_number) > (l.valid_until, l.card_number))
           AND ${this.rpps.activeInRegistrySql('l.national_id', 'l.profession_code')}`,
        [asOf, windowDays],
      );
      await qr.query(`ALTER TABLE ${dueTable} ADD PRIMARY KEY (card_number)`);
      const [{ n: cardsDue }] = await qr.query(`SELECT count(*)::int AS n FROM ${dueTable}`);
      reporter.progress(0, cardsDue, dryRun ? 'counting (dry run)' : 'ordering');
      // 2. Orders, a chunk per transaction: an interrupted sweep keeps what it made, and a
      //    rerun skips what is open (the one-open-order index says so).
      // Orders are approved today (Paris): the generation follows that day, whatever asOf.
      const cps4Started = this.clock.today() >= cfg.CPS4_START_DATE;
      let created = 0;
      let done = 0;
      let after = '';
      let wouldCreate: number | undefined;
      if (dryRun) {
        const [{ n }] = await qr.query(
          `SELECT count(*)::int AS n FROM ${dueTable} c
            WHERE NOT EXISTS (SELECT 1 FROM card_order o WHERE o.national_id = c.national_id
                                AND o.profession_code = c.profession_code AND o.card_type = c.card_type AND o.status IN (${OPEN}))`,
        );
        wouldCreate = n;
        done = cardsDue;
      }
      for (; !dryRun; ) {
        const chunk = await this.ds.transaction(async (em) => {
          const rows: Array<{ id: string }> = await em.query(
            `WITH c AS (SELECT * FROM ${dueTable} WHERE card_number > $1 ORDER BY card_number LIMIT $2)
             INSERT INTO card_order (national_id, profession_code, card_type, reason, status, generation, content, replaces_card,
                                     requested_by, approved_by, approved_at)
             SELECT c.national_id, c.profession_code, c.card_type, 'renewal', 'approved',
                    CASE WHEN $3::boolean AND (cardinality($4::text[]) = 0 OR c.profession_code = ANY($4)) THEN 'CPS4' ELSE 'CPS3' END,
                    ${this.rpps.cardContentSql('c.national_id', 'c.profession_code')}, c.card_number, 'policy', 'policy', now()
               FROM c
              WHERE NOT EXISTS (SELECT 1 FROM card_order o WHERE o.national_id = c.national_id
                                  AND o.profession_code = c.profession_code AND o.card_type = c.card_type AND o.status IN (${OPEN}))
             ON CONFLICT (national_id, profession_code, card_type) WHERE status IN (${OPEN}) DO NOTHING
             RETURNING id`,
            [after, chunkSize, cps4Started, cfg.CPS4_PROFESSIONS],
          );
          const [last] = await em.query(
            `SELECT max(card_number) AS last, count(*)::int AS n FROM (SELECT card_number FROM ${dueTable}
               WHERE card_number > $1 ORDER BY card_number LIMIT $2) x`,
            [after, chunkSize],
          );
          if (rows.length) {
            // One message for the chunk: the mailing vault draws these orders' codes once this commits.
            await this.outbox.add(em, 'orders.approved', { orderIds: rows.map((r) => r.id) });
            await this.audit.append(em, {
              actor: o.actor,
              action: 'renewal.orders',
              entity: 'renewal_run',
              entityId: run.id,
              details: { asOf, orders: rows.map((r) => r.id) },
            });
          }
          return { created: rows.length, seen: Number(last.n), last: last.last as string | null };
        });
        created += chunk.created;
        done += chunk.seen;
        reporter.progress(done, cardsDue, 'ordering');
        o.onProgress?.(done, cardsDue);
        if (!chunk.last || chunk.seen < chunkSize) break;
        after = chunk.last;
      }
      const result: RenewalResult = {
        runId: run.id,
        asOf,
        asOfGiven,
        asOfAfterToday,
        dryRun,
        windowDays,
        cardsDue,
        ordersCreated: created,
        ...(dryRun ? { ordersWouldCreate: wouldCreate } : {}),
        alreadyOpen: cardsDue - (dryRun ? (wouldCreate ?? 0) : created),
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      await qr.query(`UPDATE renewal_run SET cards_due = $2, orders_created = $3, already_open = $4, finished_at = now() WHERE id = $1`, [
        run.id,
        cardsDue,
        created,
        result.alreadyOpen,
      ]);
      await this.audit.append(qr.manager, {
        actor: o.actor,
        action: 'renewal.run',
        entity: 'renewal_run',
        entityId: run.id,
        // the run's figures, as its result gives them (the run's id is the entry's entity; no timing)
        details: { ...result, runId: undefined, seconds: undefined },
      });
      await reporter.flush();
      await this.jobs.succeed(jobRunId, { ...result });
      return result;
    } catch (e) {
      await this.jobs.fail(jobRunId, jobErrorMessage(e)).catch(() => undefined);
      throw e;
    } finally {
      if (dueTable) await qr.query(`DROP TABLE IF EXISTS ${dueTable}`).catch(() => undefined);
      if (locked) await qr.query(`SELECT pg_advisory_unlock($1)`, [RENEWAL_LOCK]).catch(() => undefined);
      await restoreTimeout();
      await qr.release();
    }
  }
}
