/**
 * The guard of runs that change many rows at once (a registry import that ceases
 * professionals, an expiry sweep that opposes cards): past a configured share of the base
 * (RPPS_MASS_CHANGE_RATIO, EXPIRY_MAX_SHARE) the run is held, nothing done, until someone
 * confirms it. Both compute, word and report it here, the same way.
 *
 * Pure code: no framework, no database.
 */

/** How a run that would change `count` of `base` stands against `maxShare`. */
export interface MassChange {
  /** count / base, to 6 decimals (0 when the base is empty). */
  share: number;
  /** The configured share (RPPS_MASS_CHANGE_RATIO, EXPIRY_MAX_SHARE). */
  maxShare: number;
  /** More than maxShare of the base: the run is held unless it was confirmed. */
  held: boolean;
  /** Held: why, how many, the share, the setting, what to check and how to confirm. */
  reason?: string;
}

/** The words of a held run's reason. */
export interface MassChangeWording {
  /** What the run would do, e.g. `this import would cease`. */
  would: string;
  /** What `base` counts, e.g. `professionals`. */
  of: string;
  /** The setting of maxShare, e.g. `RPPS_MASS_CHANGE_RATIO`. */
  setting: string;
  /** What was not done, e.g. `nothing applied`. */
  nothingDone: string;
  /** What to check first, e.g. `Check the file (a truncated extract?)`. */
  check: string;
  /** Who confirms it and how (the command or route; also the result's `confirmWith`). */
  confirmBy: string;
  confirmWith: string;
}

export function massChange(count: number, base: number, maxShare: number, wording: MassChangeWording): MassChange {
  const share = base > 0 ? Math.round((count / base) * 1e6) / 1e6 : 0;
  const held = base > 0 && count / base > maxShare;
  if (!held) return { share, maxShare, held };
  const w = wording;
  return {
    share,
    maxShare,
    held,
    reason:
      `${w.would} ${count} of ${base} ${w.of} (${percent(share)}, more than the ${percent(maxShare)} allowed by ${w.setting}): ` +
      `held, ${w.nothingDone}. ${w.check}; if the change is real, ${w.confirmBy} confirms it: ${w.confirmWith}`,
  };
}

/** A share as a percentage, with 3 decimals for a very small one. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}

/**
 * What a result and its audit entry say of a mass change that was confirmed (the same
 * text in both): who confirmed it, and where.
 */
export function massChangeConfirmed(what: string, c: { where: 'host' | 'api'; by: string; heldId?: string }): string {
  return c.where === 'host'
    ? `${what} confirmed at the host by ${c.by} (--confirm-mass-change)`
    : `${what}${c.heldId ? ` of held import ${c.heldId}` : ''} confirmed over the API by ${c.by}`;
}
