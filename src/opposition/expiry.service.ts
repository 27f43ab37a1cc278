import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { parseBusinessDate, refuseFutureDate } from '../common/clock/business-date';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { jobErrorMessage } from '../common/jobs/jobs.errors';
import { JobsService } from '../common/jobs/jobs.service';
import { massChange, massChangeConfirmed } from '../common/jobs/mass-change';
import { OutboxService } from '../common/outbox/outbox.service';
import { CARD_BASE_LOCK } from '../orders/card-base-import.service';
import { CardsService } from '../orders/cards.service';
import { OppositionError } from './opposition.errors';
import { takeOppositionWriteLock } from './oppositions.service';

const EXPIRY_CHUNK = 5000;

/** What an expiry sweep did, or why it is held (contract.md: cardsExpired, oppositionsCreated). */
export interface ExpiryResult {
  status: 'applied' | 'held';
  asOf: string;
  /** True when the day was given (--as-of), false for today. */
  asOfGiven: boolean;
  cardsExpired: number;
  oppositionsCreated: number;
  /** Cards not opposed whose end of validity is before the sweep's day (held: the cards nothing was done to). */
  cardsDue: number;
  /** Every card not opposed. */
  validCards: number;
  /** cardsDue / validCards, and EXPIRY_MAX_SHARE. */
  share: number;
  maxShare: number;
  /** Held: why, and the command that confirms it. */
  heldReason?: string;
  confirmWith?: string;
  /** Applied past EXPIRY_MAX_SHARE: who confirmed it, where (the audit entry says the same). */
  massChangeConfirmed?: string;
  /** Applied past EXPIRY_MAX_SHARE: the latest held run it confirmed, and what that one showed (null: none was held). */
  confirmsHeldRun?: HeldExpiryRun | null;
  jobRunId: string;
}

/** A held expiry run: its id, day and the cards it showed due. */
export interface HeldExpiryRun {
  id: string;
  asOf: string;
  cardsDue: number;
}

/** The command that confirms a held sweep (someone at the host). */
export function confirmExpiryCommand(asOf: string): string {
  return `expiry:run --as-of ${asOf} --confirm-mass-change`;
}

/**
 * The expiry sweep: every card whose end of validity is before `asOf` (default today,
 * Paris time; never after today: an opposition is final) is opposed with reason expiry,
 * a chunk per transaction; a rerun finds nothing. A sweep that would oppose more than
 * EXPIRY_MAX_SHARE of the valid cards is held (job run `held`, nothing opposed) unless
 * `confirmMassChange` (someone at the host) says it is real; the first sweep after a card
 * base import may legitimately be that large.
 *
 * A confirmation confirms what was held, not whatever is due when it runs: it is refused
 * (409 `expiry_grew_since_held`, nothing opposed) when the cards due now outnumber those the
 * latest held run (of that day or an earlier one) showed by more than EXPIRY_MAX_SHARE of
 * the valid cards, the most a sweep opposes without asking anyone. And the card base does
 * not change under a sweep: it holds the card base lock (shared) from its count to its last
 * chunk, which `cards:import` takes exclusively.
 */
@Injectable()
export class ExpiryService {
  constructor(
    private readonly ds: DataSource,
    private readonly cards: CardsService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: Clock,
  ) {}

