import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { rowsReturned } from '../database/returning';
import { CommonError } from '../errors/domain-error';
import { AuthFailures } from './auth-failures';
import { ConsoleRole } from './console-account.entity';
import { ConsoleAuthError } from './console-auth.errors';
import { passwordMatches, spendPasswordCheck } from './console-passwords';
import { PrincipalKind } from './principal.entity';
import { csrfTokenOf, isSecretShaped, newSecret, secretHash } from './session-cookie';
import { principalActor } from './tokens.service';

/** What GET and POST /api/v1/session answer. */
export interface SessionView {
  principal: { id: string; name: string; email: string | null };
  roles: ConsoleRole[];
  csrfToken: string;
  idleTimeoutSeconds: number;
  expiresAt: Date;
}

/** A live session, as a request's cookie names it. */
export interface ActiveSession {
  id: string;
  principalId: string;
  name: string;
  kind: PrincipalKind;
  email: string | null;
  roles: ConsoleRole[];
  expiresAt: Date;
}

/** last_seen_at is written at most this often per session (the idle timeout is counted in minutes). */
export const LAST_SEEN_EVERY_MS = 15_000;
/** Sessions ended by time stay this long after their end (GET answers session_expired, not unauthenticated), then go. */
const EXPIRED_KEPT_MS = 24 * 3_600_000;
/** How many hashes of secrets once seen valid a process remembers (as TokensService does for tokens). */
const KNOWN_VALID_MAX = 10_000;

interface AccountRow {
  principal_id: string;
  name: string;
  kind: PrincipalKind;
  email: string | null;
  roles: ConsoleRole[];
  password_hash: string | null;
  locked_until: Date | null;
  disabled_at: Date | null;
}

/**
 * Console sessions: sign-in with a password (argon2id), lockout after LOGIN_MAX_FAILURES
 * consecutive failures, a random cookie secret of which only the SHA-256 is stored, idle
 * (SESSION_IDLE_MINUTES) and absolute (SESSION_MAX_HOURS) expiry on the one clock, and the
 * CSRF token derived from the secret. Failed sign-ins count in the per-address budget of
 * failed authentications (AuthFailures), as bad tokens do.
 */
