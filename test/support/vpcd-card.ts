import { EventEmitter, once } from 'node:events';
import { Worker } from 'node:worker_threads';

/**
 * The vpcd bridge: puts any card model into one of the virtual readers of `vsmartcard-vpcd`
 * (loaded by pcscd), so that the project's PC/SC driver, `scriptor` or any PC/SC client
 * talks to it through the real pcscd.
 *
 * vpcd listens on TCP; the virtual card is the client. Connecting inserts the card,
 * disconnecting removes it. Every message, both ways, is a 2-byte big-endian length and
 * that many bytes. From vpcd: length 1 `00` power off, `01` power on, `02` reset (no answer),
 * `04` get ATR (answered with the ATR), anything longer a command APDU (answered with the
 * response APDU, data then SW1 SW2).
 *
 * The socket lives on a worker thread of its own, which answers vpcd's control messages itself
 * (get ATR with the ATR read at insertion) and hands each command APDU to the card on the main
 * thread. vpcd checks a card's presence by asking it for its ATR (every ~400 ms, from pcscd's
 * polling thread, holding the reader's lock), and the PC/SC binding makes some calls synchronously
 * (SCardDisconnect, SCardStatus): with the socket on the main thread, such a call waiting for that
 * lock would wait for an answer the blocked thread cannot give (a deadlock seen ~1 time in 10
 * without the quickack route).
 */

/** What a card model has to offer to sit in a reader (the simulated card of src/ has this shape). */
export interface BridgedCard {
  atr(): Buffer;
  transmit(apdu: Buffer): Promise<Buffer> | Buffer;
}

export interface VpcdFaults {
  /** Closes the socket (pulls the card out) when this many command APDUs have arrived, before answering the last one. */
  removeAfterCommands?: number;
  /** Waits this long before answering each command APDU (a slow card). */
  delayMs?: number;
}

export interface VpcdReader {
  name: string;
  port: number;
}

/** vpcd's two default readers and the TCP port of each one's card. */
export const VPCD_READERS: readonly [VpcdReader, VpcdReader] = [
  { name: 'Virtual PCD 00 00', port: 35963 },
  { name: 'Virtual PCD 00 01', port: 35964 },
];

/**
 * vpcd listens on 0.0.0.0; the cards connect through 127.0.0.2, for which .ci/services.sh sets a
 * `quickack` route: vpcd 3.3 sends each length and payload in two segments without TCP_NODELAY,
 * and with delayed ACKs every APDU would wait ~40 ms. VPCD_HOST overrides it.
 */
export const VPCD_HOST = process.env.VPCD_HOST ?? '127.0.0.2';

/** The worker: one TCP connection to vpcd, vpcd's framing, control messages answered here, APDUs relayed. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('node:net');
const { host, port, atr } = workerData;
let removeAfter = workerData.removeAfterCommands;
let commands = 0;
let pending = Buffer.alloc(0);
let waiting = null;
const queue = [];
const names = { 0: 'power-off', 1: 'power-on', 2: 'reset', 4: 'atr' };
const socket = connect({ host, port });
socket.setNoDelay(true);
const send = (payload) => {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(payload.length, 0);
  socket.write(Buffer.concat([head, payload]));
};
const next = () => {
  while (!waiting && queue.length) {
    const msg = queue.shift();
    if (msg.length === 1) {
      parentPort.postMessage({ type: 'control', name: names[msg[0]] || 'unknown-' + msg[0] });
      if (msg[0] === 4) send(Buffer.from(atr));
      continue;
    }
    commands++;
    if (removeAfter !== undefined && commands >= removeAfter) {
      parentPort.postMessage({ type: 'apdu', apdu: msg, dropped: true });
      socket.destroy();
      return;
    }
    waiting = commands;
    parentPort.postMessage({ type: 'apdu', id: commands, apdu: msg });
  }
};
socket.on('connect', () => parentPort.postMessage({ type: 'connected' }));
socket.on('error', (e) => parentPort.postMessage({ type: 'error', message: e.message }));
socket.on('close', () => {
  parentPort.postMessage({ type: 'closed' });
  parentPort.close();
});
socket.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
    const len = pending.readUInt16BE(0);
    queue.push(Buffer.from(pending.subarray(2, 2 + len)));
    pending = pending.subarray(2 + len);
  }
  next();
});
parentPort.on('message', (m) => {
  if (m.type === 'response' && m.id === waiting) {
    waiting = null;
    if (!socket.destroyed) send(Buffer.from(m.data));
    next();
  } else if (m.type === 'faults') {
    removeAfter = m.removeAfterCommands;
  } else if (m.type === 'remove') {
    socket.destroy();
  }
});
`;

type FromWorker =
  | { type: 'connected' | 'closed' }
  | { type: 'error'; message: string }
  | { type: 'control'; name: string }
  | { type: 'apdu'; id?: number; apdu: Uint8Array; dropped?: boolean };

/**
 * One virtual reader's card slot. `insert(card)` connects to vpcd, `remove()` disconnects.
 * Emits 'removed' when the card leaves the reader (by remove(), a fault, or vpcd closing).
 */