  async expire(o: {
    asOf?: string;
    actor: string;
    confirmMassChange?: boolean;
    onProgress?: (done: number) => void;
  }): Promise<ExpiryResult> {
    const today = this.clock.today();
    const asOfGiven = o.asOf !== undefined;
    const asOf = o.asOf === undefined ? today : parseBusinessDate(o.asOf, '--as-of');
    refuseFutureDate(asOf, today, '--as-of', 'the expiry sweep opposes cards for good: an opposition');
    const lock = this.ds.createQueryRunner();
    await lock.connect();
    try {
      const [{ ok }] = await lock.query('SELECT pg_try_advisory_lock_shared($1) AS ok', [CARD_BASE_LOCK]);
      if (!ok) {
        throw new OppositionError(
          'card_import_in_progress',
          'a card base import (cards:import) is running: the expiry sweep counts the end-of-validity dates it changes, ' +
            'so it waits for the import to end; nothing opposed, run it again then',
          409,
        );
      }
      try {
        return await this.sweep(asOf, asOfGiven, o);
      } finally {
        await lock.query('SELECT pg_advisory_unlock_shared($1)', [CARD_BASE_LOCK]).catch(() => undefined);
      }
    } finally {
      await lock.release();
    }
  }

  /** The sweep itself, under the card base lock. */
  private async sweep(
    asOf: string,
    asOfGiven: boolean,
    o: { actor: string; confirmMassChange?: boolean; onProgress?: (done: number) => void },
  ): Promise<ExpiryResult> {
    const counts = await this.cards.expiryCounts(asOf);
    const confirmWith = confirmExpiryCommand(asOf);
    const guard = massChange(counts.due, counts.valid, this.cfg.EXPIRY_MAX_SHARE, {
      would: `the expiry sweep as of ${asOf} would oppose`,
      of: 'valid cards',
      setting: 'EXPIRY_MAX_SHARE',
      nothingDone: 'nothing opposed',
      check: 'Check the date and the card base (the first sweep after a card base import is large)',
      confirmBy: 'someone at the host',
      confirmWith,
    });
    const scope = { cardsDue: counts.due, validCards: counts.valid, share: guard.share, maxShare: guard.maxShare };
    const confirmsHeldRun = guard.held && o.confirmMassChange ? await this.refuseGrownSinceHeld(asOf, counts, guard.maxShare) : undefined;
    const jobRunId = await this.jobs.create('expiry', o.actor, { asOf, asOfGiven, confirmMassChange: !!o.confirmMassChange });
    const base = { asOf, asOfGiven, cardsExpired: 0, oppositionsCreated: 0, ...scope, jobRunId };
    if (guard.held && !o.confirmMassChange) {
      const held: ExpiryResult = { status: 'held', ...base, heldReason: guard.reason, confirmWith };
      try {
        // the hold and its audit entry together: a failure leaves neither, and the run says failed
        await this.ds.transaction(async (em) => {
          await this.recordGuard(em, 'opposition.expiry.held', o.actor, jobRunId, { asOf, asOfGiven, ...scope });
          await this.jobs.hold(jobRunId, { ...held }, em);
        });
      } catch (e) {
        await this.jobs.fail(jobRunId, jobErrorMessage(e)).catch(() => undefined);
        throw e;
      }
      return held;
    }
    const confirmed = guard.held ? massChangeConfirmed(`expiry sweep of ${counts.due} cards`, { where: 'host', by: o.actor }) : undefined;
    const reporter = this.jobs.reporter(jobRunId);
    let cardsExpired = 0;
    let oppositionsCreated = 0;
    try {
      if (confirmed) {
        await this.ds.transaction(async (em) => {
          await this.recordGuard(em, 'opposition.expiry.confirmed', o.actor, jobRunId, {
            asOf,
            asOfGiven,
            ...scope,
            massChangeConfirmed: confirmed,
            confirmsHeldRun,
          });
          // the sweeps held for that day (the scheduler's, say) are decided now
          await this.jobs.confirmHeld('expiry', asOf, jobRunId, em);
        });
      }
      for (;;) {
        const chunk = await this.opposeChunk(asOf, o.actor, jobRunId);
        if (!chunk) break;
        cardsExpired += chunk.expired;
        oppositionsCreated += chunk.created;
        reporter.progress(cardsExpired, null, 'opposing expired cards');
        o.onProgress?.(cardsExpired);
      }
      await reporter.flush();
      const result: ExpiryResult = {
        status: 'applied',
        ...base,
        cardsExpired,
        oppositionsCreated,
        ...(confirmed ? { massChangeConfirmed: confirmed, confirmsHeldRun } : {}),
      };
      await this.jobs.succeed(jobRunId, { ...result });
      return result;
    } catch (e) {
      await this.jobs.fail(jobRunId, jobErrorMessage(e), { cardsExpired, oppositionsCreated }).catch(() => undefined);
      throw e;
    }
  }

