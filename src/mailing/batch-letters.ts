import type { CardView } from '../orders/cards.service';
import { type CardGeneration, type CardType, knownFieldProblems } from './letters';
import type { LetterKind } from './mailing.entities';

/**
 * What a batch's letter is made of, from its card and its laid-out address: the same fields
 * when the batch is assembled (checked then: a letter that cannot be printed is held with why,
 * instead of failing its whole batch when it is drawn) and when it is drawn. The batch number,
 * the sequence, the helpdesk number and, for a letter of the codes, the codes come at drawing.
 */
export function letterFields(kind: LetterKind, card: CardView, addressLines: string[]) {
  const base = {
    addressLines,
    cardType: card.cardType as CardType,
    generation: (card.generation ?? 'CPS3') as CardGeneration,
  };
  if (kind === 'pin-letter') return { ...base, cardLast4: card.cardNumber.slice(-4) };
  return {
    ...base,
    cardNumber: card.cardNumber,
    validFrom: card.validFrom,
    validUntil: card.validUntil,
    // The card's names; a card recorded without them (none in the registry's content) is named as the address is.
    holderName: `${card.firstName} ${card.lastName}`.trim() || addressLines[0],
    professionLabel: card.professionLabel ?? card.professionCode,
  };
}

/**
 * Why the letter of `kind` for `card` at `addressLines`, dated `letterDate`, could not be printed
 * (the letters' own checks, letter-data.ts), or null.
 */
export function letterRefusal(kind: LetterKind, card: CardView, addressLines: string[], letterDate: string): string | null {
  const problems = knownFieldProblems(kind === 'card-letter' ? 'card' : 'pin', { ...letterFields(kind, card, addressLines), letterDate });
  return problems.length ? `the letter cannot be printed: ${problems.join('; ')}` : null;
}
