/**
 * A card's mailing letters as the card and order views show them (issue 11): what the letter
 * is and where it went, never what it says (no code, no address).
 */
export interface CardLetterView {
  id: string;
  kind: 'card-letter' | 'pin-letter';
  cardNumber: string;
  orderId: string;
  /** held (its address cannot be laid out: `heldReason`), waiting, batched, printed or returned. */
  state: 'held' | 'waiting' | 'batched' | 'printed' | 'returned';
  heldReason: string | null;
  batchId: string | null;
  batchNumber: number | null;
  /** Its place in its batch (the mail room's order), null until it is in one. */
  sequence: number | null;
  createdAt: Date;
  printedAt: Date | null;
  returnedAt: Date | null;
  /** The letter of the codes this one prints again (an approved reprint), null for a first letter. */
  reprintOf: string | null;
}

/**
 * The letters of cards, read by the mailing module for the orders module's card and order
 * views. The mailing module sits above orders (design.md): orders declares what it needs
 * here, and mailing provides it (MailingReadsModule), so that orders never reads mailing's
 * tables nor imports its code.
 */
export abstract class CardLettersReader {
  /** The letters of these cards, oldest first (first letters before their reprints). */
  abstract ofCards(cardNumbers: string[]): Promise<CardLetterView[]>;
}
