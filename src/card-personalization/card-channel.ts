/**
 * Commands to a card over any transport (a PC/SC reader, the simulated card): sends a
 * command, follows 61xx with GET RESPONSE until the data is whole, resends once with the
 * right Le on 6Cxx, and turns a status word the caller does not accept into a
 * CardStatusError (SW plus a readable message). Counts the APDUs and the time spent
 * waiting on the transport, for the benchmark.
 */

import { CommandApdu, describeCommand, encodeCommand, parseResponse, ResponseApdu, SW_OK, statusError } from './apdu';
import { CardPersonalizationError } from './card-personalization.errors';

/** What a reader (or the simulated card) offers: one APDU in, one response out. */
export interface CardTransport {
  transmit(apdu: Buffer): Promise<Buffer>;
}

export interface ChannelStats {
  /** APDUs sent, GET RESPONSE and resends included. */
  apdus: number;
  /** Milliseconds spent inside transport.transmit. */
  transportMs: number;
}

/** At most this many GET RESPONSE rounds for one command (a card looping on 61xx is broken). */
const MAX_GET_RESPONSE = 300;

export class CardChannel {
  readonly stats: ChannelStats = { apdus: 0, transportMs: 0 };

  constructor(private readonly transport: CardTransport) {}

  /**
   * Sends a command and returns the final response (data gathered over 61xx, resent on
   * 6Cxx), whatever its status word.
   */
  async send(command: CommandApdu): Promise<ResponseApdu> {
    let response = await this.exchange(command);
    if (response.sw >>> 8 === 0x6c) response = await this.exchange({ ...command, ne: response.sw & 0xff || 256 });
    if (response.sw >>> 8 !== 0x61) return response;
    const parts = [response.data];
    for (let round = 0; response.sw >>> 8 === 0x61; round++) {
      if (round >= MAX_GET_RESPONSE) {
        throw new CardPersonalizationError(
          'malformed_data',
          `${describeCommand(command)}: still 61xx after ${MAX_GET_RESPONSE} GET RESPONSE`,
        );
      }
      response = await this.exchange({ cla: command.cla & 0x03, ins: 0xc0, p1: 0, p2: 0, ne: response.sw & 0xff || 256 });
      parts.push(response.data);
    }
    return { data: Buffer.concat(parts), sw: response.sw };
  }

  /**
   * Sends a command and returns its response when the status word is one of `accept`
   * (9000 by default); otherwise throws a CardStatusError naming `label`.
   */
  async expect(label: string, command: CommandApdu, accept: readonly number[] = [SW_OK]): Promise<ResponseApdu> {
    const response = await this.send(command);
    if (!accept.includes(response.sw)) throw statusError(label, response.sw);
    return response;
  }

  private async exchange(command: CommandApdu): Promise<ResponseApdu> {
    const bytes = encodeCommand(command);
    this.stats.apdus++;
    const started = performance.now();
    try {
      return parseResponse(await this.transport.transmit(bytes));
    } finally {
      this.stats.transportMs += performance.now() - started;
    }
  }
}
