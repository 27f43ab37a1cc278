import { EventEmitter } from 'node:events';
import { isVirtualReader, type ReaderSelection } from '../../common/config/config';
import { loadPcscBinding, type NativeMonitorEvent, type NativeReaderMonitor, openContext, type PcscBinding } from './pcsc-binding';
import { PcscError, PcscUnavailableError, pcscErrorFrom } from './pcsc-errors';
import { PcscCardSession } from './pcsc-transport';

export interface PcscReaderState {
  name: string;
  cardPresent: boolean;
  /** The ATR pcscd read when the card came in (null without a card, or for a mute card). */
  atr: Buffer | null;
}

export interface PcscReaderEvents {
  'reader-attached': [{ reader: string }];
  'reader-detached': [{ reader: string }];
  'card-inserted': [{ reader: string; atr: Buffer | null }];
  'card-removed': [{ reader: string }];
  /** A reader the selection would take but that is refused (a virtual reader in production): never reported nor connected. */
  'reader-refused': [{ reader: string; message: string }];
  /** pcscd stopped answering: every reader was detached; the watch restarts by itself every `retryMs`. */
  'service-lost': [{ message: string }];
  'service-restored': [];
}

export interface PcscReadersOptions {
  /** `*` or reader names (ENCODER_READERS); readers outside it are never reported nor connected. */
  readers: ReaderSelection;
  /**
   * Production: virtual readers (vsmartcard's vpcd, "Virtual PCD 00 00"..., whose "card" is whatever
   * program connects to its TCP port) are never taken, even by a selection that would (`*`): not
   * reported (a `reader-refused` event instead), and connect() refuses them. Development and tests
   * leave it off to use vpcd.
   */
  refuseVirtualReaders?: boolean;
  /** How often to try again when pcscd went away (ms). */
  retryMs?: number;
  /** Tests: another binding (or module name) than the `smartcard` package. */
  binding?: PcscBinding;
  moduleName?: string;
}

/**
 * The PC/SC readers of this machine that ENCODER_READERS selects, watched while the process runs:
 * readers and cards come and go (events), and a card is taken for writing with connect().
 * open() loads the optional `smartcard` binding on first use; it throws PcscUnavailableError
 * (naming libpcsclite-dev and pcscd) when the binding or the daemon is missing.
 */
export class PcscReaders extends EventEmitter<PcscReaderEvents> {
  private readonly states = new Map<string, PcscReaderState>();
  private monitor: NativeReaderMonitor | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly retryMs: number;

  private constructor(
    private readonly binding: PcscBinding,
    private readonly selection: ReaderSelection,
    retryMs: number,
    private readonly refuseVirtualReaders: boolean,
  ) {
    super();
    this.retryMs = retryMs;
  }

  static open(options: PcscReadersOptions): PcscReaders {
    const binding = options.binding ?? loadPcscBinding(options.moduleName);
    const readers = new PcscReaders(binding, options.readers, options.retryMs ?? 1000, options.refuseVirtualReaders ?? false);
    // Fails at once, naming pcscd, when the daemon does not answer (the watch would only report it later).
    openContext(binding).close();
    try {
      readers.startMonitor();
    } catch (e) {
      readers.close();
      throw new PcscUnavailableError('pcscd does not answer', (e as { message?: string }).message);
    }
    return readers;
  }

  /** Whether ENCODER_READERS takes this reader (a virtual one never, when they are refused). */
  selects(name: string): boolean {
    return this.refusal(name) === null && this.named(name);
  }

  private named(name: string): boolean {
    return this.selection === '*' || this.selection.includes(name);
  }

  /** Why the reader is refused whatever the selection, or null. */
  private refusal(name: string): string | null {
    return this.refuseVirtualReaders && isVirtualReader(name)
      ? `reader "${name}" is a virtual reader (vsmartcard's vpcd, for tests): refused in production`
      : null;
  }

  /** The selected readers attached now, with their card state. */
  list(): PcscReaderState[] {
    return [...this.states.values()].map((s) => ({ ...s }));
  }

  get(name: string): PcscReaderState | undefined {
    const s = this.states.get(name);
    return s ? { ...s } : undefined;
  }

  /** Resolves when the reader is attached (at once if it is). */
  waitForReader(name: string, timeoutMs: number): Promise<PcscReaderState> {
    return this.waitFor(name, timeoutMs, 'reader-attached', () => this.get(name), `reader "${name}" did not appear`);
  }

  /**
   * The reader's card state as pcscd has it now (its own PC/SC context, like connect), folded into
   * the watched state with the events it implies. The watch can miss a card swapped while a session
   * was breaking (the state it holds then says no card while one is in); a station that has waited
   * in vain asks here before waiting again.
   */
  refresh(name: string): PcscReaderState | undefined {
    if (!this.selects(name)) return undefined;
    const context = openContext(this.binding);
    try {
      const reader = context.listReaders().find((r) => r.name === name);
      if (!reader) return this.get(name);
      const present = (reader.state & this.binding.SCARD_STATE_PRESENT) !== 0;
      const was = this.states.get(name);
      if (!was || was.cardPresent !== present) {
        this.states.set(name, { name, cardPresent: present, atr: present ? reader.atr : null });
        if (present) this.emit('card-inserted', { reader: name, atr: reader.atr });
        else this.emit('card-removed', { reader: name });
      }
      return this.get(name);
    } catch {
      return this.get(name);
    } finally {
      context.close();
    }
  }

