import type { NativeCard, NativeContext, PcscBinding } from './pcsc-binding';
import { CardRemovedError, cardRemoved, PcscError, pcscErrorFrom } from './pcsc-errors';

/** What the APDU layer talks to (same shape as the transport interface of the card-personalization APDU layer). */
export interface ApduTransport {
  transmit(apdu: Buffer): Promise<Buffer>;
}

/** Biggest response taken: a short APDU's 256 data bytes + SW1 SW2, with room for an extended one. */
const MAX_RESPONSE = 65_538;
/** What ends a session: the driver's errors, or the module's CardRemovedError. */
type SessionFailure = PcscError | CardRemovedError;

/**
 * Commands that change nothing on a card (SELECT, READ BINARY, GET RESPONSE, GET DATA): the only ones
 * sent again after the first exchange of a session broke (see transmitNow).
 */
const READ_ONLY_INS = new Set([0xa4, 0xb0, 0xc0, 0xca]);

/** After an ambiguous failure, how long to watch whether the card is still there. */
const REMOVAL_CONFIRM_MS = 1_500;
const REMOVAL_POLL_MS = 50;

/**
 * One card, held exclusively (SCARD_SHARE_EXCLUSIVE) from connect until close(): no other program
 * (another station, scriptor) can send it a command meanwhile. transmit() sends one APDU at a time
 * (calls are queued) and throws CardRemovedError when the card is pulled out or its reader goes away,
 * PcscError `card_lost` when the exchange broke and the card is not seen gone. After any failure the
 * session is over: every later transmit() throws the same error.
 */
export class PcscCardSession implements ApduTransport {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private failure: SessionFailure | null = null;
  /** Whether an exchange with the card succeeded in this session. */
  private exchanged = false;

  constructor(
    readonly reader: string,
    /** The card's ATR at connect (or after the reset of a first exchange that broke). */
    public atr: Buffer,
    private readonly card: NativeCard,
    private readonly binding: PcscBinding,
    /** The session's own PC/SC context (see PcscReaders.connect), closed with it. */
    private readonly context: NativeContext,
  ) {}

  /** 'T=0' or 'T=1', as negotiated. */
  get protocol(): string {
    return this.card.protocol === this.binding.SCARD_PROTOCOL_T0 ? 'T=0' : 'T=1';
  }

