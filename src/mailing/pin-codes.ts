import { randomInt } from 'node:crypto';

/**
 * The codes of a card (domain.md, "PIN and unblocking code"): a PIN of 4 digits and an
 * unblocking code (PUK) of 8, drawn from a CSPRNG. A weak PIN is drawn again: all digits
 * equal (0000), or a run of consecutive digits, ascending (1234) or descending (9876); the
 * holder's birth year is not known here, so no date rule. Every other PIN can be drawn,
 * with equal chances.
 *
 * Pure code: the random source is a parameter (crypto.randomInt by default) so that tests
 * can drive it; nothing here logs or keeps a code.
 */

export const PIN_LENGTH = 4;
export const PUK_LENGTH = 8;

/** An integer in [min, max): crypto.randomInt's contract. */
export type RandomInt = (min: number, max: number) => number;

export interface CardCodes {
  pin: string;
  puk: string;
}

/** Why a PIN is weak, or null when it is not (4 digits expected). */
export function pinWeakness(pin: string): 'same-digits' | 'ascending-run' | 'descending-run' | null {
  if (!new RegExp(`^\\d{${PIN_LENGTH}}$`).test(pin)) throw new RangeError(`expected ${PIN_LENGTH} digits`); // never the value itself
  const d = [...pin].map(Number);
  const steps = d.slice(1).map((x, i) => x - d[i]);
  if (steps.every((s) => s === 0)) return 'same-digits';
  if (steps.every((s) => s === 1)) return 'ascending-run';
  if (steps.every((s) => s === -1)) return 'descending-run';
  return null;
}

/** `n` as `length` digits. */
function digits(n: number, length: number): string {
  return String(n).padStart(length, '0');
}

/** A PIN that is not weak: uniform among the allowed ones (a weak draw is drawn again). */
export function drawPin(random: RandomInt = randomInt): string {
  for (;;) {
    const pin = digits(random(0, 10 ** PIN_LENGTH), PIN_LENGTH);
    if (pinWeakness(pin) === null) return pin;
  }
}

/** An unblocking code: 8 digits, uniform. */
export function drawPuk(random: RandomInt = randomInt): string {
  return digits(random(0, 10 ** PUK_LENGTH), PUK_LENGTH);
}

/** A card's codes, drawn together. */
export function drawCodes(random: RandomInt = randomInt): CardCodes {
  return { pin: drawPin(random), puk: drawPuk(random) };
}
