import type { AuditRecord } from '../common/audit/audit.service';
import type { Param } from '../common/database/sql-params';
import { professionLabelSql } from '../rpps/professions';
import type { OrderReason } from './orders.service';

/** The columns of an order as the API shows it (OrderView). */
export const ORDER_COLUMNS = `id, national_id AS "nationalId", profession_code AS "professionCode",
  ${professionLabelSql('profession_code')} AS "professionLabel", card_type AS "cardType", reason,
  status, generation, content, replaces_card AS "replacesCard", requested_by AS "requestedBy",
  requested_by_principal AS "requestedByPrincipal", requested_at AS "requestedAt", approved_by AS "approvedBy",
  approved_by_principal AS "approvedByPrincipal", approved_at AS "approvedAt", status_reason AS "statusReason", updated_at AS "updatedAt",
  personalization_attempts AS "personalizationAttempts"`;

/** A new order, before its approval. */
export interface NewOrder {
  nationalId: string;
  professionCode: string;
  cardType: string;
  reason: OrderReason;
  replacesCard: string | null;
  requestedBy: string;
  requestedByPrincipal: string | null;
  sourceEventId: string | null;
}

/**
 * Inserts a new order, `requested`, returning ORDER_COLUMNS (a statement, or a CTE of one).
 * With `onlyIf`, a condition on the placeholders of its national id and profession code, it
 * inserts nothing unless the condition holds.
 */
export function insertOrderSql(p: Param, o: NewOrder, onlyIf?: (nationalId: string, professionCode: string) => string): string {
  const nationalId = p(o.nationalId);
  const professionCode = p(o.professionCode);
  const values = `${nationalId}, ${professionCode}, ${p(o.cardType)}, ${p(o.reason)}, 'requested', ${p(o.replacesCard)},
            ${p(o.requestedBy)}, ${p(o.requestedByPrincipal)}, ${p(o.sourceEventId)}`;
  return `INSERT INTO card_order (national_id, profession_code, card_type, reason, status, replaces_card, requested_by,
                                  requested_by_principal, source_event_id)
    ${onlyIf ? `SELECT ${values} WHERE ${onlyIf(nationalId, professionCode)}` : `VALUES (${values})`}
    RETURNING ${ORDER_COLUMNS}`;
}

/** The audit entry of an order's creation (its entity id is the new order's id). */
export function orderCreatedEntry(o: NewOrder): Omit<AuditRecord, 'entityId'> {
  return {
    actor: o.requestedBy,
    action: 'order.create',
    entity: 'card_order',
    details: { nationalId: o.nationalId, professionCode: o.professionCode, cardType: o.cardType, reason: o.reason },
  };
}
