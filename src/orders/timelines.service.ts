import { Injectable } from '@nestjs/common';
import { AuditService } from '../common/audit/audit.service';
import { CardLettersReader, CardLetterView } from './card-letters';
import { CardsService, CardView } from './cards.service';
import { OrdersService, OrderView } from './orders.service';
import { PersonalizationOrdersService } from './personalization-orders.service';
import { CARD_ENTRY_STEPS, CardStep, cardTimeline, ORDER_ENTRY_STEPS, OrderStep, orderTimeline, TimelineStep } from './timeline';

export type CardDetailView = CardView & { timeline: TimelineStep<CardStep>[]; letters: CardLetterView[] };

export type OrderDetailView = OrderView & {
  spoiledCards: Awaited<ReturnType<PersonalizationOrdersService['spoiledFor']>>;
  cardNumber: string | null;
  timeline: TimelineStep<OrderStep>[];
  letters: CardLetterView[];
};

/**
 * The card and order views of the API and the console (issue 11, 12): the row, its dated steps
 * (src/orders/timeline.ts) and its card's letters (from the mailing module, CardLettersReader).
 * Read-only; nothing here reads a code.
 */
@Injectable()
export class TimelinesService {
  constructor(
    private readonly cards: CardsService,
    private readonly orders: OrdersService,
    private readonly personalization: PersonalizationOrdersService,
    private readonly audit: AuditService,
    private readonly letters: CardLettersReader,
  ) {}

  /** A card with its timeline and letters; 404 `card_not_found`. */
  async card(cardNumber: string): Promise<CardDetailView> {
    const card: CardView = await this.cards.get(cardNumber);
    const order = card.orderId ? await this.orders.get(card.orderId) : null;
    const entries = await this.audit.history('card', [card.cardNumber], Object.keys(CARD_ENTRY_STEPS));
    const letters = await this.letters.ofCards([card.cardNumber]);
    return { ...card, timeline: cardTimeline(card, order, entries), letters };
  }

  /** An order with its spoiled chips, its card's number, its timeline and its card's letters; 404 `order_not_found`. */
  async order(id: string): Promise<OrderDetailView> {
    const order = await this.orders.get(id);
    const spoiledCards = await this.personalization.spoiledFor(order.id);
    const cardNumber = await this.cards.numberForOrder(order.id);
    const entries = await this.audit.history('card_order', [order.id], Object.keys(ORDER_ENTRY_STEPS));
    const letters = cardNumber ? await this.letters.ofCards([cardNumber]) : [];
    return { ...order, spoiledCards, cardNumber, timeline: orderTimeline(order, entries), letters };
  }
}
