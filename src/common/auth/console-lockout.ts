import { EntityManager } from 'typeorm';
import { AuditRecord } from '../audit/audit.service';
import { AppConfig } from '../config/config';
import { rowsReturned } from '../database/returning';
import { ConsoleAuthError } from './console-auth.errors';

/**
 * The lockout of console accounts: a sign-in attempt is reserved before its password is checked,
 * so that parallel attempts cannot all pass a lock read before any of them failed; the audit
 * entries of refusals, at most LOGIN_MAX_FAILURES per lock; the 423 a locked account answers.
 */

/** A refused sign-in: why, its number in the count of failures, and the lock it set (the LOGIN_MAX_FAILURESth). */
export interface SignInRefusal {
  reason: 'unknown login' | 'disabled' | 'no password set' | 'wrong password';
  attempt: number;
  locks: Date | null;
}

/**
 * Reserves a sign-in attempt on an account: counts it in failed_attempts (from 0 again once a lock
 * has passed) and, at LOGIN_MAX_FAILURES, locks the account for LOGIN_LOCKOUT_MINUTES; one
 * UPDATE, which refuses while the account is locked (then: the end of the lock). A success sets
 * the count back to 0 (ConsoleSessionsService.open).
 */
export async function reserveAttempt(
  em: Pick<EntityManager, 'query'>,
  principalId: string,
  now: Date,
  cfg: Pick<AppConfig, 'LOGIN_MAX_FAILURES' | 'LOGIN_LOCKOUT_MINUTES'>,
): Promise<{ lockedUntil: Date } | Pick<SignInRefusal, 'attempt' | 'locks'>> {
  const until = new Date(now.getTime() + cfg.LOGIN_LOCKOUT_MINUTES * 60_000);
  const [row] = await rowsReturned<{ failed_attempts: number; locked_until: Date | null }>(
    em,
    `UPDATE console_account
        SET failed_attempts = (CASE WHEN locked_until <= $2 THEN 0 ELSE failed_attempts END) + 1,
            locked_until = CASE WHEN (CASE WHEN locked_until <= $2 THEN 0 ELSE failed_attempts END) + 1 >= $3
                                THEN $4::timestamptz END
      WHERE principal_id = $1 AND (locked_until IS NULL OR locked_until <= $2)
      RETURNING failed_attempts, locked_until`,
    [principalId, now, cfg.LOGIN_MAX_FAILURES, until],
  );
  if (row) return { attempt: row.failed_attempts, locks: row.locked_until };
  const [held]: Array<{ locked_until: Date | null }> = await em.query(`SELECT locked_until FROM console_account WHERE principal_id = $1`, [
    principalId,
  ]);
  return { lockedUntil: held?.locked_until ?? until };
}

/**
 * The audit entry of a refused attempt on an account: `user.sign_in_refused`, or for the attempt
 * that locked it one `user.locked` entry (how many failures led to it, the address). An attempt
 * refused while the account is locked has none: a flood of them writes nothing.
 */
export function refusalEntry(principalId: string, refused: SignInRefusal, client: string): AuditRecord {
  const details = { reason: refused.reason, client, failedAttempts: refused.attempt };
  if (refused.locks) {
    return {
      actor: 'system:console',
      action: 'user.locked',
      entity: 'console_account',
      entityId: principalId,
      details: { ...details, lockedUntil: refused.locks },
    };
  }
  // Whoever tried is not known to be the account's person: the entry names the address.
  return { actor: `client:${client}`, action: 'user.sign_in_refused', entity: 'console_account', entityId: principalId, details };
}

/** 423 account_locked, saying in how many minutes the lock ends. */
export function accountLocked(until: Date, now: Date, maxFailures: number): ConsoleAuthError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return new ConsoleAuthError(
    'account_locked',
    `this account is locked after ${maxFailures} failed sign-ins: it unlocks in ${minutes} minute${minutes > 1 ? 's' : ''} ` +
      '(or when a new password is set)',
    423,
    { unlocksInMinutes: minutes, lockedUntil: until.toISOString() },
  );
}
