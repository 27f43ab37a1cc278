import { barcodeText, type CardLetter, type CardType, frenchDate, type LetterKind, type PinLetter } from './letter-data';

/**
 * The words of the two letters (French, what a holder reads: domain.md, "The letters"),
 * as a page plan the drawing code lays out (letter-pages.ts). Everything a page prints is
 * decided here, from one letter; the drawing adds nothing but positions. The card letter's
 * plan holds no code; the PIN letter's holds the last 4 digits of the card number only.
 */

/** The agency as the letters name it (the sender block and the signature). */
export interface LetterSender {
  name: string;
  /** The agency's postal address, printed under its name (optional). */
  addressLines?: string[];
}

export const DEFAULT_SENDER: LetterSender = { name: 'Agence du numérique en santé — Service CPS' };

/** A block of the letter's body, drawn one after the other. */
export type BodyBlock =
  | { t: 'para'; text: string }
  /** A paragraph whose first words are bold. */
  | { t: 'lead'; lead: string; text: string }
  | { t: 'heading'; text: string }
  /** A framed paragraph the reader must not miss. */
  | { t: 'notice'; lead: string; text: string };

/** What one page prints. */
export interface PagePlan {
  kind: LetterKind;
  sender: LetterSender;
  helpdesk: string;
  barcode: string;
  address: string[];
  date: string;
  reference: string;
  object: string;
  greeting: string;
  /** The card letter: the facts printed beside the card's place. */
  facts?: Array<[label: string, value: string]>;
  /** The PIN letter: the card they open (not big) and the two codes (big), framed. */
  codes?: Array<{ label: string; value: string; big: boolean }>;
  /** Under the greeting, before the facts or the codes. */
  intro?: BodyBlock[];
  body: BodyBlock[];
  closing: string;
}

const NBSP = '\u00a0';
/** French typography: a no-break space before a colon. */
const colon = `${NBSP}:`;

export const CARD_TYPE_LABELS: Readonly<Record<CardType, string>> = {
  CPS: 'carte de professionnel de santé',
  CPF: 'carte de professionnel de santé en formation',
  CPE: 'carte de personnel d’établissement',
  CPA: 'carte de personnel autorisé',
};

const HELPDESK_HOURS = `24${NBSP}h/24, 7${NBSP}j/7`;
const FIRST_USE =
  'Insérez la carte dans un lecteur PC/SC ou dans un lecteur homologué SESAM-Vitale, puis saisissez votre code porteur à 4 chiffres.';
const CARD_MANAGER = 'le logiciel Gestionnaire de la carte CPS (outils Cryptolib CPS)';
const CLOSING = 'Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées.';

function common(kind: LetterKind, l: CardLetter | PinLetter, sender: LetterSender) {
  return {
    kind,
    sender,
    helpdesk: `Assistance ${HELPDESK_HOURS}${colon} ${l.helpdeskPhone}`,
    barcode: barcodeText(l),
    address: l.addressLines,
    date: `Le ${frenchDate(l.letterDate)}`,
    reference: `Réf.${colon} lot ${l.batchNumber}, pli n°${NBSP}${l.sequence}`,
    greeting: 'Madame, Monsieur,',
    closing: CLOSING,
  };
}

/** The card letter (the carrier the card is glued to): never a code. */
export function cardLetterPlan(l: CardLetter, sender: LetterSender): PagePlan {
  return {
    ...common('card', l, sender),
    object: `Objet${colon} votre carte ${l.cardType} (génération ${l.generation})`,
    intro: [{ t: 'para', text: 'Veuillez trouver ci-contre votre carte, établie à votre nom.' }],
    facts: [
      ['Titulaire', l.holderName],
      ['Profession', l.professionLabel],
      ['Carte', `${l.cardType} – ${CARD_TYPE_LABELS[l.cardType]}, génération ${l.generation}`],
      ['Numéro de carte', l.cardNumber],
      ['Validité', `du ${frenchDate(l.validFrom)}\nau ${frenchDate(l.validUntil)}`],
    ],
    body: [
      { t: 'heading', text: 'Première utilisation' },
      {
        t: 'para',
        text: `${FIRST_USE} Ce code vous est adressé dans un courrier séparé, envoyé un autre jour${NBSP}; le présent courrier ne contient aucun code.`,
      },
      { t: 'heading', text: 'Si la carte est bloquée' },
      {
        t: 'para',
        text:
          'Après 3 codes porteur erronés, la carte se bloque. Vous la débloquez vous-même avec le code de déblocage à 8 chiffres, ' +
          `qui figure dans le même courrier séparé, et ${CARD_MANAGER}. Sans ce courrier, appelez l’assistance au ${l.helpdeskPhone} (${HELPDESK_HOURS}).`,
      },
      { t: 'heading', text: 'Si cette carte en remplace une autre' },
      {
        t: 'para',
        text: `Votre ancienne carte est mise en opposition${colon} elle ne peut plus être utilisée. N’utilisez que cette nouvelle carte, la dernière reçue.`,
      },
    ],
  };
}

/** The PIN letter: the two codes, the card named by its type, generation and last 4 digits only. */
export function pinLetterPlan(l: PinLetter, sender: LetterSender): PagePlan {
  return {
    ...common('pin', l, sender),
    object: `Objet${colon} codes confidentiels de votre carte ${l.cardType}`,
    intro: [
      {
        t: 'para',
        text:
          `Voici les codes confidentiels de votre ${CARD_TYPE_LABELS[l.cardType]} (${l.cardType}), génération ${l.generation}. ` +
          'La carte vous est envoyée dans un courrier séparé.',
      },
    ],
    codes: [
      { label: 'Carte concernée', value: `${l.cardType}, génération ${l.generation}, se terminant par ${l.cardLast4}`, big: false },
      { label: 'Code porteur (4 chiffres)', value: l.pin, big: true },
      { label: 'Code de déblocage (8 chiffres)', value: l.puk, big: true },
    ],
    body: [
      { t: 'lead', lead: `Première utilisation${colon}`, text: FIRST_USE.replace('votre code porteur à 4 chiffres', 'le code porteur') },
      {
        t: 'lead',
        lead: `Après 3 codes porteur erronés${colon}`,
        text: `la carte se bloque. Débloquez-la vous-même avec le code de déblocage et ${CARD_MANAGER}.`,
      },
      {
        t: 'lead',
        lead: `Vous n’avez pas reçu votre carte${NBSP}?`,
        text:
          `Appelez l’assistance au ${l.helpdeskPhone} (${HELPDESK_HOURS})${colon} elle met cette carte en opposition, ` +
          'et une nouvelle carte vous est envoyée, avec de nouveaux codes dans un courrier séparé.',
      },
      {
        t: 'notice',
        lead: `Important${colon}`,
        text:
          'conservez ce courrier à part de votre carte, en lieu sûr, et ne notez jamais vos codes sur la carte. ' +
          'Ne communiquez vos codes à personne, pas même à l’assistance ou à l’Agence, qui ne vous les demanderont jamais.',
      },
    ],
  };
}
