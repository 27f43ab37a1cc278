/**
 * Failed sign-ins of logins that name no account, counted as an account's are (pure, per
 * process): after `maxFailures` the login is "locked" for `lockMs`, so that an unknown login
 * answers a burst of guesses as a known one does (401, then 423) and the lockout tells nothing
 * about which logins exist. At most `capacity` logins are remembered, the least recently tried
 * forgotten first.
 */
export class UnknownLogins {
  private readonly logins = new Map<string, { failures: number; lockedUntil: number | null }>();

  constructor(
    private readonly maxFailures: number,
    private readonly lockMs: number,
    private readonly capacity = 10_000,
  ) {}

  /**
   * Counts an attempt on `login` (its case and surrounding spaces ignored) at `now`: the end of
   * its lock when it is locked (nothing counted), else the attempt's number in the count and the
   * lock it set (at `maxFailures`), as an account's reservation answers.
   */
  reserve(login: string, now: Date): { lockedUntil: Date } | { attempt: number; locks: Date | null } {
    const key = login.trim().toLowerCase();
    const t = now.getTime();
    const entry = this.logins.get(key);
    if (entry?.lockedUntil && entry.lockedUntil > t) return { lockedUntil: new Date(entry.lockedUntil) };
    const failures = (entry && !entry.lockedUntil ? entry.failures : 0) + 1;
    const lockedUntil = failures >= this.maxFailures ? t + this.lockMs : null;
    this.logins.delete(key); // re-inserted as the most recent
    if (this.logins.size >= this.capacity) {
      const oldest = this.logins.keys().next().value;
      if (oldest !== undefined) this.logins.delete(oldest);
    }
    this.logins.set(key, { failures, lockedUntil });
    return { attempt: failures, locks: lockedUntil === null ? null : new Date(lockedUntil) };
  }
}
