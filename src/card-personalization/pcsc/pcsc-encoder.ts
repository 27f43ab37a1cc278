/**
 * The `pcsc` encoder driver: one slot per PC/SC reader that ENCODER_READERS selects,
 * appearing and disappearing with the readers (PcscReaders watches pcscd).
 */
import { EventEmitter } from 'node:events';
import type { ReaderSelection } from '../../common/config/config';
import type { CardSession, EncoderDriver, EncoderDriverEvents, EncoderSlot } from '../encoder-driver';
import { PcscReaders, type PcscReadersOptions } from './pcsc-readers';

class PcscSlot implements EncoderSlot {
  constructor(
    private readonly readers: PcscReaders,
    readonly reader: string,
  ) {}

  cardPresent(): boolean {
    return this.readers.get(this.reader)?.cardPresent ?? false;
  }

  /**
   * Waits for the watch to report a card, asking pcscd directly between its reports (after 50 ms,
   * then 100, 200, and every 400 ms, pcscd's own poll of a reader): the watch misses a card swapped
   * within one of pcscd's polls while a session was breaking, and would leave a hopper's new card
   * unseen for the rest of the wait.
   */
  async waitForCard(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (let step = 50; ; step = Math.min(step * 2, 400)) {
      const wait = Math.max(0, Math.min(step, until - Date.now()));
      if (
        await this.readers.waitForCard(this.reader, wait).then(
          () => true,
          () => false,
        )
      )
        return true;
      if (this.readers.refresh(this.reader)?.cardPresent) return true;
      if (Date.now() >= until) return false;
    }
  }

  waitForRemoval(timeoutMs: number): Promise<boolean> {
    return this.readers.waitForRemoval(this.reader, timeoutMs).then(
      () => true,
      () => false,
    );
  }

  async connect(): Promise<CardSession> {
    const session = await this.readers.connect(this.reader);
    return { transmit: (apdu) => session.transmit(apdu), close: () => session.close('reset') };
  }

  /** Someone takes the card out of a PC/SC reader: nothing to do here. */
  async release(): Promise<boolean> {
    return false;
  }
}

export class PcscEncoderDriver extends EventEmitter<EncoderDriverEvents> implements EncoderDriver {
  readonly kind = 'pcsc' as const;
  private readonly bySlot = new Map<string, PcscSlot>();

  private constructor(private readonly readers: PcscReaders) {
    super();
    readers.on('reader-attached', ({ reader }) => this.attach(reader));
    readers.on('reader-detached', ({ reader }) => {
      if (this.bySlot.delete(reader)) this.emit('slot-removed', reader);
    });
    for (const r of readers.list()) this.attach(r.name);
  }

  /** Opens the readers (throws PcscUnavailableError naming libpcsclite-dev and pcscd when they are missing). */
  static open(readers: ReaderSelection, options: Omit<PcscReadersOptions, 'readers'> = {}): PcscEncoderDriver {
    return new PcscEncoderDriver(PcscReaders.open({ ...options, readers }));
  }

  slots(): EncoderSlot[] {
    return [...this.bySlot.values()];
  }

  async close(): Promise<void> {
    this.readers.close();
  }

  private attach(reader: string): void {
    if (this.bySlot.has(reader)) return;
    const slot = new PcscSlot(this.readers, reader);
    this.bySlot.set(reader, slot);
    this.emit('slot-added', slot);
  }
}
