import type { Pool } from 'pg';
import { ConsoleSessionsService } from '../common/auth/console-sessions.service';
import { Role } from '../common/auth/roles';
import { TokensService } from '../common/auth/tokens.service';
import { FastRoute } from '../common/http/fast-path.adapter';
import { CardsService } from '../orders/cards.service';

/** Who may ask a card's status: any role. */
export const STATUS_ROLES: readonly Role[] = ['operator', 'helpdesk', 'batch', 'auditor'];

/**
 * GET /api/v1/cards/:cardNumber/status, served before Nest's pipeline (it sits in
 * authentication paths), from `pool` when given (the API gives it a pool of its own, and
 * `tokens` and `sessions` reading from it).
 */
export function cardStatusRoute(cards: CardsService, tokens: TokensService, sessions: ConsoleSessionsService, pool?: Pool): FastRoute {
  return {
    method: 'GET',
    pattern: /^\/api\/v1\/cards\/([^/]+)\/status\/?$/,
    route: '/api/v1/cards/:cardNumber/status',
    roles: STATUS_ROLES,
    tokens,
    sessions,
    handle: async ({ params: [cardNumber] }) => ({ body: await cards.status(cardNumber, pool) }),
  };
}