  transmit(apdu: Buffer): Promise<Buffer> {
    const run = this.queue.then(() => this.transmitNow(apdu));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Ends the session; by default resets the card first so that no access right granted during the
   * session (a verified PIN) outlives it. The reset goes through SCardReconnect, which the binding runs
   * off the event loop; SCardDisconnect (synchronous in the binding) is then called with
   * SCARD_LEAVE_CARD, which does not talk to the card: a synchronous call that waits on the card
   * would deadlock a card that answers from this very process (the vpcd test cards).
   */
  async close(disposition: 'reset' | 'leave' = 'reset'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    if (disposition === 'reset' && !this.failure) {
      try {
        await this.card.reconnect(
          this.binding.SCARD_SHARE_EXCLUSIVE,
          this.binding.SCARD_PROTOCOL_T0 | this.binding.SCARD_PROTOCOL_T1,
          this.binding.SCARD_RESET_CARD,
        );
      } catch {
        // The card or the reader is already gone: nothing to reset.
      }
    }
    try {
      this.card.disconnect(this.binding.SCARD_LEAVE_CARD);
    } catch {
      // The card or the reader is already gone: nothing left to release.
    }
    this.context.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async transmitNow(apdu: Buffer): Promise<Buffer> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new PcscError('pcsc_error', `the session on reader "${this.reader}" is closed`);
    let response: Buffer;
    try {
      response = await this.send(apdu);
    } catch (e) {
      const err = pcscErrorFrom(e, this.reader);
      if (err instanceof PcscError && err.code === 'card_lost') throw this.end(await this.lostOrRemoved(err.pcscMessage ?? err.message));
      // The reset of a broken first exchange found the reader empty: the card went.
      if (err instanceof PcscError && err.code === 'no_card') throw this.end(cardRemoved(this.reader, err.pcscMessage));
      throw this.end(err instanceof PcscError || err instanceof CardRemovedError ? err : new PcscError('pcsc_error', err.message));
    }
    if (response.length >= 2) {
      this.exchanged = true;
      return response;
    }
    // vpcd (3.3) answers SCardTransmit with success and no byte at all when its card's socket closes
    // in the middle of a command: a response without a status word is a card gone or a broken one.
    throw this.end(await this.lostOrRemoved(`a response of ${response.length} byte(s), without a status word`));
  }

  /**
   * Sends one APDU. When the session's first exchange breaks (SCARD_E_NOT_TRANSACTED, SCARD_F_COMM_ERROR)
   * on a read-only command, the card is reset (SCardReconnect with SCARD_RESET_CARD) and the command sent
   * once more: a card swapped within one of pcscd's polls (an operator's quick hand, an encoder's hopper)
   * is never seen gone, pcscd keeps the old card's power state, and only a reset powers the new one
   * (vpcd included). Nothing was written in this session yet, and a command that writes is never sent twice.
   * A card really gone fails the reset with SCARD_W_REMOVED_CARD / SCARD_E_NO_SMARTCARD (a removal).
   */
  private async send(apdu: Buffer): Promise<Buffer> {
    try {
      return await this.card.transmit(apdu, { maxRecvLength: MAX_RESPONSE });
    } catch (e) {
      const err = pcscErrorFrom(e, this.reader);
      if (this.exchanged || !(err instanceof PcscError && err.code === 'card_lost') || !READ_ONLY_INS.has(apdu[1])) throw e;
      await this.card.reconnect(
        this.binding.SCARD_SHARE_EXCLUSIVE,
        this.binding.SCARD_PROTOCOL_T0 | this.binding.SCARD_PROTOCOL_T1,
        this.binding.SCARD_RESET_CARD,
      );
      try {
        this.atr = this.card.getStatus().atr;
      } catch {
        // The next transmit tells what became of the card.
      }
      return await this.card.transmit(apdu, { maxRecvLength: MAX_RESPONSE });
    }
  }

  /**
   * The exchange broke (SCARD_E_NOT_TRANSACTED, SCARD_F_COMM_ERROR, a response without status word):
   * they come first when the card goes in the middle of a command, pcscd marking it absent only at
   * its next poll (~400 ms). A removal once the card is seen gone; else the card is lost all the same:
   * a card taken out and another put in within one poll is never seen gone by pcscd, and the handle
   * would then talk to the new card.
   */
  private async lostOrRemoved(why: string): Promise<SessionFailure> {
    if (await this.confirmRemoved()) return cardRemoved(this.reader, why);
    return new PcscError(
      'card_lost',
      `the exchange with the card in reader "${this.reader}" broke (${why}); the card may have been swapped`,
      why,
    );
  }

  /**
   * Any failure ends the session: no later command may reach what is now in the reader (maybe another
   * card), and the exclusive handle is released at once (pcscd would otherwise refuse the next card in
   * this reader with a sharing violation until close()).
   */
  private end(err: SessionFailure): SessionFailure {
    this.failure = err;
    if (!this.closed) {
      this.closed = true;
      try {
        this.card.disconnect(this.binding.SCARD_LEAVE_CARD);
      } catch {
        // Already released by pcscd.
      }
      this.context.close();
    }
    return err;
  }

  private async confirmRemoved(): Promise<boolean> {
    const until = Date.now() + REMOVAL_CONFIRM_MS;
    for (;;) {
      try {
        // SCardStatus fails with SCARD_W_REMOVED_CARD once pcscd has seen the card go (its `state` is
        // pcsc-lite's SCARD_ABSENT/PRESENT/... enumeration, not the SCARD_STATE_* flags: not used).
        this.card.getStatus();
      } catch (e) {
        const err = pcscErrorFrom(e, this.reader);
        if (err instanceof CardRemovedError || (err instanceof PcscError && err.code === 'no_card')) return true;
        return false;
      }
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, REMOVAL_POLL_MS));
    }
  }
}
