import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A card the orders module hands over to opposition (cessation, replacement, card imported opposed). */
export interface OppositionRequest {
  id: string;
  cardNumber: string;
  /** Null for a card imported opposed: the old base gives no reason. */
  reason: string | null;
  source: string;
  sourceRef: string | null;
}

/**
 * The opposition requests of the orders module (its `opposition_request` table), as the
 * opposition module takes them: pending ones claimed in the caller's transaction, then
 * marked handled in the same transaction.
 */
@Injectable()
export class OppositionRequestsService {
  /** Up to `limit` pending requests, oldest first, locked for the caller's transaction (others skip them). */
  async claimPending(em: EntityManager, limit: number): Promise<OppositionRequest[]> {
    return em.query(
      `SELECT id::text AS id, card_number AS "cardNumber", reason, source, source_ref AS "sourceRef" FROM opposition_request
        WHERE handled_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Marks requests handled, in the transaction that recorded their oppositions. */
  async markHandled(em: EntityManager, ids: string[]): Promise<void> {
    await em.query(`UPDATE opposition_request SET handled_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
  }
}
