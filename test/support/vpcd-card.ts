import { EventEmitter } from 'node:events';
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

/**
 * The worker, one per slot for the slot's life (starting a thread costs ~30 ms of CPU, more than a
 * card's whole session): on `insert` it opens a TCP connection to vpcd (the card goes in), speaks
 * vpcd's framing, answers control messages itself and relays command APDUs; on `remove` (or a
 * fault) it closes the connection (the card goes out) and waits for the next `insert`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('node:net');
const { host, port } = workerData;
const names = { 0: 'power-off', 1: 'power-on', 2: 'reset', 4: 'atr' };
let card = null;
const insert = (atr, removeAfter) => {
  const c = { atr, removeAfter, commands: 0, pending: Buffer.alloc(0), waiting: null, queue: [], socket: connect({ host, port }) };
  card = c;
  const socket = c.socket;
  socket.setNoDelay(true);
  const send = (payload) => {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length, 0);
    socket.write(Buffer.concat([head, payload]));
  };
  c.send = send;
  c.next = () => {
    while (!c.waiting && c.queue.length) {
      const msg = c.queue.shift();
      if (msg.length === 1) {
        parentPort.postMessage({ type: 'control', name: names[msg[0]] || 'unknown-' + msg[0] });
        if (msg[0] === 4) send(Buffer.from(c.atr));
        continue;
      }
      c.commands++;
      if (c.removeAfter !== undefined && c.commands >= c.removeAfter) {
        parentPort.postMessage({ type: 'apdu', apdu: msg, dropped: true });
        socket.destroy();
        return;
      }
      c.waiting = c.commands;
      parentPort.postMessage({ type: 'apdu', id: c.commands, apdu: msg });
    }
  };
  socket.on('connect', () => parentPort.postMessage({ type: 'connected' }));
  socket.on('error', (e) => parentPort.postMessage({ type: 'error', message: e.message }));
  socket.on('close', () => {
    if (card === c) card = null;
    parentPort.postMessage({ type: 'closed' });
  });
  socket.on('data', (chunk) => {
    c.pending = Buffer.concat([c.pending, chunk]);
    while (c.pending.length >= 2 && c.pending.length >= 2 + c.pending.readUInt16BE(0)) {
      const len = c.pending.readUInt16BE(0);
      c.queue.push(Buffer.from(c.pending.subarray(2, 2 + len)));
      c.pending = c.pending.subarray(2 + len);
    }
    c.next();
  });
};
parentPort.on('message', (m) => {
  if (m.type === 'insert') {
    insert(m.atr, m.removeAfterCommands);
  } else if (!card) {
    return;
  } else if (m.type === 'response' && m.id === card.waiting) {
    card.waiting = null;
    if (!card.socket.destroyed) card.send(Buffer.from(m.data));
    card.next();
  } else if (m.type === 'faults') {
    card.removeAfter = m.removeAfterCommands;
  } else if (m.type === 'remove') {
    card.socket.destroy();
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
  /** The slot's worker thread, started at the first insert; it keeps the process alive only while a card is in. */
  private worker: Worker | null = null;
  /** Resolves when the card in the slot has gone (its connection closed); null: no card. */
  private present: Promise<void> | null = null;
  private card: BridgedCard | null = null;
  private faults: VpcdFaults = {};
  /** Bumped at each insert: answers for an earlier card are dropped. */
  private generation = 0;
  private listener: ((m: FromWorker) => void) | null = null;

  constructor(
    readonly reader: VpcdReader = VPCD_READERS[0],
    private readonly host = VPCD_HOST,
  ) {
    super();
  }

  get inserted(): boolean {
    return this.present !== null;
  }

  /** Inserts the card: resolves once the TCP connection to vpcd is up (pcscd notices it at its next poll). */
  async insert(card: BridgedCard, faults: VpcdFaults = {}): Promise<void> {
    if (this.present) throw new Error(`${this.reader.name}: a card is already inserted`);
    this.card = card;
    this.faults = { ...faults };
    this.apdus.length = 0;
    this.controls.length = 0;
    const generation = ++this.generation;
    const worker = this.start();
    worker.ref(); // a card in the slot keeps the process alive, as its thread did when it had one per card
    let gone!: () => void;
    this.present = new Promise<void>((r) => {
      gone = r;
    });
    const connected = new Promise<void>((resolve, reject) => {
      this.listener = (m: FromWorker) => {
        if (m.type === 'connected') resolve();
        else if (m.type === 'error')
          reject(
            new Error(
              `${this.reader.name}: cannot reach vpcd on ${this.host}:${this.reader.port} (${m.message}); is pcscd running with vsmartcard-vpcd? (bash .ci/services.sh)`,
            ),
          );
        else if (m.type === 'closed') {
          if (this.generation !== generation) return;
          this.present = null;
          this.card = null;
          worker.unref(); // an empty slot keeps no process alive
          gone();
          this.emit('removed');
        } else this.onWorker(worker, generation, m);
      };
    });
    worker.postMessage({ type: 'insert', atr: card.atr(), removeAfterCommands: faults.removeAfterCommands });
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
    const present = this.present;
    if (!present || !this.worker) return;
    this.worker.postMessage({ type: 'remove' });
    await present;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { host: this.host, port: this.reader.port } });
    worker.on('message', (m: FromWorker) => this.listener?.(m));
    this.worker = worker;
    return worker;
  }

  private onWorker(worker: Worker, generation: number, m: FromWorker): void {
    if (m.type === 'control') {
      this.controls.push(m.name);
    } else if (m.type === 'apdu') {
      const apdu = Buffer.from(m.apdu);
      this.apdus.push(apdu);
      if (!m.dropped) void this.answer(worker, generation, m.id as number, apdu);
    }
  }

  private async answer(worker: Worker, generation: number, id: number, apdu: Buffer): Promise<void> {
    const card = this.card;
    if (!card) return;
    if (this.faults.delayMs) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    const data = await card.transmit(apdu);
    if (this.generation === generation) worker.postMessage({ type: 'response', id, data });
  }
}
