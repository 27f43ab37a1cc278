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

  /** Waits for the watch to report a card; after waiting in vain, asks pcscd directly (a missed insertion). */
  waitForCard(timeoutMs: number): Promise<boolean> {
    return this.readers.waitForCard(this.reader, timeoutMs).then(
      () => true,
      () => this.readers.refresh(this.reader)?.cardPresent ?? false,
    );
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
