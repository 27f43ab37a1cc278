import { basename } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { isUniqueViolation } from '../common/database/errors';
import { OutboxService } from '../common/outbox/outbox.service';
import { CardHolderRecord, CardHoldersExtract, ExtractFormatError, readCardHolders } from './card-holders-reader';
import { OrdersError } from './orders.errors';

export interface CardsImportResult {
  rowsRead: number;
  cardsCreated: number;
  cardsUpdated: number;
  rowsRejected: number;
  rejects: Array<{ line: number; reason: string }>;
}

/**
 * The card base lock: `cards:import` takes it exclusively for its transaction, an expiry
 * sweep shared from its count to its last chunk, so that the end-of-validity dates a sweep
 * counted (and that a held sweep showed) do not change under it. Neither waits for the
 * other: the second one is refused (409).
 */
export const CARD_BASE_LOCK = 7_264_022;

const MAX_REJECTS = 1000;
const BATCH = 2000;

/** `cards:import`: brings the existing card base (Porteurs_CPS_CPF) into the card table. */
@Injectable()
export class CardBaseImportService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * `cards:import`: the existing card base (Porteurs_CPS_CPF). Cards start active, or opposed
   * when the file gives an opposition date (the file gives no reason: it stays unknown, and
   * such a card is not renewed); an opposed card stays opposed. Idempotent: a
   * second import of the same file changes nothing. Bad lines are rejected with their number.
   */
  async importHolders(path: string, actor: string): Promise<CardsImportResult> {
    let extract: CardHoldersExtract;
    try {
      extract = await readCardHolders(path);
    } catch (e) {
      if (e instanceof ExtractFormatError) throw new OrdersError('unusable_input', `"${basename(path)}": ${e.message}`, 400);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new OrdersError('unusable_input', `"${path}": no such file`, 400);
      throw e;
    }
    const result: CardsImportResult = { rowsRead: 0, cardsCreated: 0, cardsUpdated: 0, rowsRejected: 0, rejects: [] };
    const reject = (line: number, reason: string) => {
      result.rowsRejected += 1;
      if (result.rejects.length < MAX_REJECTS) result.rejects.push({ line, reason });
    };
    await this.ds.transaction(async (em) => {
      const [{ ok }] = await em.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [CARD_BASE_LOCK]);
      if (!ok) {
        throw new OrdersError(
          'expiry_in_progress',
          'an expiry sweep is running (expiry:run, or the daily sweep): cards:import changes the end-of-validity dates it ' +
            'counted, so it waits for the sweep to end; nothing imported, run it again then',
          409,
        );
      }
      let batch: CardHolderRecord[] = [];
      let handedOver: string | null = null;
      const flush = async () => {
        if (batch.length) {
          await this.upsertBatch(em, batch, result, reject);
          const first = await this.handOverOpposed(
            em,
            batch.map((r) => r.cardNumber),
          );
          handedOver ??= first;
        }
        batch = [];
      };
      for await (const lines of extract.batches) {
        for (const r of lines) {
          result.rowsRead += 1;
          if (!r.ok) reject(r.lineNo, r.reason);
          else batch.push(r.record);
          if (batch.length >= BATCH) await flush();
        }
      }
      await flush();
      if (handedOver) await this.outbox.add(em, 'card.opposition-requested', { requestId: handedOver });
      await this.audit.append(em, {
        actor,
        action: 'cards.import',
        entity: 'card',
        entityId: basename(path),
        details: { ...result, rejects: undefined },
      });
    });
    return result;
  }

  private async upsertBatch(
    em: EntityManager,
    batch: CardHolderRecord[],
    result: CardsImportResult,
    reject: (line: number, reason: string) => void,
  ): Promise<void> {
    await em.query('SAVEPOINT cards_batch');
    try {
      const counts = await this.upsert(em, batch);
      await em.query('RELEASE SAVEPOINT cards_batch');
      result.cardsCreated += counts.created;
      result.cardsUpdated += counts.updated;
      return;
    } catch (e) {
      await em.query('ROLLBACK TO SAVEPOINT cards_batch');
      if (!isUniqueViolation(e, 'card_one_active_idx')) throw e;
    }
    // A second active card for one holder, profession and type: find it line by line.
    for (const r of batch) {
      await em.query('SAVEPOINT cards_row');
      try {
        const counts = await this.upsert(em, [r]);
        await em.query('RELEASE SAVEPOINT cards_row');
        result.cardsCreated += counts.created;
        result.cardsUpdated += counts.updated;
      } catch (_e) {
        await em.query('ROLLBACK TO SAVEPOINT cards_row');
        const [other] = await em.query(
          `SELECT card_number FROM card WHERE national_id = $1 AND profession_code = $2 AND card_type = $3 AND state = 'active'`,
          [r.nationalId, r.professionCode, r.cardType],
        );
        reject(
          r.lineNo,
          `card ${r.cardNumber}: another active ${r.cardType} card (${other?.card_number ?? '?'}) exists for ` +
            `${r.nationalId}, profession ${r.professionCode}; at most one may be active`,
        );
      }
    }
  }

  /**
   * Cards the old base gives as opposed are handed to opposition (a request without a
   * reason, once per card) so that they reach the CRL; returns the first request's id.
   */
  private async handOverOpposed(em: EntityManager, cardNumbers: string[]): Promise<string | null> {
    const rows: Array<{ id: string }> = await em.query(
      `INSERT INTO opposition_request (card_number, reason, source, source_ref)
       SELECT c.card_number, NULL, 'import', 'cards:import' FROM card c
        WHERE c.card_number = ANY($1::text[]) AND c.state = 'opposed' AND c.source = 'import' AND c.opposition_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM opposition_request r WHERE r.card_number = c.card_number)
       ORDER BY c.card_number
       RETURNING id::text AS id`,
      [cardNumbers],
    );
    return rows[0]?.id ?? null;
  }

  /** Inserts or updates cards; an opposed card is never brought back. */
  private async upsert(em: EntityManager, rows: CardHolderRecord[]): Promise<{ created: number; updated: number }> {
    const col = <K extends keyof CardHolderRecord>(k: K) => rows.map((r) => r[k]);
    const out: Array<{ inserted: boolean }> = await em.query(
      `INSERT INTO card (card_number, card_type, national_id, national_id_in_card, profession_code, last_name, first_name,
                         valid_from, valid_until, state, source, opposed_at, opposition_reason)
       SELECT n, t, nid, COALESCE(NULLIF(nic, ''), nid), p, ln, fn, vf::date, vu::date,
              CASE WHEN op IS NULL THEN 'active' ELSE 'opposed' END, 'import', op::timestamptz,
              NULL
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
              AS x(n, t, nid, nic, p, ln, fn, vf, vu, op)
       ON CONFLICT (card_number) DO UPDATE SET
              national_id_in_card = EXCLUDED.national_id_in_card, last_name = EXCLUDED.last_name, first_name = EXCLUDED.first_name,
              valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
              state = CASE WHEN card.state = 'opposed' THEN 'opposed' ELSE EXCLUDED.state END,
              opposed_at = COALESCE(card.opposed_at, EXCLUDED.opposed_at),
              opposition_reason = COALESCE(card.opposition_reason, EXCLUDED.opposition_reason),
              updated_at = now()
        WHERE card.source = 'import'
          AND (card.national_id_in_card, card.last_name, card.first_name, card.valid_from, card.valid_until, card.state,
               card.opposed_at IS NULL)
              IS DISTINCT FROM (EXCLUDED.national_id_in_card, EXCLUDED.last_name, EXCLUDED.first_name, EXCLUDED.valid_from,
               EXCLUDED.valid_until, CASE WHEN card.state = 'opposed' THEN 'opposed' ELSE EXCLUDED.state END,
               COALESCE(card.opposed_at, EXCLUDED.opposed_at) IS NULL)
       RETURNING (xmax = 0) AS inserted`,
      [
        col('cardNumber'),
        col('cardType'),
        col('nationalId'),
        col('nationalIdInCard'),
        col('professionCode'),
        col('lastName'),
        col('firstName'),
        col('validFrom'),
        col('validUntil'),
        col('opposedOn'),
      ],
    );
    const created = out.filter((o) => o.inserted).length;
    return { created, updated: out.length - created };
  }
}
