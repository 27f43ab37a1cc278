import { Role } from '../common/auth/roles';
import { FastRoute } from '../common/http/fast-path.adapter';
import { CardsService } from '../orders/cards.service';

/** Who may ask a card's status: any role. */
export const STATUS_ROLES: readonly Role[] = ['operator', 'helpdesk', 'batch', 'auditor'];

/** GET /api/v1/cards/:cardNumber/status, served before Nest's pipeline (it sits in authentication paths). */
export function cardStatusRoute(cards: CardsService): FastRoute {
  return {
    pattern: /^\/api\/v1\/cards\/([^/]+)\/status\/?$/,
    route: '/api/v1/cards/:cardNumber/status',
    roles: STATUS_ROLES,
    handle: ([cardNumber]) => cards.status(cardNumber),
  };
}
