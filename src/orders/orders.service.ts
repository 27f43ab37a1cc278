import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../common/audit/audit.service';
import type { PrincipalKind } from '../common/auth/principal.entity';
import { Clock } from '../common/clock/clock';
import { AppConfig } from '../common/config/config';
import { APP_CONFIG } from '../common/config/config.module';
import { isUniqueViolation } from '../common/database/errors';
import { paged } from '../common/database/paged';
import { PurgeOptions, purgeInBatches } from '../common/database/purge';
import { rowsReturned } from '../common/database/returning';
import { Param, SqlParams } from '../common/database/sql-params';
import { isUuid } from '../common/database/uuid';
import { OutboxService } from '../common/outbox/outbox.service';
import { isNationalIdShape } from '../rpps/identifiers';
import { RppsService } from '../rpps/rpps.service';
import { insertOrderSql, NewOrder, ORDER_COLUMNS, orderCreatedEntry } from './order-rows';
import { approvalRefusal, OrdersError, registryRefusal } from './orders.errors';
import { abandonClaims } from './personalization-orders.service';
import { CARD_TYPES, generationFor, MANUAL_ONLY_CARD_TYPES } from './validity';
import { fromStatesFor, OPEN_ORDER_STATES, OrderAction, OrderState, orderTransition, TransitionError } from './workflow';

export const ORDER_REASONS = ['first-issue', 'renewal', 'content-change', 'replacement', 'manual'] as const;
export type OrderReason = (typeof ORDER_REASONS)[number];

/**
 * Orders the system derives itself (createByPolicy) with these reasons wait for an operator;
 * the others are approved by policy. An order created over the API always waits for a second
 * principal, whatever its reason.
 */
const NEEDS_SECOND_OPERATOR: readonly OrderReason[] = ['manual', 'replacement'];

/** Who acts on an order over the API: the audit actor and the principal behind it. */
export interface OrderActor {
  actor: string;
  principalId: string;
  /** Only a person approves (a system account's tokens never make the second pair of eyes). */
  kind: PrincipalKind;
}

/** The name part of an actor, "principal:alice" or (before principals) "operator:alice". */
function actorName(actor: string): string {
  return actor.slice(actor.indexOf(':') + 1).toLowerCase();
}

export interface CreateOrder {
  nationalId: string;
  professionCode: string;
  cardType: string;
  reason: string;
  replacesCard?: string;
  /** The requester; an Idempotency-Key belongs to its principal. */
  by: OrderActor;
  idempotencyKey?: string;
}

export interface OrderView {
  id: string;
  nationalId: string;
  professionCode: string;
  /** The label of the profession (TRE_G15), null for an unlisted code. */
  professionLabel: string | null;
  cardType: string;
  reason: string;
  status: string;
  generation: string | null;
  content: Record<string, unknown> | null;
  replacesCard: string | null;
  requestedBy: string;
  requestedByPrincipal: string | null;
  requestedAt: Date;
  approvedBy: string | null;
  approvedByPrincipal: string | null;
  approvedAt: Date | null;
  /**
   * Cards claimed for it at personalization, the one being written and claims given back
   * included (it goes to `failed` past PERSONALIZATION_MAX_ATTEMPTS; a retry starts again from 0).
   */
  personalizationAttempts: number;
  statusReason: string | null;
  updatedAt: Date;
}

