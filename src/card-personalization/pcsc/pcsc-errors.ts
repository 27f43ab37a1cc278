import { DomainError } from '../../common/errors/domain-error';
import { CardRemovedError } from '../card-personalization.errors';

export { CardRemovedError };

export const PCSC_ERROR_CODES = ['pcsc_unavailable', 'card_lost', 'card_busy', 'no_card', 'unknown_reader', 'pcsc_error'] as const;
export type PcscErrorCode = (typeof PCSC_ERROR_CODES)[number];

/** An error of the PC/SC driver; `pcscMessage` is the PC/SC layer's own wording when there is one. */
export class PcscError extends DomainError<PcscErrorCode> {
  static override readonly titles: Readonly<Record<PcscErrorCode, string>> = {
    pcsc_unavailable: 'The smart card service of this machine (PC/SC) is unavailable',
    card_lost: 'The exchange with the card broke',
    card_busy: 'Another program is using the card',
    no_card: 'There is no card in the reader',
    unknown_reader: 'There is no reader by this name',
    pcsc_error: 'The smart card layer of this machine (PC/SC) failed',
  };

  constructor(
    code: PcscErrorCode,
    message: string,
    readonly pcscMessage?: string,
  ) {
    super(code, message, code === 'pcsc_unavailable' ? 503 : 500);
  }
}

/** The PC/SC binding cannot be loaded or pcscd does not answer: nothing on this machine can talk to a reader. */
export class PcscUnavailableError extends PcscError {
  constructor(detail: string, pcscMessage?: string) {
    super(
      'pcsc_unavailable',
      `PC/SC is unavailable: ${detail}. The pcsc encoder driver needs the optional npm package "smartcard" ` +
        `(built at install time against libpcsclite-dev: apt-get install libpcsclite-dev, then npm ci) and the pcscd daemon running ` +
        `(apt-get install pcscd; bash .ci/services.sh starts it).`,
      pcscMessage,
    );
  }
}

/**
 * The card left the reader (pulled out, reset by someone else, or the reader itself went
 * away) during a session: the module's one CardRemovedError, whatever the driver.
 */
export function cardRemoved(reader: string, pcscMessage?: string): CardRemovedError {
  return new CardRemovedError(
    `the card in reader "${reader}" was removed during the session${pcscMessage ? ` (${pcscMessage})` : ''}`,
    reader,
  );
}

/** Another program holds the card (we only ever take it exclusively). */
export class CardBusyError extends PcscError {
  constructor(
    readonly reader: string,
    pcscMessage?: string,
  ) {
    super('card_busy', `the card in reader "${reader}" is in use by another program (sharing violation)`, pcscMessage);
  }
}

/** Turns an error of the native binding (a plain Error whose message is pcsc-lite's, see smartcard's pcsc_errors.h) into ours. */
export function pcscErrorFrom(e: unknown, reader: string): Error {
  if (e instanceof PcscError) return e;
  // Not `instanceof Error`: the native errors come from another realm under jest's VM contexts.
  const m = (e as { message?: unknown } | null)?.message;
  const msg = typeof m === 'string' ? m : String(e);
  switch (msg) {
    case 'Card was removed':
    case 'Card was reset':
    case 'Card is unpowered':
    case 'Reader unavailable':
    case 'Invalid handle':
      return cardRemoved(reader, msg);
    case 'Transaction failed':
    case 'Communication error':
      return new PcscError('card_lost', `the exchange with the card in reader "${reader}" broke (${msg})`, msg);
    case 'No smart card present':
      return new PcscError('no_card', `no card in reader "${reader}"`, msg);
    case 'Sharing violation':
      return new CardBusyError(reader, msg);
    case 'Unknown reader':
      return new PcscError('unknown_reader', `no reader named "${reader}"`, msg);
    case 'PC/SC service not running':
    case 'PC/SC service stopped':
      return new PcscUnavailableError('pcscd does not answer', msg);
    default:
      return new PcscError('pcsc_error', `PC/SC error on reader "${reader}": ${msg}`, msg);
  }
}