  /**
   * The latest run held for `asOf` or an earlier day, which a confirmation confirms (null
   * when none was held); refuses the confirmation when the cards due now outnumber that
   * run's by more than a sweep may oppose unconfirmed (EXPIRY_MAX_SHARE of the valid cards).
   */
  private async refuseGrownSinceHeld(
    asOf: string,
    counts: { due: number; valid: number },
    maxShare: number,
  ): Promise<HeldExpiryRun | null> {
    const [held]: HeldExpiryRun[] = await this.ds.query(
      `SELECT id::text AS id, params->>'asOf' AS "asOf", (result->>'cardsDue')::int AS "cardsDue" FROM job_run
        WHERE kind = 'expiry' AND state = 'held' AND params->>'asOf' <= $1 COLLATE "C" AND result ? 'cardsDue'
        ORDER BY created_at DESC, id LIMIT 1`,
      [asOf],
    );
    if (!held) return null;
    const unasked = Math.floor(maxShare * counts.valid);
    if (counts.due > held.cardsDue + unasked) {
      throw new OppositionError(
        'expiry_grew_since_held',
        `the expiry sweep as of ${asOf} would oppose ${counts.due} cards now, but held run ${held.id} (as of ${held.asOf}) ` +
          `showed ${held.cardsDue}: ${counts.due - held.cardsDue} more, beyond the ${unasked} a sweep opposes without a ` +
          `confirmation (EXPIRY_MAX_SHARE of ${counts.valid} valid cards). A confirmation applies what was held: nothing ` +
          `opposed. Check the card base (a card base import since?); to hold the sweep with the cards due now, run ` +
          `expiry:run --as-of ${asOf}, then confirm that`,
        409,
        { heldRunId: held.id, heldCardsDue: held.cardsDue, cardsDue: counts.due },
      );
    }
    return held;
  }

  /** The audit entry of the guard's decision: held, or confirmed at the host. */
  private async recordGuard(
    em: EntityManager,
    action: string,
    actor: string,
    jobRunId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.append(em, { actor, action, entity: 'job_run', entityId: jobRunId, details });
  }

  /** Opposes one chunk of expired cards, in one transaction; null when none is left. */
  private async opposeChunk(asOf: string, actor: string, jobRunId: string): Promise<{ expired: number; created: number } | null> {
    return this.ds.transaction(async (em) => {
      await takeOppositionWriteLock(em);
      const expired = await this.cards.opposeExpired(em, asOf, EXPIRY_CHUNK);
      if (!expired.length) return null;
      const rows: Array<{ id: string; cardNumber: string }> = await em.query(
        `INSERT INTO opposition (card_number, reason, source, channel, declared_by, opposed_at, valid_until)
         SELECT n, 'expiry', 'system', 'system', $4, at, vu::date FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS x(n, at, vu)
         ON CONFLICT (card_number) DO NOTHING RETURNING id::text AS id, card_number AS "cardNumber"`,
        [expired.map((c) => c.cardNumber), expired.map((c) => c.opposedAt), expired.map((c) => c.validUntil), actor],
      );
      if (rows.length) await this.outbox.add(em, 'crl.delta-requested', {});
      await this.audit.appendMany(
        em,
        rows.map((r) => ({
          actor,
          action: 'opposition.expiry',
          entity: 'card',
          entityId: r.cardNumber,
          details: { oppositionId: r.id, asOf, jobRunId },
        })),
      );
      return { expired: expired.length, created: rows.length };
    });
  }
}