const POLICY = 'policy';
/** Orders: creation (with idempotency), approval by a second operator or by policy, rejection, cancellation. */
@Injectable()
export class OrdersService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly rpps: RppsService,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * POST /orders. The order waits for a second principal's approval, whatever its reason
   * (policy approval is for orders the system derives itself). Returns the order and
   * whether it was created by this call.
   */
  async create(c: CreateOrder): Promise<{ order: OrderView; created: boolean }> {
    const reason = this.checkRequest(c);
    const requestHash = createHash('sha256')
      .update(JSON.stringify([c.nationalId, c.professionCode, c.cardType, reason, c.replacesCard ?? null]))
      .digest('hex');
    // No look-up first: a retry fails on the open-order or the key's unique index, then finds its order.
    let order: OrderView | undefined;
    try {
      // The replaced card's holder, profession and type never change: checked before the insert.
      if (c.replacesCard) await this.checkReplacedCard(this.ds.manager, c.replacesCard, c);
      const o: NewOrder = {
        nationalId: c.nationalId,
        professionCode: c.professionCode,
        cardType: c.cardType,
        reason,
        replacesCard: c.replacesCard ?? null,
        requestedBy: c.by.actor,
        requestedByPrincipal: c.by.principalId,
        sourceEventId: null,
      };
      // One statement (order, key, audit entry): the hot path of the API, without BEGIN/COMMIT round trips.
      // It inserts only for someone active in the registry with that profession: what approval
      // would refuse is refused now, and never holds the one-open-order slot.
      [order] = await this.audit.withEntry<OrderView>(this.ds, {
        ctes: (p) => {
          const key = p(c.idempotencyKey ?? null);
          return `o AS (${insertOrderSql(p, o, (nid, prof) => this.rpps.activeInRegistrySql(nid, prof))}),
                  k AS (INSERT INTO order_idempotency_key (principal, key, request_hash, order_id)
                        SELECT o."requestedByPrincipal"::text, ${key}::text, ${p(requestHash)}, o.id FROM o WHERE ${key}::text IS NOT NULL)`;
        },
        recorded: { cte: 'o', idColumn: 'id' },
        entry: orderCreatedEntry(o),
        prepareAs: 'orders.create',
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // A concurrent request with the same key won; or an order for the same card is open.
      if (c.idempotencyKey) {
        const again = await this.byIdempotencyKey(c.by.principalId, c.idempotencyKey, requestHash);
        if (again) return { order: again, created: false };
      }
      const open = await this.openOrderFor(this.ds.manager, c.nationalId, c.professionCode, c.cardType);
      throw new OrdersError(
        'open_order_exists',
        `an order is already open for ${c.nationalId}, profession ${c.professionCode}, ${c.cardType}` +
          (open ? ` (order ${open.id}, ${open.status})` : ''),
        409,
        open ? { orderId: open.id } : undefined,
      );
    }
    if (order) return { order, created: true };
    // Nothing inserted: the registry refuses. A retry of an order made before it changed still gets its order.
    const again = c.idempotencyKey ? await this.byIdempotencyKey(c.by.principalId, c.idempotencyKey, requestHash) : null;
    if (again) return { order: again, created: false };
    // Why, in one read (only on this path).
    throw (
      registryRefusal(await this.rpps.standing(c.nationalId, c.professionCode), c.nationalId, c.professionCode) ??
      new OrdersError('registry_changed', `the registry changed while ${c.nationalId} was ordered for: try again`, 409, {
        nationalId: c.nationalId,
        professionCode: c.professionCode,
      })
    );
  }

  /**
   * The replacement of a card opposed after a declaration or returned mail, per
   * OPPOSITION_REPLACEMENT: approved by policy, waiting for an operator, or none. None either
   * when the holder is no longer in the registry for that profession (a card is only issued
   * from the registry). Returns the order's id.
   *
   * `requester`: the principal whose act led to it (the operator who recorded returned mail),
   * recorded as the order's requester, so that under OPPOSITION_REPLACEMENT=operator they
   * cannot approve it themselves; the order is requested by policy otherwise.
   */
  async orderReplacement(
    em: EntityManager,
    card: { cardNumber: string; nationalId: string; professionCode: string; cardType: string },
    requester?: Pick<OrderActor, 'actor' | 'principalId'>,
  ): Promise<string | null> {
    const policy = this.cfg.OPPOSITION_REPLACEMENT;
    if (policy === 'none') return null;
    if (!(await this.rpps.cardContent(card.nationalId, card.professionCode, em))) return null;
    const r = await this.createByPolicy(em, {
      nationalId: card.nationalId,
      professionCode: card.professionCode,
      cardType: card.cardType,
      reason: 'replacement',
      replacesCard: card.cardNumber,
      sourceEventId: null,
      approval: policy,
      requester,
    });
    return r.order?.id ?? r.refreshed?.id ?? null;
  }

  /**
   * An order made by policy (registry events, renewal): approved at once, content frozen now.
   * An open order not yet personalized gets its content refreshed instead; returns null then.
   * `approval` overrides the reason's rule (manual and replacement orders wait for an operator):
   * a replacement after a helpdesk declaration is approved by policy unless configured otherwise.
   */
  async createByPolicy(
    em: EntityManager,
    o: {
      nationalId: string;
      professionCode: string;
      cardType: string;
      reason: OrderReason;
      replacesCard: string | null;
      sourceEventId: string | null;
      approval?: 'policy' | 'operator';
      /** Who asked for it, when a principal did (policy otherwise). */
      requester?: Pick<OrderActor, 'actor' | 'principalId'>;
    },
  ): Promise<{ order: OrderView | null; refreshed: OrderView | null }> {
    const open = await this.openOrderFor(em, o.nationalId, o.professionCode, o.cardType);
    if (open) {
      if (!['requested', 'approved'].includes(open.status)) return { order: null, refreshed: null };
      const content = await this.rpps.cardContent(o.nationalId, o.professionCode, em);
      const [row] = await rowsReturned<OrderView>(
        em,
        `UPDATE card_order SET content = CASE WHEN status = 'approved' THEN $2::jsonb ELSE content END, updated_at = now()
          WHERE id = $1 AND status IN ('requested', 'approved') RETURNING ${ORDER_COLUMNS}`,
        [open.id, JSON.stringify(content)],
      );
      return { order: null, refreshed: row ?? null };
    }
    const audits: AuditRecord[] = [];
    const { approval, requester, ...order0 } = o;
    const order = await this.insertOrder(
      em,
      { ...order0, requestedBy: requester?.actor ?? POLICY, requestedByPrincipal: requester?.principalId ?? null },
      audits,
      approval,
    );
    await this.audit.appendMany(em, audits);
    return { order, refreshed: null };
  }

  /** Approval by a principal other than the requester (whatever token or role the requester used). */
  async approve(id: string, by: OrderActor): Promise<OrderView> {
    return this.ds.transaction(async (em) => {
      const current = await this.get(id, em);
      const sameRequester = current.requestedByPrincipal
        ? current.requestedByPrincipal === by.principalId
        : current.requestedBy !== POLICY && actorName(current.requestedBy) === actorName(by.actor);
      if (sameRequester) {
        throw new OrdersError(
          'approver_is_requester',
          `order ${id} was requested by ${current.requestedBy}; the same principal may not approve it too`,
          403,
        );
      }
      if (by.kind !== 'person') {
        throw new OrdersError('approver_not_a_person', `${by.actor} is a system account: only a person approves an order`, 403);
      }
      const audits: AuditRecord[] = [];
      const approved = await this.approveIn(em, current, by, audits);
      await this.audit.appendMany(em, audits);
      return approved;
    });
  }

  async reject(id: string, actor: string, reason: string): Promise<OrderView> {
    return this.transition(id, 'reject', actor, this.requireReason(reason));
  }

  /** Cancels an order that has no card yet; one being written loses its claim and its card is spoiled (see abandonClaims). */
  async cancel(id: string, actor: string, reason: string): Promise<OrderView> {
    const why = this.requireReason(reason);
    return this.transition(id, 'cancel', actor, why, (em) => abandonClaims(em, [id], `order cancelled: ${why}`));
  }

  /**
   * An order failed at personalization (PERSONALIZATION_MAX_ATTEMPTS cards spoiled) goes back to
   * the queue with its attempts counted from zero, once an operator has seen to the cause.
   */
  async retry(id: string, actor: string, reason: string): Promise<OrderView> {
    // The holder may have ceased meanwhile (or the order been failed before a cessation): refused like an approval.
    return this.transition(id, 'retry', actor, this.requireReason(reason), async (em, current) => {
      await this.requireInRegistry(em, current, 'retried');
    });
  }

  async get(id: string, em: EntityManager = this.ds.manager): Promise<OrderView> {
    if (!isUuid(id)) {
      throw new OrdersError('order_not_found', `no order ${id}`, 404);
    }
    const rows = await em.query(`SELECT ${ORDER_COLUMNS} FROM card_order WHERE id = $1`, [id]);
    if (!rows.length) throw new OrdersError('order_not_found', `no order ${id}`, 404);
    return rows[0];
  }

  /**
   * One page of the orders matching `q` (latest first), and how many match. `olderThanDays`: requested
   * more than that many days (× 24 h) before now, by the clock.
   */
  async list(q: {
    status?: OrderState;
    reason?: OrderReason;
    cardType?: string;
    nationalId?: string;
    olderThanDays?: number;
    page?: number;
    pageSize?: number;
  }) {
    const requestedBefore = q.olderThanDays === undefined ? undefined : new Date(this.clock.now().getTime() - q.olderThanDays * 86_400_000);
    return paged<OrderView>(this.ds, {
      select: ORDER_COLUMNS,
      from: 'card_order',
      where: (p: Param) => {
        const where: string[] = [];
        if (q.status) where.push(`status = ${p(q.status)}`);
        if (q.reason) where.push(`reason = ${p(q.reason)}`);
        if (q.cardType) where.push(`card_type = ${p(q.cardType)}`);
        if (q.nationalId) where.push(`national_id = ${p(q.nationalId)}`);
        if (requestedBefore) where.push(`requested_at < ${p(requestedBefore)}`);
        return where.length ? `WHERE ${where.join(' AND ')}` : '';
      },
      orderBy: 'requested_at DESC, id',
      page: q.page,
      pageSize: q.pageSize,
      defaultPageSize: 50,
    });
  }

  async openOrderFor(em: EntityManager, nationalId: string, professionCode: string, cardType: string): Promise<OrderView | null> {
    const rows = await em.query(
      `SELECT ${ORDER_COLUMNS} FROM card_order
        WHERE national_id = $1 AND profession_code = $2 AND card_type = $3 AND status = ANY($4)`,
      [nationalId, professionCode, cardType, [...OPEN_ORDER_STATES]],
    );
    return rows[0] ?? null;
  }

  /** Conditional update: the order moves only from a state the workflow allows; the loser of a race gets a 409. */
  private async transition(
    id: string,
    action: OrderAction,
    actor: string,
    statusReason: string | null,
    /** Checks or side effects of this action, in its transaction once the transition is known to be allowed. */
    before?: (em: EntityManager, current: OrderView) => Promise<void>,
  ): Promise<OrderView> {
    return this.ds.transaction(async (em) => {
      const current = await this.get(id, em);
      const to = orderTransition(current.status, action);
      await before?.(em, current);
      const rows = await rowsReturned<OrderView>(
        em,
        `UPDATE card_order SET status = $2, status_reason = COALESCE($3, status_reason), updated_at = now(),
                personalization_attempts = CASE WHEN $5 THEN 0 ELSE personalization_attempts END
          WHERE id = $1 AND status = ANY($4) RETURNING ${ORDER_COLUMNS}`,
        [id, to, statusReason, fromStatesFor(action), action === 'retry'],
      );
      if (!rows.length) throw await this.lostRace(em, id, action);
      await this.audit.append(em, {
        actor,
        action: `order.${action}`,
        entity: 'card_order',
        entityId: id,
        details: { from: current.status, to, reason: statusReason },
      });
      return rows[0];
    });
  }

  private async approveIn(em: EntityManager, current: OrderView, by: OrderActor | null, audits: AuditRecord[]): Promise<OrderView> {
    const actor = by?.actor ?? POLICY;
    orderTransition(current.status, 'approve');
    const today = this.clock.today();
    const content = await this.requireInRegistry(em, current);
    const generation = generationFor(today, current.professionCode, {
      cps4StartDate: this.cfg.CPS4_START_DATE,
      cps4Professions: this.cfg.CPS4_PROFESSIONS,
    });
    const rows = await rowsReturned<OrderView>(
      em,
      `UPDATE card_order SET status = 'approved', approved_by = $2, approved_by_principal = $6, approved_at = now(), generation = $3,
              content = $4, updated_at = now()
        WHERE id = $1 AND status = ANY($5) RETURNING ${ORDER_COLUMNS}`,
      [current.id, actor, generation, JSON.stringify(content), fromStatesFor('approve'), by?.principalId ?? null],
    );
    if (!rows.length) throw await this.lostRace(em, current.id, 'approve');
    // The mailing vault draws the order's codes once this commits (ids only in the message).
    await this.outbox.add(em, 'orders.approved', { orderIds: [current.id] });
    audits.push({
      actor,
      action: 'order.approve',
      entity: 'card_order',
      entityId: current.id,
      details: { generation, reason: current.reason },
    });
    return rows[0];
  }

  private async lostRace(em: EntityManager, id: string, action: OrderAction): Promise<TransitionError> {
    const [now] = await em.query(`SELECT status FROM card_order WHERE id = $1`, [id]);
    try {
      orderTransition(now.status, action);
      return new TransitionError('order', now.status, action, fromStatesFor(action), `order ${id} changed meanwhile; try again`);
    } catch (e) {
      return e as TransitionError;
    }
  }

  private async insertOrder(em: EntityManager, o: NewOrder, audits: AuditRecord[], approval?: 'policy' | 'operator'): Promise<OrderView> {
    const byPolicy = approval ? approval === 'policy' : !NEEDS_SECOND_OPERATOR.includes(o.reason);
    const { p, values } = new SqlParams();
    const [row] = await em.query(insertOrderSql(p, o), values);
    audits.push({ ...orderCreatedEntry(o), entityId: row.id });
    return byPolicy ? this.approveIn(em, row, null, audits) : row;
  }

  /** The card content of the order's holder, active in the registry with that profession; a 409 saying why otherwise. */
  private async requireInRegistry(
    em: EntityManager,
    order: Pick<OrderView, 'id' | 'nationalId' | 'professionCode'>,
    done: 'approved' | 'retried' = 'approved',
  ) {
    const content = await this.rpps.cardContent(order.nationalId, order.professionCode, em);
    if (content) return content;
    throw approvalRefusal(
      await this.rpps.standing(order.nationalId, order.professionCode, em),
      order.id,
      order.nationalId,
      order.professionCode,
      done,
    );
  }

  /**
   * The card an order replaces must be a card of the same holder, profession and card type:
   * activating the new card opposes it.
   */
  private async checkReplacedCard(em: EntityManager, cardNumber: string, c: CreateOrder): Promise<void> {
    const [card]: Array<{ national_id: string; profession_code: string; card_type: string }> = await em.query(
      `SELECT national_id, profession_code, card_type FROM card WHERE card_number = $1`,
      [cardNumber],
    );
    if (!card) throw new OrdersError('replaced_card_not_found', `replacesCard: no card ${cardNumber}`, 422);
    const differs = [
      card.national_id !== c.nationalId ? `holder ${card.national_id}` : null,
      card.profession_code !== c.professionCode ? `profession ${card.profession_code}` : null,
      card.card_type !== c.cardType ? `card type ${card.card_type}` : null,
    ].filter((d): d is string => d !== null);
    if (differs.length) {
      throw new OrdersError(
        'replaced_card_mismatch',
        `replacesCard: card ${cardNumber} is not a ${c.cardType} card of ${c.nationalId} for profession ${c.professionCode} ` +
          `(it has ${differs.join(', ')}); an order replaces only a card of the same holder, profession and card type`,
        422,
      );
    }
  }

  private async byIdempotencyKey(principal: string, key: string, requestHash: string): Promise<OrderView | null> {
    const [k]: Array<{ request_hash: string; order_id: string }> = await this.ds.query(
      `SELECT request_hash, order_id FROM order_idempotency_key WHERE principal = $1 AND key = $2`,
      [principal, key],
    );
    if (!k) return null;
    if (k.request_hash !== requestHash) {
      throw new OrdersError('idempotency_key_reused', `Idempotency-Key "${key}" was already used for a different order`, 422);
    }
    return this.get(k.order_id);
  }

  private checkRequest(c: CreateOrder): OrderReason {
    const problems: string[] = [];
    if (!isNationalIdShape(c.nationalId ?? '')) problems.push('nationalId: expected 8 + 11-digit RPPS or 0 + 9-digit ADELI');
    if (!/^\d{2}$/.test(c.professionCode ?? '')) problems.push('professionCode: expected 2 digits');
    if (!(CARD_TYPES as readonly string[]).includes(c.cardType)) problems.push(`cardType: expected one of ${CARD_TYPES.join(', ')}`);
    if (!(ORDER_REASONS as readonly string[]).includes(c.reason)) problems.push(`reason: expected one of ${ORDER_REASONS.join(', ')}`);
    if (c.replacesCard !== undefined && !/^\d{10}$/.test(c.replacesCard)) problems.push('replacesCard: expected a 10-digit card number');
    if (c.idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(c.idempotencyKey)) {
      problems.push('Idempotency-Key: 1 to 200 visible ASCII characters');
    }
    if (problems.length) throw new OrdersError('validation_failed', problems.join('; '), 400);
    const reason = c.reason as OrderReason;
    if ((MANUAL_ONLY_CARD_TYPES as readonly string[]).includes(c.cardType) && reason !== 'manual' && reason !== 'replacement') {
      throw new OrdersError('validation_failed', `${c.cardType} cards are ordered manually only (reason manual)`, 400);
    }
    return reason;
  }

  private requireReason(reason: string): string {
    if (typeof reason !== 'string' || !reason.trim()) throw new OrdersError('validation_failed', 'reason: say why (free text)', 400);
    return reason.trim().slice(0, 1000);
  }

  /**
   * Retention (RETENTION_IDEMPOTENCY_KEYS_DAYS): forgets the Idempotency-Keys given before `cutoff`, in batches (the
   * orders stay; a key given again after that makes a new order).
   */
  purgeIdempotencyKeys(cutoff: Date, o: PurgeOptions): Promise<number> {
    return purgeInBatches(this.ds, { table: 'order_idempotency_key', where: 'created_at < $1', oldestFirst: 'created_at' }, cutoff, o);
  }
}