  /** Resolves with the reader's state once a card is in it (at once if one is). */
  waitForCard(name: string, timeoutMs: number): Promise<PcscReaderState> {
    return this.waitFor(
      name,
      timeoutMs,
      'card-inserted',
      () => {
        const s = this.get(name);
        return s?.cardPresent ? s : undefined;
      },
      `no card came into reader "${name}"`,
    );
  }

  /** Resolves once the reader has no card (at once if it has none). */
  waitForRemoval(name: string, timeoutMs: number): Promise<void> {
    return this.waitFor(
      name,
      timeoutMs,
      'card-removed',
      () => (this.get(name)?.cardPresent ? undefined : true),
      `the card stayed in reader "${name}"`,
    ).then(() => undefined);
  }

  /**
   * Takes the card in the reader for this process alone (SCARD_SHARE_EXCLUSIVE, T=0 or T=1) until the
   * session is closed. Throws PcscError: no_card, card_busy (another program holds it), unknown_reader.
   *
   * Each session has a PC/SC context of its own: libpcsclite runs one call at a time per context,
   * holding it for the whole of a transmit, so a synchronous call (listReaders, getStatus,
   * disconnect) on a context shared with another reader's transmit in flight would block the event
   * loop until that card answers (forever when the card answers from this process, as the vpcd test
   * cards do), and two readers' transmits would not overlap.
   */
  async connect(name: string): Promise<PcscCardSession> {
    const refusal = this.refusal(name);
    if (refusal) throw new PcscError('unknown_reader', refusal);
    if (!this.selects(name)) throw new PcscError('unknown_reader', `reader "${name}" is not among ENCODER_READERS`);
    const context = openContext(this.binding);
    try {
      const reader = context.listReaders().find((r) => r.name === name);
      if (!reader) throw new PcscError('unknown_reader', `no reader named "${name}" is attached`);
      const card = await reader.connect(
        this.binding.SCARD_SHARE_EXCLUSIVE,
        this.binding.SCARD_PROTOCOL_T0 | this.binding.SCARD_PROTOCOL_T1,
      );
      let atr: Buffer;
      try {
        atr = card.getStatus().atr;
      } catch (e) {
        card.disconnect(this.binding.SCARD_LEAVE_CARD);
        throw e;
      }
      return new PcscCardSession(name, atr, card, this.binding, context);
    } catch (e) {
      context.close();
      throw pcscErrorFrom(e, name);
    }
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopMonitor();
    this.removeAllListeners();
  }

  private waitFor<T>(
    name: string,
    timeoutMs: number,
    event: keyof PcscReaderEvents,
    check: () => T | undefined,
    failure: string,
  ): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const onEvent = (e?: { reader: string }) => {
        if (e && e.reader !== name) return;
        const v = check();
        if (v === undefined) return;
        cleanup();
        resolve(v);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new PcscError(event === 'reader-attached' ? 'unknown_reader' : 'no_card', `${failure} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off(event, onEvent as never);
      };
      this.on(event, onEvent as never);
    });
  }

  private startMonitor(): void {
    const monitor = new this.binding.ReaderMonitor();
    monitor.start((e) => this.onNative(monitor, e));
    this.monitor = monitor;
  }

  private stopMonitor(): void {
    const m = this.monitor;
    this.monitor = null;
    try {
      m?.stop();
    } catch {
      // Already stopped.
    }
  }

  private onNative(from: NativeReaderMonitor, e: NativeMonitorEvent): void {
    if (this.closed || from !== this.monitor) return;
    if (e.type === 'error') {
      this.onServiceLost(e.reader);
      return;
    }
    if (!this.selects(e.reader)) {
      const refusal = e.type === 'reader-attached' && this.named(e.reader) ? this.refusal(e.reader) : null;
      if (refusal) this.emit('reader-refused', { reader: e.reader, message: refusal });
      return;
    }
    const present = (e.state & this.binding.SCARD_STATE_PRESENT) !== 0;
    switch (e.type) {
      case 'reader-attached':
        this.states.set(e.reader, { name: e.reader, cardPresent: present, atr: present ? e.atr : null });
        this.emit('reader-attached', { reader: e.reader });
        if (present) this.emit('card-inserted', { reader: e.reader, atr: e.atr });
        break;
      case 'reader-detached':
        this.detach(e.reader);
        break;
      case 'card-inserted':
        this.states.set(e.reader, { name: e.reader, cardPresent: true, atr: e.atr });
        this.emit('card-inserted', { reader: e.reader, atr: e.atr });
        break;
      case 'card-removed':
        this.states.set(e.reader, { name: e.reader, cardPresent: false, atr: null });
        this.emit('card-removed', { reader: e.reader });
        break;
    }
  }

  private detach(name: string): void {
    const s = this.states.get(name);
    if (!s) return;
    this.states.delete(name);
    if (s.cardPresent) this.emit('card-removed', { reader: name });
    this.emit('reader-detached', { reader: name });
  }

  /** The native watch reports errors once a second while pcscd is gone: drop it, detach everything, retry later. */
  private onServiceLost(message: string): void {
    // Deferred: stop() joins the native thread, which cannot finish inside its own callback.
    setImmediate(() => {
      if (this.closed || !this.monitor) return;
      this.stopMonitor();
      for (const name of [...this.states.keys()]) this.detach(name);
      this.emit('service-lost', { message });
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.closed) return;
      try {
        openContext(this.binding).close();
        this.startMonitor();
        this.emit('service-restored');
      } catch {
        this.scheduleRestart();
      }
    }, this.retryMs);
    this.retryTimer.unref();
  }
}
