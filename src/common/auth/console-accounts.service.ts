import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { rowsReturned } from '../database/returning';
import { CommonError } from '../errors/domain-error';
import { CONSOLE_ROLES, ConsoleRole } from './console-account.entity';
import { ConsoleAuthError } from './console-auth.errors';
import { hashPassword, passwordProblem } from './console-passwords';
import { principalNamed, principalNameProblem } from './principals';
import { isSecretShaped, newSecret, secretHash } from './session-cookie';
import { principalActor, revokeTokensOf } from './tokens.service';

export interface CreateUser {
  /** Role names as given (each checked: batch is refused, it is for machines). */
  roles: readonly string[];
  /** The principal's name: a name seen before (whatever its case) is the same principal, which must be a person. */
  name: string;
  email?: string;
}

/** A set-password link just issued: the token is in the URL's fragment, shown once; only its SHA-256 is kept. */
export interface IssuedLink {
  principal: string;
  setPasswordUrl: string;
  linkExpiresAt: Date;
}

export interface UserView {
  principal: string;
  email: string | null;
  roles: ConsoleRole[];
  createdAt: Date;
  lastLoginAt: Date | null;
  /** While the account is locked (null once the lock has passed). */
  lockedUntil: Date | null;
  disabledAt: Date | null;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const EMAIL_MAX = 254;

/**
 * Console accounts: made for a person by `users:create`, who then sets a password through a
 * one-time link; `users:reset-password` issues a new link (the old link, the password and the
 * sessions stop working), `users:disable` ends the account, its sessions and its person's tokens at once.
 */
@Injectable()
export class ConsoleAccountsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly cfg: Pick<AppConfig, 'CONSOLE_URL' | 'USER_LINK_HOURS'>,
    private readonly clock: Clock,
  ) {}

  async create(c: CreateUser, actor: string): Promise<IssuedLink> {
    const problems: string[] = [];
    const roles = [...new Set(c.roles.map((r) => r.trim()).filter((r) => r !== ''))];
    if (!roles.length) problems.push(`role: at least one of ${CONSOLE_ROLES.join(', ')}`);
    for (const r of roles) {
      if (r === 'batch') problems.push(`role: batch is for machines (a bearer token, tokens:create), not for a person's console account`);
      else if (!(CONSOLE_ROLES as readonly string[]).includes(r))
        problems.push(`role: unknown role "${r}"; expected ${CONSOLE_ROLES.join(', ')}`);
    }
    const name = (c.name ?? '').trim();
    const nameProblem = principalNameProblem(name);
    if (nameProblem) problems.push(nameProblem);
    const email = c.email === undefined ? null : c.email.trim();
    if (email !== null && !(email.length <= EMAIL_MAX && EMAIL.test(email)))
      problems.push('email: expected an address such as claire.martin@example.fr');
    if (problems.length) throw new CommonError('validation_failed', problems.join('; '));
    return this.ds.transaction(async (em) => {
      const { principal, created } = await principalNamed(em, name, 'person');
      if (principal.kind !== 'person') {
        throw new CommonError('validation_failed', `name: "${principal.name}" is a system account; console accounts belong to persons`);
      }
      await this.refuseLoginClash(em, principal, email);
      const link = this.newLink();
      const inserted: unknown[] = await em.query(
        `INSERT INTO console_account (principal_id, roles, email, password_link_hash, password_link_expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (principal_id) DO NOTHING RETURNING principal_id`,
        [principal.id, roles, email, link.hash, link.expiresAt, this.clock.now()],
      );
      if (!inserted.length) {
        throw new ConsoleAuthError(
          'user_exists',
          `"${principal.name}" already has a console account: users:reset-password "${principal.name}" gives a new set-password link`,
          409,
        );
      }
      const audits: AuditRecord[] = [];
      if (created) {
        audits.push({ actor, action: 'principal.created', entity: 'principal', entityId: principal.id, details: { name, kind: 'person' } });
      }
      audits.push(
        {
          actor,
          action: 'user.created',
          entity: 'console_account',
          entityId: principal.id,
          details: { principal: principal.name, roles, email },
        },
        { actor, action: 'user.link_issued', entity: 'console_account', entityId: principal.id, details: { expiresAt: link.expiresAt } },
      );
      await this.audit.appendMany(em, audits);
      return { principal: principal.name, setPasswordUrl: link.url, linkExpiresAt: link.expiresAt };
    });
  }

  /** A new link; the old link, the password and the account's sessions stop working. A disabled account stays disabled. */
  async resetPassword(name: string, actor: string): Promise<IssuedLink> {
    return this.ds.transaction(async (em) => {
      const account = await this.accountNamed(em, name);
      if (account.disabled_at) {
        throw new ConsoleAuthError('user_disabled', `the console account of "${account.name}" is disabled; it gets no new password`, 409);
      }
      const link = this.newLink();
      await em.query(
        `UPDATE console_account SET password_hash = NULL, password_link_hash = $2, password_link_expires_at = $3 WHERE principal_id = $1`,
        [account.principal_id, link.hash, link.expiresAt],
      );
      const ended = await this.endSessions(em, account.principal_id);
      await this.audit.append(em, {
        actor,
        action: 'user.link_issued',
        entity: 'console_account',
        entityId: account.principal_id,
        details: { expiresAt: link.expiresAt, passwordCleared: true, sessionsEnded: ended },
      });
      return { principal: account.name, setPasswordUrl: link.url, linkExpiresAt: link.expiresAt };
    });
  }

  async list(): Promise<UserView[]> {
    return this.ds.query(
      `SELECT p.name AS principal, a.email, a.roles, a.created_at AS "createdAt", a.last_login_at AS "lastLoginAt",
              CASE WHEN a.locked_until > $1 THEN a.locked_until END AS "lockedUntil", a.disabled_at AS "disabledAt"
         FROM console_account a JOIN principal p ON p.id = a.principal_id
        ORDER BY lower(p.name)`,
      [this.clock.now()],
    );
  }

  /**
   * Disables an account (again: no change): it signs in no more, its sessions and its link end at
   * once, and the principal's bearer tokens of a person's roles (every role but batch, a machine's)
   * are revoked (`tokensRevoked`: how many were not yet), each with its own audit entry.
   */
  async disable(name: string, actor: string): Promise<{ disabled: string; disabledAt: Date; tokensRevoked: number }> {
    return this.ds.transaction(async (em) => {
      const account = await this.accountNamed(em, name);
      if (account.disabled_at) return { disabled: account.name, disabledAt: account.disabled_at, tokensRevoked: 0 };
      const at = this.clock.now();
      await em.query(
        `UPDATE console_account SET disabled_at = $2, password_link_hash = NULL, password_link_expires_at = NULL WHERE principal_id = $1`,
        [account.principal_id, at],
      );
      const ended = await this.endSessions(em, account.principal_id);
      const revoked = await revokeTokensOf(em, account.principal_id, CONSOLE_ROLES, at);
      await this.audit.appendMany(em, [
        {
          actor,
          action: 'user.disabled',
          entity: 'console_account',
          entityId: account.principal_id,
          details: { sessionsEnded: ended, tokensRevoked: revoked.length },
        },
        ...revoked.map(
          (t): AuditRecord => ({
            actor,
            action: 'token.revoked',
            entity: 'api_token',
            entityId: t.id,
            details: { role: t.role, because: 'user.disabled' },
          }),
        ),
      ]);
      return { disabled: account.name, disabledAt: at, tokensRevoked: revoked.length };
    });
  }

  /**
   * Sets the password through a link's token (once): 400 invalid_password_link for a token
   * unknown, used or expired (or of a disabled account), 422 weak_password naming the rule
   * broken (the link stays usable). Unlocks the account and ends its sessions.
   */
  async setPassword(token: string, password: string): Promise<void> {
    const invalid = () => new ConsoleAuthError('invalid_password_link', 'this set-password link is unknown, already used or expired', 400);
    if (!isSecretShaped(token)) throw invalid();
    const hash = secretHash(token);
    const now = this.clock.now();
    const [account]: Array<{ principal_id: string; name: string; email: string | null }> = await this.ds.query(
      `SELECT a.principal_id, p.name, a.email FROM console_account a JOIN principal p ON p.id = a.principal_id
        WHERE a.password_link_hash = $1 AND a.password_link_expires_at > $2 AND a.disabled_at IS NULL`,
      [hash, now],
    );
    if (!account) throw invalid();
    const problem = passwordProblem(password, account);
    if (problem) throw new ConsoleAuthError('weak_password', problem, 422, { rule: problem.replace(/^password: /, '') });
    const hashed = await hashPassword(password);
    await this.ds.transaction(async (em) => {
      // The link may have been used, replaced or the account disabled while the password was hashed.
      const at = this.clock.now();
      const [still]: Array<{ locked_until: Date | null }> = await em.query(
        `SELECT locked_until FROM console_account
          WHERE principal_id = $1 AND password_link_hash = $2 AND password_link_expires_at > $3 AND disabled_at IS NULL
          FOR UPDATE`,
        [account.principal_id, hash, at],
      );
      if (!still) throw invalid();
      await em.query(
        `UPDATE console_account
            SET password_hash = $2, password_set_at = $3, password_link_hash = NULL, password_link_expires_at = NULL,
                failed_attempts = 0, locked_until = NULL
          WHERE principal_id = $1`,
        [account.principal_id, hashed, at],
      );
      const ended = await this.endSessions(em, account.principal_id);
      await this.audit.append(em, {
        actor: principalActor(account),
        action: 'user.password_set',
        entity: 'console_account',
        entityId: account.principal_id,
        details: { unlocked: !!still.locked_until && still.locked_until > at, sessionsEnded: ended },
      });
    });
  }

  private newLink(): { url: string; hash: string; expiresAt: Date } {
    const token = newSecret();
    return {
      url: `${this.cfg.CONSOLE_URL}/mot-de-passe#jeton=${token}`,
      hash: secretHash(token),
      expiresAt: new Date(this.clock.now().getTime() + this.cfg.USER_LINK_HOURS * 3_600_000),
    };
  }

  /** The account of a principal's name (whatever its case), locked for the transaction; 404 user_not_found. */
  private async accountNamed(em: EntityManager, name: string): Promise<{ principal_id: string; name: string; disabled_at: Date | null }> {
    const [row]: Array<{ principal_id: string; name: string; disabled_at: Date | null }> = await em.query(
      `SELECT a.principal_id, p.name, a.disabled_at FROM console_account a JOIN principal p ON p.id = a.principal_id
        WHERE lower(p.name) = lower($1) FOR UPDATE OF a`,
      [name.trim()],
    );
    if (!row) throw new ConsoleAuthError('user_not_found', `no console account for "${name.trim()}" (users:list shows them)`, 404);
    return row;
  }

  /** Ends every session of an account; how many there were. */
  private async endSessions(em: EntityManager, principalId: string): Promise<number> {
    const rows = await rowsReturned(em, `DELETE FROM console_session WHERE principal_id = $1 RETURNING id`, [principalId]);
    return rows.length;
  }

  /**
   * One login names one account: a sign-in takes a principal's name or an account's email, so
   * an email may not be another principal's name or another account's email, and a new
   * account's name may not be another account's email.
   */
  private async refuseLoginClash(em: EntityManager, principal: { id: string; name: string }, email: string | null): Promise<void> {
    if (email !== null) {
      const [other]: Array<{ name: string }> = await em.query(
        `SELECT p.name FROM principal p LEFT JOIN console_account a ON a.principal_id = p.id
          WHERE p.id <> $1 AND (lower(p.name) = lower($2) OR lower(a.email) = lower($2)) LIMIT 1`,
        [principal.id, email],
      );
      if (other) throw new CommonError('validation_failed', `email: "${email}" is already the login of "${other.name}"`);
    }
    const [clash]: Array<{ name: string }> = await em.query(
      `SELECT p.name FROM console_account a JOIN principal p ON p.id = a.principal_id
        WHERE a.principal_id <> $1 AND lower(a.email) = lower($2) LIMIT 1`,
      [principal.id, principal.name],
    );
    if (clash)
      throw new CommonError('validation_failed', `name: "${principal.name}" is the email of the console account of "${clash.name}"`);
  }
}