@Injectable()
export class ConsoleSessionsService {
  private readonly log = new Logger('ConsoleSessions');
  /** Hashes of the secrets this instance has seen valid, oldest first. */
  private readonly knownValid = new Set<string>();

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly failures: AuthFailures,
    @Inject(APP_CONFIG)
    private readonly cfg: Pick<AppConfig, 'SESSION_IDLE_MINUTES' | 'SESSION_MAX_HOURS' | 'LOGIN_MAX_FAILURES' | 'LOGIN_LOCKOUT_MINUTES'>,
    private readonly clock: Clock,
  ) {}

  /**
   * Signs in with a login (a principal's name or an account's email, whatever the case) and a
   * password: the new session's secret (for the cookie) and its view. A wrong password, an
   * unknown login, an account without a password or disabled: 401 invalid_credentials, after a
   * password check of the same cost. A locked account: 423 account_locked.
   */
  async signIn(login: string, password: string, client: string): Promise<{ secret: string; session: SessionView }> {
    if (this.failures.isOver(client)) {
      await this.failures.refused();
      throw new CommonError('too_many_requests', 'too many failed authentications from this address: try again in a minute', 429);
    }
    const invalid = () => new ConsoleAuthError('invalid_credentials', 'wrong login or password', 401);
    const account = await this.accountOf(login.trim());
    if (!account) {
      await spendPasswordCheck(password);
      this.failures.record(client);
      this.log.warn({ client }, 'console sign-in refused: unknown login');
      throw invalid();
    }
    const now = this.clock.now();
    // Whoever tried is not known to be the account's person: the entry names the address.
    const refused = (reason: string, more: Record<string, unknown> = {}): AuditRecord => ({
      actor: `client:${client}`,
      action: 'user.sign_in_refused',
      entity: 'console_account',
      entityId: account.principal_id,
      details: { reason, client, ...more },
    });
    if (account.disabled_at || !account.password_hash) {
      await spendPasswordCheck(password);
      this.failures.record(client);
      await this.audit.appendMany(this.ds.manager, [refused(account.disabled_at ? 'disabled' : 'no password set')]);
      throw invalid();
    }
    if (account.locked_until && account.locked_until > now) {
      this.failures.record(client);
      await this.audit.appendMany(this.ds.manager, [refused('locked', { lockedUntil: account.locked_until })]);
      throw this.locked(account.locked_until, now);
    }
    if (!(await passwordMatches(account.password_hash, password))) {
      this.failures.record(client);
      const lockedUntil = await this.countFailure(account, now, refused);
      if (lockedUntil) throw this.locked(lockedUntil, now);
      throw invalid();
    }
    return this.open(account, client);
  }

  /**
   * The session a cookie's secret names, renewing its last use (at most every LAST_SEEN_EVERY_MS);
   * 'unknown' (no such session: never was, signed out, ended by a new password or a disabling)
   * or 'expired' (idle past SESSION_IDLE_MINUTES, or past its SESSION_MAX_HOURS).
   */
  async check(secret: string): Promise<ActiveSession | 'unknown' | 'expired'> {
    if (!isSecretShaped(secret)) return 'unknown';
    const h = secretHash(secret);
    const [row]: Array<{
      id: string;
      principal_id: string;
      name: string;
      kind: PrincipalKind;
      email: string | null;
      roles: ConsoleRole[];
      last_seen_at: Date;
      expires_at: Date;
      disabled_at: Date | null;
    }> = await this.ds.query(
      `SELECT s.id, s.principal_id, p.name, p.kind, a.email, a.roles, s.last_seen_at, s.expires_at, a.disabled_at
         FROM console_session s
         JOIN console_account a ON a.principal_id = s.principal_id
         JOIN principal p ON p.id = s.principal_id
        WHERE s.secret_hash = $1`,
      [h],
    );
    if (!row || row.disabled_at) {
      this.knownValid.delete(h);
      return 'unknown';
    }
    const now = this.clock.now();
    if (now >= row.expires_at || now.getTime() - row.last_seen_at.getTime() > this.idleMs()) return 'expired';
    if (now.getTime() - row.last_seen_at.getTime() >= LAST_SEEN_EVERY_MS) {
      await this.ds.query(`UPDATE console_session SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`, [row.id, now]);
    }
    this.rememberValid(h);
    return {
      id: row.id,
      principalId: row.principal_id,
      name: row.name,
      kind: row.kind,
      email: row.email,
      roles: row.roles,
      expiresAt: row.expires_at,
    };
  }

  /** Whether this instance has seen this secret valid (over its address's budget, only such secrets are still looked up). */
  wasValid(secret: string): boolean {
    return this.knownValid.has(secretHash(secret));
  }

  /** What GET /api/v1/session answers for a live session. */
  viewOf(session: ActiveSession, secret: string): SessionView {
    return {
      principal: { id: session.principalId, name: session.name, email: session.email },
      roles: session.roles,
      csrfToken: csrfTokenOf(secret),
      idleTimeoutSeconds: this.cfg.SESSION_IDLE_MINUTES * 60,
      expiresAt: session.expiresAt,
    };
  }

  /** Ends the session a secret names (signed out by its person); nothing when there is none. */
  async signOut(secret: string): Promise<void> {
    if (!isSecretShaped(secret)) return;
    const h = secretHash(secret);
    this.knownValid.delete(h);
    await this.ds.transaction(async (em) => {
      const [ended] = await rowsReturned<{ id: string; principal_id: string; expires_at: Date; last_seen_at: Date }>(
        em,
        `DELETE FROM console_session WHERE secret_hash = $1 RETURNING id, principal_id, expires_at, last_seen_at`,
        [h],
      );
      if (!ended) return;
      const [p]: Array<{ name: string }> = await em.query(`SELECT name FROM principal WHERE id = $1`, [ended.principal_id]);
      await this.audit.append(em, {
        actor: principalActor(p),
        action: 'user.signed_out',
        entity: 'console_account',
        entityId: ended.principal_id,
        details: { session: ended.id },
      });
    });
  }

  /** Forgets a session that ended by time (its cookie is cleared at sign-out). */
  async forget(secret: string): Promise<void> {
    if (!isSecretShaped(secret)) return;
    await this.ds.query(`DELETE FROM console_session WHERE secret_hash = $1`, [secretHash(secret)]);
  }

  private idleMs(): number {
    return this.cfg.SESSION_IDLE_MINUTES * 60_000;
  }

  /** The account a login names: a principal's name first, else an account's email. */
  private async accountOf(login: string): Promise<AccountRow | undefined> {
    if (!login) return undefined;
    const rows: AccountRow[] = await this.ds.query(
      `SELECT a.principal_id, p.name, p.kind, a.email, a.roles, a.password_hash, a.locked_until, a.disabled_at
         FROM console_account a JOIN principal p ON p.id = a.principal_id
        WHERE lower(p.name) = lower($1) OR lower(a.email) = lower($1)
        ORDER BY lower(p.name) = lower($1) DESC
        LIMIT 1`,
      [login],
    );
    return rows[0];
  }

  /**
   * One more consecutive failure of an account (with its audit entry); at LOGIN_MAX_FAILURES it
   * is locked for LOGIN_LOCKOUT_MINUTES (the count starts again): the end of that lock, else null.
   */
  private async countFailure(
    account: AccountRow,
    now: Date,
    refused: (reason: string, more?: Record<string, unknown>) => AuditRecord,
  ): Promise<Date | null> {
    const until = new Date(now.getTime() + this.cfg.LOGIN_LOCKOUT_MINUTES * 60_000);
    return this.ds.transaction(async (em) => {
      const [row] = await rowsReturned<{ failed_attempts: number; locked_until: Date | null }>(
        em,
        `UPDATE console_account
            SET failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
                locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
          WHERE principal_id = $1 AND (locked_until IS NULL OR locked_until <= $4)
          RETURNING failed_attempts, locked_until`,
        [account.principal_id, this.cfg.LOGIN_MAX_FAILURES, until, now],
      );
      // No row: another sign-in locked it meanwhile.
      if (!row) {
        await this.audit.append(em, refused('locked'));
        const [{ locked_until }]: Array<{ locked_until: Date }> = await em.query(
          `SELECT locked_until FROM console_account WHERE principal_id = $1`,
          [account.principal_id],
        );
        return locked_until;
      }
      const lockedNow = row.locked_until?.getTime() === until.getTime();
      const audits = [refused('wrong password', { failedAttempts: lockedNow ? this.cfg.LOGIN_MAX_FAILURES : row.failed_attempts })];
      if (lockedNow) {
        audits.push({
          actor: 'system:console',
          action: 'user.locked',
          entity: 'console_account',
          entityId: account.principal_id,
          details: { failedAttempts: this.cfg.LOGIN_MAX_FAILURES, lockedUntil: until },
        });
      }
      await this.audit.appendMany(em, audits);
      return lockedNow ? until : null;
    });
  }

  private locked(until: Date, now: Date): ConsoleAuthError {
    const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
    return new ConsoleAuthError(
      'account_locked',
      `this account is locked after ${this.cfg.LOGIN_MAX_FAILURES} failed sign-ins: it unlocks in ${minutes} minute${minutes > 1 ? 's' : ''} ` +
        '(or when a new password is set)',
      423,
      { unlocksInMinutes: minutes, lockedUntil: until.toISOString() },
    );
  }

  /** A new session for an account whose password was just checked. */
  private async open(account: AccountRow, client: string): Promise<{ secret: string; session: SessionView }> {
    const secret = newSecret();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.cfg.SESSION_MAX_HOURS * 3_600_000);
    const id = await this.ds.transaction(async (em) => {
      // The account may have been disabled, locked or given a new password while the password was checked.
      const [still] = await rowsReturned<{ principal_id: string }>(
        em,
        `UPDATE console_account SET failed_attempts = 0, locked_until = NULL, last_login_at = $2
          WHERE principal_id = $1 AND disabled_at IS NULL AND (locked_until IS NULL OR locked_until <= $2) AND password_hash = $3
          RETURNING principal_id`,
        [account.principal_id, now, account.password_hash],
      );
      if (!still) return null;
      await em.query(`DELETE FROM console_session WHERE expires_at < $1`, [new Date(now.getTime() - EXPIRED_KEPT_MS)]);
      const [row]: Array<{ id: string }> = await em.query(
        `INSERT INTO console_session (principal_id, secret_hash, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $3, $4) RETURNING id`,
        [account.principal_id, secretHash(secret), now, expiresAt],
      );
      await this.audit.append(em, {
        actor: principalActor(account),
        action: 'user.signed_in',
        entity: 'console_account',
        entityId: account.principal_id,
        details: { session: row.id, client },
      });
      return row.id;
    });
    if (!id) throw new ConsoleAuthError('invalid_credentials', 'wrong login or password', 401);
    this.rememberValid(secretHash(secret));
    const session: ActiveSession = {
      id,
      principalId: account.principal_id,
      name: account.name,
      kind: account.kind,
      email: account.email,
      roles: account.roles,
      expiresAt,
    };
    return { secret, session: this.viewOf(session, secret) };
  }

  private rememberValid(h: string): void {
    this.knownValid.delete(h);
    if (this.knownValid.size >= KNOWN_VALID_MAX) {
      const oldest = this.knownValid.values().next().value;
      if (oldest !== undefined) this.knownValid.delete(oldest);
    }
    this.knownValid.add(h);
  }
}
