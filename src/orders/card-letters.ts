/** The two letters of a card: the card letter (with the card) and the letter of its codes. */
export const LETTER_KINDS = ['card-letter', 'pin-letter'] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

/**
 * A letter's state: `held` (kept out of the batches, `held_reason` says why: its address
 * cannot be laid out, its card opposed, a letter of its card returned, its codes gone...),
 * `waiting` (for the next batch: a new card's letter, a letter of the codes once its day has
 * come, an approved reprint), `batched` (in a batch at a sequence), `printed`, `returned`
 * (came back to the agency).
 */
export const LETTER_STATES = ['held', 'waiting', 'batched', 'printed', 'returned'] as const;
export type LetterState = (typeof LETTER_STATES)[number];

/**
 * A card's mailing letters as the card and order views show them (issue 11): what the letter
 * is and where it went, never what it says (no code, no address).
 */
export interface CardLetterView {
  id: string;
  kind: LetterKind;
  cardNumber: string;
  orderId: string;
  /** See LETTER_STATES; why a letter is held is `heldReason`. */
  state: LetterState;
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
