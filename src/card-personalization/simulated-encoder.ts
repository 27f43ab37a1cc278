/**
 * The `simulated` encoder driver: in-process encoders, each with a hopper of blank
 * simulated cards (the same ISO behaviour as the card behind the vpcd bridge). The demo
 * and quick tests use it; production refuses it (PersonalizationService.openDriver).
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CardSession, EncoderDriver, EncoderDriverEvents, EncoderSlot } from './encoder-driver';
import { SimulatedCard, type SimulatedCardOptions } from './simulated-card';

/** Ejected cards a slot keeps for inspection (tests read them; a simulated worker must not grow forever). */
const MAX_EJECTED = 1000;

export interface SimulatedEncoderOptions {
  /** How many encoders (slots). Default 1. */
  slots?: number;
  /** The cards fed into a slot, in order (tests put faults on some); default: blank cards. */
  nextCard?: (slot: number, index: number) => SimulatedCardOptions | null;
  /** The reader names' prefix. Default `Simulated encoder`. */
  namePrefix?: string;
}

class SimulatedSlot implements EncoderSlot {
  private card: SimulatedCard | null = null;
  private fed = 0;
  private busy = false;
  /** Every card that went through the slot (tests and the demo read them back). */
  /** The cards this slot let go, the latest MAX_EJECTED only (a long-running demo worker keeps no more). */
  readonly ejected: SimulatedCard[] = [];

  constructor(
    readonly reader: string,
    private readonly index: number,
    private readonly nextCard: (slot: number, index: number) => SimulatedCardOptions | null,
  ) {
    this.feed();
  }

  cardPresent(): boolean {
    return this.card !== null;
  }

  /** An empty hopper (tests feed a limited number of cards) waits the time given, as a reader without a card does. */
  async waitForCard(timeoutMs: number): Promise<boolean> {
    if (this.card === null) await sleep(timeoutMs);
    return this.card !== null;
  }

  /** The card stays until release() ejects it: waits the time given, as a reader whose card nobody takes. */
  async waitForRemoval(timeoutMs: number): Promise<boolean> {
    if (this.card !== null) await sleep(timeoutMs);
    return this.card === null;
  }

  async connect(): Promise<CardSession> {
    const card = this.card;
    if (!card) throw new Error(`${this.reader}: the hopper is empty`);
    if (this.busy) throw new Error(`${this.reader}: the card is already taken`);
    this.busy = true;
    return {
      transmit: (apdu) => card.transmit(apdu),
      close: async () => {
        this.busy = false;
      },
    };
  }

  async release(): Promise<boolean> {
    if (this.card && this.ejected.push(this.card) > MAX_EJECTED) this.ejected.shift();
    this.feed();
    return true;
  }

  private feed(): void {
    const options = this.nextCard(this.index, this.fed++);
    this.card = options ? new SimulatedCard(options) : null;
  }
}

export class SimulatedEncoderDriver extends EventEmitter<EncoderDriverEvents> implements EncoderDriver {
  readonly kind = 'simulated' as const;
  private readonly list: SimulatedSlot[];

  constructor(o: SimulatedEncoderOptions = {}) {
    super();
    const prefix = o.namePrefix ?? 'Simulated encoder';
    const next = o.nextCard ?? (() => ({}));
    this.list = Array.from({ length: o.slots ?? 1 }, (_, i) => new SimulatedSlot(`${prefix} ${i + 1}`, i, next));
  }

  slots(): SimulatedSlot[] {
    return [...this.list];
  }

  async close(): Promise<void> {}
}
