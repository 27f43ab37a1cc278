/**
 * The expiry sweep's guard: a sweep that would oppose more than EXPIRY_MAX_SHARE of the
 * valid cards (a wrong date, a card base imported with wrong ends of validity) is held,
 * nothing opposed, until someone at the host confirms it. The first sweep after a card
 * base import may legitimately be that large: it is confirmed once.
 *
 * Pure code: no framework, no database.
 */

export interface ExpiryScope {
  /** Cards not opposed whose end of validity is before the sweep's day. */
  cardsDue: number;
  /** Every card not opposed. */
  validCards: number;
  /** cardsDue / validCards (0 when there is no valid card). */
  share: number;
  /** EXPIRY_MAX_SHARE. */
  maxShare: number;
  /** True when the sweep opposes more than maxShare of the valid cards. */
  massChange: boolean;
}

export function expiryScope(cardsDue: number, validCards: number, maxShare: number): ExpiryScope {
  const share = validCards > 0 ? Math.round((cardsDue / validCards) * 1e6) / 1e6 : 0;
  return { cardsDue, validCards, share, maxShare, massChange: validCards > 0 && cardsDue / validCards > maxShare };
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}

/** The command that confirms a held sweep (someone at the host). */
export function confirmCommand(asOf: string): string {
  return `expiry:run --as-of ${asOf} --confirm-mass-change`;
}

/** Why a sweep is held, and how to confirm it. */
export function heldReason(asOf: string, s: ExpiryScope): string {
  return (
    `the expiry sweep as of ${asOf} would oppose ${s.cardsDue} of ${s.validCards} valid cards (${percent(s.share)}, ` +
    `more than the ${percent(s.maxShare)} allowed by EXPIRY_MAX_SHARE): held, nothing opposed. Check the date and the card base ` +
    `(the first sweep after a card base import is large); if the expiry is real, someone at the host confirms it: ${confirmCommand(asOf)}`
  );
}