export class VpcdSlot extends EventEmitter {
  /** Every command APDU the card received while in this slot, in order (reset at each insert). */
  readonly apdus: Buffer[] = [];
  /** Control messages received (power off/on, reset, get ATR), by name, in order. */
  readonly controls: string[] = [];
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private card: BridgedCard | null = null;
  private faults: VpcdFaults = {};

  constructor(
    readonly reader: VpcdReader = VPCD_READERS[0],
    private readonly host = VPCD_HOST,
  ) {
    super();
  }

  get inserted(): boolean {
    return this.worker !== null;
  }

  /** Inserts the card: resolves once the TCP connection to vpcd is up (pcscd notices it at its next poll). */
  async insert(card: BridgedCard, faults: VpcdFaults = {}): Promise<void> {
    if (this.worker) throw new Error(`${this.reader.name}: a card is already inserted`);
    this.card = card;
    this.faults = { ...faults };
    this.apdus.length = 0;
    this.controls.length = 0;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { host: this.host, port: this.reader.port, atr: card.atr(), removeAfterCommands: faults.removeAfterCommands },
    });
    this.worker = worker;
    this.exited = once(worker, 'exit').then(() => {
      if (this.worker === worker) {
        this.worker = null;
        this.emit('removed');
      }
    });
    const connected = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'connected') resolve();
        else if (m.type === 'error')
          reject(
            new Error(
              `${this.reader.name}: cannot reach vpcd on ${this.host}:${this.reader.port} (${m.message}); is pcscd running with vsmartcard-vpcd? (bash .ci/services.sh)`,
            ),
          );
        else this.onWorker(worker, m);
      });
    });
    try {
      await connected;
    } catch (e) {
      await this.remove();
      throw e;
    }
  }

  /** Changes the faults of the card in the slot (the command count keeps running). */
  setFaults(faults: VpcdFaults): void {
    this.faults = { ...faults };
    this.worker?.postMessage({ type: 'faults', removeAfterCommands: faults.removeAfterCommands });
  }

  /** Pulls the card out: closes the connection and waits until it is closed. */
  async remove(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    w.postMessage({ type: 'remove' });
    await this.exited;
  }

  private onWorker(worker: Worker, m: FromWorker): void {
    if (m.type === 'control') {
      this.controls.push(m.name);
    } else if (m.type === 'apdu') {
      const apdu = Buffer.from(m.apdu);
      this.apdus.push(apdu);
      if (!m.dropped) void this.answer(worker, m.id as number, apdu);
    }
    // 'closed': the worker then ends by itself (its port closed, nothing else pending); see `exited`.
  }

  private async answer(worker: Worker, id: number, apdu: Buffer): Promise<void> {
    const card = this.card;
    if (!card) return;
    if (this.faults.delayMs) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    const data = await card.transmit(apdu);
    if (this.worker === worker) worker.postMessage({ type: 'response', id, data });
  }
}
