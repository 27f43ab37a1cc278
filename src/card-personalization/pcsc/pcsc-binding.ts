import { PcscUnavailableError } from './pcsc-errors';

/**
 * The part of the `smartcard` npm package (N-API over libpcsclite, an optional dependency) that the
 * driver uses, typed here so that the project compiles where the package is not installed.
 * Verified against smartcard 3.7.0 (dist/lib/types.d.ts and src/*.cpp):
 *  - `new Context()` runs SCardEstablishContext and throws a plain Error ("PC/SC service not running")
 *    when pcscd does not answer; `listReaders()` gives Reader objects (name, state, atr) or [].
 *  - `reader.connect(shareMode, protocols)` resolves a Card; `card.transmit(Buffer, {maxRecvLength})`
 *    resolves the response (data + SW1 SW2; the receive buffer is 258 bytes unless told);
 *    `card.getStatus()` (SCardStatus) throws when the card is gone; `card.disconnect(disposition)` is
 *    synchronous (it blocks the event loop), `card.reconnect(share, protocols, init)` is not.
 *    Reader.connect, Card.transmit/reconnect run on libuv's thread pool; listReaders, getStatus and
 *    disconnect on the JS thread.
 *  - `new ReaderMonitor().start(cb)` watches every reader on a native thread of its own
 *    (SCardGetStatusChange with the PnP pseudo-reader, 1 s timeout) and calls back with
 *    `{type, reader, state, atr}`: reader-attached (also for the readers present at start),
 *    reader-detached, card-inserted, card-removed, error (then `reader` holds the message).
 *  - Every native failure is a plain Error whose message is pcsc-lite's error text (pcsc_errors.h);
 *    the package's PCSCError classes are not used by the native layer.
 */
export interface NativeCard {
  readonly protocol: number;
  transmit(command: Buffer, options?: { maxRecvLength?: number }): Promise<Buffer>;
  getStatus(): { state: number; protocol: number; atr: Buffer };
  /** SCardReconnect, run off the event loop; resolves the protocol. */
  reconnect(shareMode?: number, protocols?: number, initialization?: number): Promise<number>;
  /** SCardDisconnect, synchronous: with SCARD_RESET_CARD it waits on the card (use reconnect for that). */
  disconnect(disposition?: number): void;
}

export interface NativeReader {
  readonly name: string;
  readonly state: number;
  readonly atr: Buffer | null;
  connect(shareMode?: number, protocols?: number): Promise<NativeCard>;
}

export interface NativeContext {
  readonly isValid: boolean;
  listReaders(): NativeReader[];
  close(): void;
}

export interface NativeMonitorEvent {
  type: 'reader-attached' | 'reader-detached' | 'card-inserted' | 'card-removed' | 'error';
  reader: string;
  state: number;
  atr: Buffer | null;
}

export interface NativeReaderMonitor {
  readonly isRunning: boolean;
  start(callback: (event: NativeMonitorEvent) => void): void;
  stop(): void;
}

export interface PcscBinding {
  Context: new () => NativeContext;
  ReaderMonitor: new () => NativeReaderMonitor;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
}

export const PCSC_MODULE = 'smartcard';

const loaded = new Map<string, PcscBinding>();

/**
 * Loads the binding on first use only (machines without PC/SC run the rest of the project).
 * Throws PcscUnavailableError, naming libpcsclite-dev and pcscd, when the package is absent or its
 * native part did not build or does not load. `moduleName` is for tests.
 */
export function loadPcscBinding(moduleName = PCSC_MODULE): PcscBinding {
  const cached = loaded.get(moduleName);
  if (cached) return cached;
  let mod: PcscBinding;
  try {
    mod = require(moduleName) as PcscBinding;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const detail =
      err.code === 'MODULE_NOT_FOUND' && err.message.includes(`'${moduleName}'`)
        ? `the npm package "${moduleName}" is not installed (its native build may have failed at npm ci)`
        : `the npm package "${moduleName}" does not load (${err.message.split('\n')[0]})`;
    throw new PcscUnavailableError(detail);
  }
  if (typeof mod.Context !== 'function' || typeof mod.ReaderMonitor !== 'function') {
    throw new PcscUnavailableError(`the npm package "${moduleName}" has no Context/ReaderMonitor (an incompatible version?)`);
  }
  loaded.set(moduleName, mod);
  return mod;
}

/** A PC/SC context, or PcscUnavailableError when pcscd does not answer. */
export function openContext(binding: PcscBinding): NativeContext {
  try {
    return new binding.Context();
  } catch (e) {
    throw new PcscUnavailableError('pcscd does not answer', (e as Error).message);
  }
}
