import { EventEmitter, once } from 'node:events';
import { connect, type Socket } from 'node:net';

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

const POWER_OFF = 0x00;
const POWER_ON = 0x01;
const RESET = 0x02;
const GET_ATR = 0x04;

/**
 * One virtual reader's card slot. `insert(card)` connects to vpcd, `remove()` disconnects.
 * Emits 'removed' when the card leaves the reader (by remove(), a fault, or vpcd closing).
 */
export class VpcdSlot extends EventEmitter {
  /** Every command APDU the card received while in this slot, in order (reset at each insert). */
  readonly apdus: Buffer[] = [];
  /** Control messages received (power off/on, reset, get ATR), by name, in order. */
  readonly controls: string[] = [];
  private socket: Socket | null = null;
  private pending = Buffer.alloc(0);
  private chain: Promise<void> = Promise.resolve();
  private card: BridgedCard | null = null;
  private faults: VpcdFaults = {};

  constructor(
    readonly reader: VpcdReader = VPCD_READERS[0],
    private readonly host = VPCD_HOST,
  ) {
    super();
  }

  get inserted(): boolean {
    return this.socket !== null;
  }

  /** Inserts the card: resolves once the TCP connection to vpcd is up (pcscd notices it at its next poll). */
  async insert(card: BridgedCard, faults: VpcdFaults = {}): Promise<void> {
    if (this.socket) throw new Error(`${this.reader.name}: a card is already inserted`);
    this.card = card;
    this.faults = { ...faults };
    this.apdus.length = 0;
    this.controls.length = 0;
    this.pending = Buffer.alloc(0);
    const socket = connect({ host: this.host, port: this.reader.port });
    socket.setNoDelay(true);
    this.socket = socket;
    socket.on('data', (chunk) => this.onData(socket, chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) {
        this.socket = null;
        this.emit('removed');
      }
    });
    try {
      await once(socket, 'connect');
    } catch (e) {
      this.socket = null;
      throw new Error(
        `${this.reader.name}: cannot reach vpcd on ${this.host}:${this.reader.port} (${(e as Error).message}); is pcscd running with vsmartcard-vpcd? (bash .ci/services.sh)`,
      );
    }
  }

  /** Changes the faults of the card in the slot (the command count keeps running). */
  setFaults(faults: VpcdFaults): void {
    this.faults = { ...faults };
  }

  /** Pulls the card out: closes the connection and waits until it is closed. */
  async remove(): Promise<void> {
    const s = this.socket;
    if (!s) return;
    const closed = once(s, 'close');
    s.destroy();
    await closed;
  }

  private onData(socket: Socket, chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 2) {
      const len = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + len) break;
      const msg = Buffer.from(this.pending.subarray(2, 2 + len));
      this.pending = this.pending.subarray(2 + len);
      // Answers go out in order, one message after the other.
      this.chain = this.chain
        .then(() => this.handle(socket, msg))
        .catch(() => {
          socket.destroy();
        });
    }
  }

  private async handle(socket: Socket, msg: Buffer): Promise<void> {
    if (this.socket !== socket || !this.card) return;
    if (msg.length === 1) {
      const names: Record<number, string> = { [POWER_OFF]: 'power-off', [POWER_ON]: 'power-on', [RESET]: 'reset', [GET_ATR]: 'atr' };
      this.controls.push(names[msg[0]] ?? `unknown-${msg[0]}`);
      if (msg[0] === GET_ATR) this.send(socket, this.card.atr());
      return;
    }
    this.apdus.push(msg);
    const { removeAfterCommands, delayMs } = this.faults;
    if (removeAfterCommands !== undefined && this.apdus.length >= removeAfterCommands) {
      socket.destroy();
      return;
    }
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const response = await this.card.transmit(msg);
    if (this.socket === socket) this.send(socket, response);
  }

  private send(socket: Socket, payload: Buffer): void {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length, 0);
    socket.write(Buffer.concat([head, payload]));
  }
}
