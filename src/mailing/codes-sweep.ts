import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../common/audit/audit.service';
import { rowsReturned } from '../common/database/returning';
import type { CardsService } from '../orders/cards.service';
import type { CodeVaultService } from './code-vault.service';
import { WINDOW_CLOSES_SQL } from './reprint-window';

/** The reason recorded when the reprint window of a printed PIN letter has passed. */
export const WINDOW_PASSED = 'reprint window passed';

/** Who destroys codes and closes the requests that wanted them. */
const VAULT_ACTOR = 'system:vault';
/** Orders looked at, and destroyed, per transaction. */
const SWEEP_CHUNK = 1000;

/** What a sweep of the codes did. */
export interface CodesSweepResult {
  /** Orders whose codes were destroyed because their reprint window had closed. */
  pastWindow: number;
  /** Orders whose codes were destroyed because no letter will need them: the order cancelled or rejected, its card opposed. */
  ended: number;
  /** Reprint requests still waiting for a decision, closed (rejected, with why) because their codes are gone. */
  requestsClosed: number;
}

/**
 * The daily sweep of the codes (issue 11): a plain helper of MailingBatchesService, which runs it
 * as a job of its own (CodesSweepHandler, the worker's CODES_SWEEP_CRON) and before each PIN-letter
 * batch. It opens no code and needs no letter setting: whatever fails in the letters, codes past
 * their time are destroyed.
 *
 * - The reprint window (reprint-window.ts) is measured from the FIRST printing of the order's
 *   letters of the codes; once it has closed the codes go, even with a reprint asked for or
 *   approved and not yet printed (a letter waiting for them is then held at its batch).
 * - Codes no letter will need go too: the order cancelled or rejected, its card opposed (also
 *   done at once by the card.opposed event: this catches what a lost event left).
 * - A reprint request still waiting whose codes are gone (for whatever reason) is closed,
 *   rejected by `system:vault` with why, audited (`mailing.reprint.expire`).
 */
export class CodesSweep {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly vault: CodeVaultService,
    private readonly cards: CardsService,
    private readonly windowDays: number,
  ) {}

  async sweep(now: Date): Promise<CodesSweepResult> {
    const pastWindow = await this.destroyPastWindow(now);
    const ended = await this.destroyEnded();
    const requestsClosed = await this.ds.transaction((em) => this.closeRequestsWithoutCodes(em));
    return { pastWindow, ended, requestsClosed };
  }

  /** Destroys the codes whose reprint window closed by `now`, SWEEP_CHUNK orders a transaction; gives how many. */
  async destroyPastWindow(now: Date): Promise<number> {
    let destroyed = 0;
    for (;;) {
      const round = await this.ds.transaction(async (em) => {
        const due: Array<{ order_id: string }> = await em.query(
          `SELECT k.order_id FROM order_codes k
             JOIN mailing_letter l ON l.order_id = k.order_id AND l.kind = 'pin-letter' AND l.printed_at IS NOT NULL
            WHERE k.destroyed_at IS NULL
            GROUP BY k.order_id
           HAVING ${WINDOW_CLOSES_SQL('$2::int')} <= $1::timestamptz
            LIMIT $3`,
          [now, this.windowDays, SWEEP_CHUNK],
        );
        const gone = await this.vault.destroy(
          em,
          due.map((d) => d.order_id),
          WINDOW_PASSED,
          VAULT_ACTOR,
        );
        await this.closeRequestsWithoutCodes(em);
        return { looked: due.length, gone: gone.length };
      });
      destroyed += round.gone;
      if (round.looked < SWEEP_CHUNK) return destroyed;
    }
  }

  /** Destroys the codes of the orders cancelled or rejected, or whose card is opposed (the orders module says which); gives how many. */
  async destroyEnded(): Promise<number> {
    let destroyed = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const kept: Array<{ order_id: string }> = await this.ds.query(
        `SELECT order_id FROM order_codes WHERE destroyed_at IS NULL AND order_id > $1 ORDER BY order_id LIMIT $2`,
        [after, SWEEP_CHUNK],
      );
      if (!kept.length) return destroyed;
      after = kept[kept.length - 1].order_id;
      destroyed += await this.ds.transaction(async (em) => {
        const ended = await this.cards.endedOrders(
          em,
          kept.map((k) => k.order_id),
        );
        const byWhy = new Map<string, string[]>();
        for (const e of ended) byWhy.set(e.why, [...(byWhy.get(e.why) ?? []), e.orderId]);
        let n = 0;
        for (const [why, ids] of byWhy) n += (await this.vault.destroy(em, ids, why, VAULT_ACTOR)).length;
        return n;
      });
    }
  }

  /** Closes the reprint requests waiting for a decision whose codes are gone: rejected by the vault, with why, audited. */
  async closeRequestsWithoutCodes(em: EntityManager): Promise<number> {
    const rows = await rowsReturned<{ id: string; letter_id: string; decision_reason: string }>(
      em,
      `UPDATE mailing_reprint_request r
          SET state = 'rejected', decided_by = $1, decided_at = now(),
              decision_reason = 'the codes were destroyed (' || k.destroyed_reason || ')'
         FROM mailing_letter l JOIN order_codes k ON k.order_id = l.order_id
        WHERE r.state = 'requested' AND l.id = r.letter_id AND k.destroyed_at IS NOT NULL
       RETURNING r.id, r.letter_id, r.decision_reason`,
      [VAULT_ACTOR],
    );
    await this.audit.appendMany(
      em,
      rows.map((r) => ({
        actor: VAULT_ACTOR,
        action: 'mailing.reprint.expire',
        entity: 'mailing_letter' as const,
        entityId: r.letter_id,
        details: { requestId: r.id, reason: r.decision_reason },
      })),
    );
    return rows.length;
  }
}
