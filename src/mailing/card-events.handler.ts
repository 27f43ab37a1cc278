import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { rowsReturned } from '../common/database/returning';
import { OutboxService } from '../common/outbox/outbox.service';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { JobPayloads, QueueName } from '../common/queue/queues';
import { CardsService } from '../orders/cards.service';
import { CodeVaultService } from './code-vault.service';
import { CARD_OPPOSED } from './mailing.entities';

/**
 * Cards personalized (orders module's event): each gets its card letter, waiting for the next
 * card-letter batch. A redelivery finds the letters there and the message consumed.
 */
@Injectable()
export class CardsPersonalizedHandler implements JobHandler {
  readonly queue = QueueName.Mailing;
  readonly jobName = 'card.personalized';

  constructor(
    private readonly ds: DataSource,
    private readonly cards: CardsService,
    private readonly outbox: OutboxService,
  ) {}

  async handle(job: Job<JobPayloads['card.personalized']>, log: JobLogger): Promise<{ cards: number; letters: number }> {
    const r = await this.consume(job.data.cardNumbers, job);
    log.info(r, 'card letters waiting for the next batch');
    return r;
  }

  async consume(cardNumbers: string[], job?: { id?: string }): Promise<{ cards: number; letters: number }> {
    return this.ds.transaction(async (em) => {
      const r = await this.apply(em, cardNumbers);
      await this.outbox.markConsumed(em, job);
      return r;
    });
  }

  /** The messages not delivered yet, applied now (a batch includes every card personalized before it, a worker running or not). */
  async catchUp(): Promise<number> {
    let letters = 0;
    for (;;) {
      const done = await this.ds.transaction(async (em) => {
        const messages = await this.outbox.unconsumedMessages(em, 'card.personalized');
        if (!messages.length) return null;
        const r = await this.apply(
          em,
          messages.flatMap((m) => m.payload.cardNumbers),
        );
        await this.outbox.markConsumedIds(
          em,
          messages.map((m) => m.id),
        );
        return r.letters;
      });
      if (done === null) return letters;
      letters += done;
    }
  }

  private async apply(em: EntityManager, cardNumbers: string[]): Promise<{ cards: number; letters: number }> {
    const cards = (await this.cards.byNumbers(cardNumbers, em)).filter((c) => c.orderId && c.state === 'personalized');
    const rows: unknown[] = cards.length
      ? await em.query(
          `INSERT INTO mailing_letter (kind, card_number, order_id, state)
           SELECT 'card-letter', n, o, 'waiting' FROM unnest($1::text[], $2::uuid[]) AS k(n, o)
           ON CONFLICT (card_number, kind) WHERE reprint_of IS NULL DO NOTHING
           RETURNING id`,
          [cards.map((c) => c.cardNumber), cards.map((c) => c.orderId)],
        )
      : [];
    return { cards: cardNumbers.length, letters: rows.length };
  }
}

/**
 * Cards opposed (any reason, any path; orders module's event): their codes are destroyed at
 * once (audited), and their letters not yet in a batch are held, never to be printed.
 */
@Injectable()
export class CardsOpposedHandler implements JobHandler {
  readonly queue = QueueName.Mailing;
  readonly jobName = 'card.opposed';

  constructor(
    private readonly ds: DataSource,
    private readonly cards: CardsService,
    private readonly vault: CodeVaultService,
    private readonly outbox: OutboxService,
  ) {}

  async handle(
    job: Job<JobPayloads['card.opposed']>,
    log: JobLogger,
  ): Promise<{ cards: number; codesDestroyed: number; lettersHeld: number }> {
    const r = await this.consume(job.data.cardNumbers, job);
    log.info(r, 'codes of opposed cards destroyed');
    return r;
  }

  async consume(cardNumbers: string[], job?: { id?: string }): Promise<{ cards: number; codesDestroyed: number; lettersHeld: number }> {
    return this.ds.transaction(async (em) => {
      const r = await this.apply(em, cardNumbers);
      await this.outbox.markConsumed(em, job);
      return r;
    });
  }

  /** The messages not delivered yet, applied now (no PIN letter is made for a card opposed before it). */
  async catchUp(): Promise<number> {
    let destroyed = 0;
    for (;;) {
      const done = await this.ds.transaction(async (em) => {
        const messages = await this.outbox.unconsumedMessages(em, 'card.opposed');
        if (!messages.length) return null;
        const r = await this.apply(
          em,
          messages.flatMap((m) => m.payload.cardNumbers),
        );
        await this.outbox.markConsumedIds(
          em,
          messages.map((m) => m.id),
        );
        return r.codesDestroyed;
      });
      if (done === null) return destroyed;
      destroyed += done;
    }
  }

  private async apply(em: EntityManager, cardNumbers: string[]): Promise<{ cards: number; codesDestroyed: number; lettersHeld: number }> {
    const opposed = (await this.cards.byNumbers(cardNumbers, em)).filter((c) => c.state === 'opposed');
    const orderIds = opposed.map((c) => c.orderId).filter((id): id is string => !!id);
    const destroyed = await this.vault.destroy(em, orderIds, CARD_OPPOSED, 'system:vault');
    const held = opposed.length
      ? await rowsReturned(
          em,
          `UPDATE mailing_letter SET state = 'held', held_reason = $2, updated_at = now()
            WHERE card_number = ANY($1::text[]) AND state IN ('waiting', 'held') RETURNING id`,
          [opposed.map((c) => c.cardNumber), CARD_OPPOSED],
        )
      : [];
    return { cards: cardNumbers.length, codesDestroyed: destroyed.length, lettersHeld: held.length };
  }
}
