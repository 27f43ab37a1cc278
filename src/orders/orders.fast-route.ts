import { TokensService } from '../common/auth/tokens.service';
import { FastRoute } from '../common/http/fast-path.adapter';
import { CreateOrderBody } from './dto/orders.dto';
import { createOrder, ORDER_CREATORS } from './orders.controller';
import { OrdersService } from './orders.service';

/**
 * POST /api/v1/orders, served before Nest's pipeline: batch clients create orders by the
 * thousand. The same schema, roles and service call as OrdersController.create.
 */
export function createOrderRoute(orders: OrdersService, tokens: TokensService): FastRoute<CreateOrderBody> {
  return {
    method: 'POST',
    pattern: /^\/api\/v1\/orders\/?$/,
    route: '/api/v1/orders',
    roles: ORDER_CREATORS,
    tokens,
    body: CreateOrderBody.schema,
    handle: async ({ body, principal, headers }) => {
      const { order, created } = await createOrder(orders, body, headers['idempotency-key'] as string | undefined, principal);
      return { status: created ? 201 : 200, body: order };
    },
  };
}
