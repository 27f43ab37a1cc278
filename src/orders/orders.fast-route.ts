import { AuthedRequest, principalOf } from '../common/auth/auth.guard';
import { ConsoleSessionsService } from '../common/auth/console-sessions.service';
import { Role } from '../common/auth/roles';
import { Principal, principalActor, TokensService } from '../common/auth/tokens.service';
import { FastRoute } from '../common/http/fast-path.adapter';
import { CreateOrderBody } from './dto/orders.dto';
import { OrderActor, OrdersService } from './orders.service';

/** Who may create an order over the API. */
export const ORDER_CREATORS: readonly Role[] = ['operator', 'batch'];

/**
 * POST /api/v1/orders, served before Nest's pipeline: batch clients create orders by the
 * thousand. The same schema, roles and service call as OrdersController.create, which
 * answers what the fast path leaves to Nest and documents the route. An operator's console
 * session (its cookie, with X-CSRF-Token) is taken too; a bearer token costs what it did.
 */
export function createOrderRoute(
  orders: OrdersService,
  tokens: TokensService,
  sessions: ConsoleSessionsService,
): FastRoute<CreateOrderBody> {
  return {
    method: 'POST',
    pattern: /^\/api\/v1\/orders\/?$/,
    route: '/api/v1/orders',
    roles: ORDER_CREATORS,
    tokens,
    sessions,
    body: CreateOrderBody.schema,
    handle: async ({ body, principal, headers }) => {
      const { order, created } = await createOrder(orders, body, headers['idempotency-key'] as string | undefined, principal);
      return { status: created ? 201 : 200, body: order };
    },
  };
}

/** POST /api/v1/orders, by the fast route or the controller. */
export function createOrder(orders: OrdersService, body: CreateOrderBody, key: string | undefined, principal: Principal) {
  return orders.create({
    nationalId: body.nationalId,
    professionCode: body.professionCode,
    cardType: body.cardType,
    reason: body.reason,
    replacesCard: body.replacesCard,
    by: principalOrderActor(principal),
    idempotencyKey: key,
  });
}

export function principalOrderActor(p: Principal): OrderActor {
  return { actor: principalActor(p), principalId: p.principalId, kind: p.kind };
}

/** The request's principal as an order actor (four eyes compare principals): for the orders and mailing routes. */
export function orderActorOf(req: AuthedRequest): OrderActor {
  return principalOrderActor(principalOf(req));
}
