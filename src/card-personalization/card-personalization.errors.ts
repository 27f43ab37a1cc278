import { DomainError } from '../common/errors/domain-error';

/**
 * Errors of the card personalization module. Messages name the command (e.g. `CHANGE
 * REFERENCE DATA (PIN)`) and the status word, never a command's data: a PIN or a PUK
 * travels in some of them.
 */
export const CARD_PERSONALIZATION_ERROR_CODES = [
  /** A status word the step does not accept (see CardStatusError.sw). */
  'card_status',
  /** The card went away (pulled out, reader unplugged, bridge closed). */
  'card_removed',
  /** The reader or its driver failed otherwise. */
  'reader_error',
  /** Bytes that are not a valid APDU, BER-TLV or text as the profile defines it. */
  'malformed_data',
  /** The order's or the card's data cannot be written as the profile says. */
  'unusable_card_data',
  /** The card has no EF.SN, or an EF.SN that is not 8 to 16 ASCII characters: not our stock. */
  'no_chip_serial',
  /** DF.CPX already exists: never written to. */
  'card_not_blank',
  /** What was read back differs from what was written. */
  'read_back_mismatch',
  /** personalize:run's arguments, or a reader that is not there. */
  'unusable_input',
  'no_reader',
  /** No encoder station has this id (GET/POST /api/v1/encoders/:id...). */
  'encoder_not_found',
  /** A reset of an encoder station that is not in error. */
  'encoder_not_in_error',
  /** Another live process runs this encoder station (one process per reader). */
  'encoder_busy',
] as const;
export type CardPersonalizationErrorCode = (typeof CARD_PERSONALIZATION_ERROR_CODES)[number];

export class CardPersonalizationError extends DomainError<CardPersonalizationErrorCode> {
  static override readonly titles: Readonly<Record<CardPersonalizationErrorCode, string>> = {
    card_status: 'The card refused a command',
    card_removed: 'The card was removed during personalization',
    reader_error: 'The card reader failed',
    malformed_data: 'The data read or to write is malformed',
    unusable_card_data: 'The card data cannot be written as the profile defines it',
    no_chip_serial: 'The card has no readable chip serial number: it is not from our stock',
    card_not_blank: 'The card is not blank',
    read_back_mismatch: 'What was read back from the card differs from what was written',
    unusable_input: 'The command cannot be run as given',
    no_reader: 'No such encoder reader',
    encoder_not_found: 'There is no encoder station with this id',
    encoder_not_in_error: 'The encoder station is not in error: there is nothing to reset',
    encoder_busy: 'Another process runs this encoder station',
  };
}

/** Bytes that do not decode (truncated TLV, indefinite length, bad APDU...). */
export class MalformedDataError extends CardPersonalizationError {
  constructor(message: string) {
    super('malformed_data', message, 422);
  }
}

/** The card was removed (or its reader went away) while a command was in flight. */
export class CardRemovedError extends CardPersonalizationError {
  constructor(
    message = 'the card was removed',
    /** The reader it left, when a reader is involved (PC/SC). */
    readonly reader?: string,
  ) {
    super('card_removed', message, 409);
  }
}

/** A status word other than the ones the command accepts, with a readable explanation. */
export class CardStatusError extends CardPersonalizationError {
  constructor(
    /** What was sent, safe to log (e.g. `UPDATE BINARY EF.ID @200`). */
    public readonly command: string,
    /** SW1-SW2 as one number, e.g. 0x6581. */
    public readonly sw: number,
    /** Stable name of the status (memory_failure, file_not_found, verification_failed...). */
    public readonly reason: string,
    description: string,
    /** For 63Cx: how many tries are left. */
    public readonly triesLeft?: number,
  ) {
    super('card_status', `${command}: ${swHex(sw)} ${description}`, 409, { sw: swHex(sw), reason, triesLeft });
  }
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
