import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { rowsReturned } from '../database/returning';
import { CommonError } from '../errors/domain-error';
import { AuthFailures } from './auth-failures';
import { ConsoleRole } from './console-account.entity';
import { ConsoleAuthError } from './console-auth.errors';
import { accountLocked, refusalEntry, reserveAttempt, SignInRefusal } from './console-lockout';
import { PasswordChecks } from './password-checks';
import { PrincipalKind } from './principal.entity';
import {
  csrfTokenOf,
  isSecretShaped,
  newSecret,
  secretHash,
  sessionClearCookie,
  sessionCookieName,
  sessionSetCookie,
} from './session-cookie';
import { principalActor } from './tokens.service';
import { UnknownLogins } from './unknown-logins';

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

/** What one sign-in attempt came to. */
type Attempt =
  | { kind: 'matched'; account: AccountRow }
  /** Refused without a check of its password: the account (or unknown login) is locked until then. */
  | { kind: 'locked'; lockedUntil: Date }
  | Refused;

/** A refused attempt (of an account, or of a login that names none). */
type Refused = SignInRefusal & { kind: 'refused'; account?: AccountRow };

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
 * failed authentications (AuthFailures), as bad tokens do, and sign-ins under way count there
 * until they end.
 *
 * A sign-in reserves its attempt before its password is checked (console-lockout.ts): one
 * conditional UPDATE counts it in the account's failures (and locks the account when it is the
 * LOGIN_MAX_FAILURESth), and refuses it when the account is locked; a success sets the count
 * back to 0. So however
 * many sign-ins run at once, at most LOGIN_MAX_FAILURES passwords are checked per lock, and a
 * locked account answers 423 whatever the password. An unknown login, an account without a
 * password or disabled go the same way (the unknown logins counted in memory, UnknownLogins),
 * each step spending a password check of the same cost, so that no answer tells which logins
 * exist.
 */
@Injectable()
export class ConsoleSessionsService {
  private readonly log = new Logger('ConsoleSessions');
  /** Hashes of the secrets this instance has seen valid, oldest first. */
  private readonly knownValid = new Set<string>();
  private readonly unknownLogins: UnknownLogins;
  /** The session cookie's name and its Set-Cookie headers (`__Host-cps_session` when Secure). */
  readonly cookie: { name: string; set(secret: string): string; clear(): string };

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly failures: AuthFailures,
    @Inject(APP_CONFIG)
    private readonly cfg: Pick<
      AppConfig,
      'SESSION_IDLE_MINUTES' | 'SESSION_MAX_HOURS' | 'LOGIN_MAX_FAILURES' | 'LOGIN_LOCKOUT_MINUTES' | 'SESSION_COOKIE_SECURE'
    >,
    private readonly clock: Clock,
    private readonly checks: PasswordChecks,
  ) {
    this.unknownLogins = new UnknownLogins(cfg.LOGIN_MAX_FAILURES, cfg.LOGIN_LOCKOUT_MINUTES * 60_000);
    const secure = cfg.SESSION_COOKIE_SECURE;
    this.cookie = {
      name: sessionCookieName(secure),
      set: (secret) => sessionSetCookie(secret, secure),
      clear: () => sessionClearCookie(secure),
    };
  }

  /**
   * Signs in with a login (a principal's name or an account's email, whatever the case) and a
   * password: the new session's secret (for the cookie) and its view. A wrong password, an
   * unknown login, an account without a password or disabled: 401 invalid_credentials; the
   * LOGIN_MAX_FAILURESth of them and any attempt while locked: 423 account_locked. 429 past the
   * address's budget, 503 too_busy when too many sign-ins wait for a password check.
   */
  async signIn(login: string, password: string, client: string): Promise<{ secret: string; session: SessionView }> {
    if (this.failures.isOver(client)) {
      await this.failures.refused();
      throw new CommonError('too_many_requests', 'too many failed authentications from this address: try again in a minute', 429);
    }
    const ended = this.failures.begin(client);
    let outcome: Attempt;
    try {
      outcome = await this.checks.run(() => this.attempt(login.trim(), password));
    } finally {
      ended();
    }
    if (outcome.kind === 'matched') return this.open(outcome.account, client);
    this.failures.record(client);
    if (outcome.kind === 'locked') throw this.locked(outcome.lockedUntil);
    if (outcome.account) await this.audit.append(this.ds.manager, refusalEntry(outcome.account.principal_id, outcome, client));
    else this.log.warn({ client, locked: !!outcome.locks }, 'console sign-in refused: unknown login');
    if (outcome.locks) throw this.locked(outcome.locks);
    throw new ConsoleAuthError('invalid_credentials', 'wrong login or password', 401);
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

  private locked(until: Date): ConsoleAuthError {
    return accountLocked(until, this.clock.now(), this.cfg.LOGIN_MAX_FAILURES);
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
   * One sign-in's look-up, reservation and password check (in a PasswordChecks slot): the
   * account whose password matched, or why not. Every path spends one password check.
   */
  private async attempt(login: string, password: string): Promise<Attempt> {
    const account = await this.accountOf(login);
    const now = this.clock.now();
    if (!account) {
      const r = this.unknownLogins.reserve(login, now);
      await this.checks.spend(password);
      return 'lockedUntil' in r ? { kind: 'locked', lockedUntil: r.lockedUntil } : { kind: 'refused', reason: 'unknown login', ...r };
    }
    const r = await reserveAttempt(this.ds.manager, account.principal_id, now, this.cfg);
    if ('lockedUntil' in r) {
      await this.checks.spend(password);
      return { kind: 'locked', lockedUntil: r.lockedUntil };
    }
    if (account.disabled_at || !account.password_hash) {
      await this.checks.spend(password);
      return { kind: 'refused', account, reason: account.disabled_at ? 'disabled' : 'no password set', ...r };
    }
    if (await this.checks.verify(account.password_hash, password)) return { kind: 'matched', account };
    return { kind: 'refused', account, reason: 'wrong password', ...r };
  }

  /** A new session for an account whose password was just checked. */
  private async open(account: AccountRow, client: string): Promise<{ secret: string; session: SessionView }> {
    const secret = newSecret();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.cfg.SESSION_MAX_HOURS * 3_600_000);
    const id = await this.ds.transaction(async (em) => {
      // The account may have been disabled or given a new password while the password was checked. Its
      // attempt was reserved before the check: a lock taken meanwhile by other attempts ends with the count.
      const [still] = await rowsReturned<{ principal_id: string }>(
        em,
        `UPDATE console_account SET failed_attempts = 0, locked_until = NULL, last_login_at = $2
          WHERE principal_id = $1 AND disabled_at IS NULL AND password_hash = $3
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
