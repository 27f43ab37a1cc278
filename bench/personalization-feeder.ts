/**
 * The card side of `npm run bench -- personalization`: cards timed as their APDUs arrive through
 * vpcd, and a vpcd slot fed with a new blank card after each one, as an encoder's hopper does.
 */
import type { CardSession, EncoderSlot } from '../src/card-personalization/encoder-driver';
import type { SimulatedCard } from '../src/card-personalization/simulated-card';
import type { BridgedCard, VpcdSlot } from '../test/support/vpcd-card';

/** One card's life in a slot, timed by the feeder (ms, from performance.now()). */
export interface CardTiming {
  insertedAt: number;
  firstApduAt: number | null;
  lastApduAt: number | null;
  doneAt: number | null;
  /** PersonalizationResult.apdus: the APDUs of the personalization itself */
  apdus: number;
  /** every APDU the card received, the station's look at its serial before taking it included */
  apdusReceived: number;
  transportMs: number;
  ok: boolean;
}

/** A blank simulated card whose APDUs are timed as they reach it through vpcd. */
export class TimedCard implements BridgedCard {
  constructor(
    private readonly card: SimulatedCard,
    private readonly timing: CardTiming,
  ) {}

  atr(): Buffer {
    return this.card.atr();
  }

  async transmit(apdu: Buffer): Promise<Buffer> {
    const now = performance.now();
    this.timing.firstApduAt ??= now;
    this.timing.apdusReceived++;
    const answer = await this.card.transmit(apdu);
    this.timing.lastApduAt = performance.now();
    return answer;
  }
}

/**
 * A vpcd reader seen through the `pcsc` driver, with a card feeder: release() (which the
 * station awaits after each card, and which the simulated encoder uses to eject the card and
 * feed the next) pulls the card out of the vpcd slot and puts in a new blank one. With
 * `swap: 'wait'` it first waits until pcscd has seen the reader empty, as it does when a person
 * swaps cards (a swap within one of pcscd's ~400 ms polls goes unseen, and the station's next
 * session then breaks on the old card's handle).
 */
export class FedSlot implements EncoderSlot {
  constructor(
    private readonly pcsc: EncoderSlot,
    private readonly vpcd: VpcdSlot,
    private readonly feed: () => Promise<void>,
    /** `cardOutMs`: each release()'s time (card pulled out, and with `wait` seen gone by pcscd), before the next card goes in. */
    private readonly o: { swap: 'immediate' | 'wait'; stop: AbortSignal; cardOutMs: number[] },
  ) {}

  get reader(): string {
    return this.pcsc.reader;
  }

  cardPresent(): boolean {
    return this.pcsc.cardPresent();
  }

  waitForCard(timeoutMs: number): Promise<boolean> {
    return this.pcsc.waitForCard(timeoutMs);
  }

  waitForRemoval(timeoutMs: number): Promise<boolean> {
    return this.pcsc.waitForRemoval(timeoutMs);
  }

  connect(): Promise<CardSession> {
    return this.pcsc.connect();
  }

  /** Like an encoder with a hopper: it swaps the card itself (true: the next card is another one). */
  async release(): Promise<boolean> {
    const t0 = performance.now();
    await this.vpcd.remove();
    if (this.o.swap === 'wait') await this.pcsc.waitForRemoval(2000);
    this.o.cardOutMs.push(performance.now() - t0);
    if (!this.o.stop.aborted) await this.feed();
    return true;
  }
}
