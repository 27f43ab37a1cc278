import { availableParallelism } from 'node:os';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConsoleAuthError } from './console-auth.errors';
import { passwordMatches, spendPasswordCheck } from './console-passwords';

export interface PasswordCheckLimits {
  /** Password checks running at once. */
  inFlight: number;
  /** Sign-ins waiting for one of them; past it, 503 too_busy. */
  queue: number;
}

/** Overrides the limits (tests); by default, one check per core and a queue of 32. */
export const PASSWORD_CHECK_LIMITS = Symbol('PASSWORD_CHECK_LIMITS');
export const PASSWORD_CHECK_QUEUE = 32;
/** What Retry-After says to a sign-in refused with too_busy. */
export const TOO_BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * The process's password checks. Each argon2id check holds a thread of libuv's pool (4 by
 * default, shared with file reads, DNS look-ups and zlib) and 19 MiB for tens of milliseconds:
 * at most `inFlight` run at once (one per core), `queue` more sign-ins wait their turn, and
 * past that a sign-in is refused at once with 503 too_busy and Retry-After, before any look-up.
 * A sign-in holds its slot from its account's look-up to the end of its check, so an attempt
 * that waits reserves nothing. One per process (the auth module's); it counts the checks run.
 */
@Injectable()
export class PasswordChecks {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly limits: PasswordCheckLimits;
  /** Checks run: against an account's hash (`verified`), and against a hash of nothing (`spent`: unknown login, locked, no password). */
  readonly ran = { verified: 0, spent: 0 };

  constructor(@Optional() @Inject(PASSWORD_CHECK_LIMITS) limits?: PasswordCheckLimits) {
    this.limits = limits ?? { inFlight: availableParallelism(), queue: PASSWORD_CHECK_QUEUE };
  }

  /** Runs `work` (a sign-in's look-up and check) in a slot, once one is free; 503 too_busy when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  /** Whether `password` matches an account's hash. */
  verify(hashed: string, password: string): Promise<boolean> {
    this.ran.verified += 1;
    return passwordMatches(hashed, password);
  }

  /** A check of the same cost that fails (see spendPasswordCheck). */
  spend(password: string): Promise<false> {
    this.ran.spent += 1;
    return spendPasswordCheck(password);
  }

  private enter(): Promise<void> {
    if (this.running < this.limits.inFlight) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.queue) {
      return Promise.reject(
        new ConsoleAuthError(
          'too_busy',
          `too many sign-ins at once: try again in ${TOO_BUSY_RETRY_AFTER_SECONDS} seconds`,
          503,
        ).withHeaders({
          'Retry-After': String(TOO_BUSY_RETRY_AFTER_SECONDS),
        }),
      );
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private leave(): void {
    const next = this.waiting.shift();
    // The slot passes to the next sign-in waiting, else it is free.
    if (next) next();
    else this.running -= 1;
  }
}
