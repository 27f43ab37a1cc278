import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { rowsReturned } from '../database/returning';
import { isUuid } from '../database/uuid';
import { CommonError } from '../errors/domain-error';
import { PRINCIPAL_KINDS, PrincipalKind } from './principal.entity';
import { principalNamed, principalNameProblem } from './principals';
import { isRole, ROLES, Role } from './roles';

/**
 * Who is calling: the principal of a valid bearer token or console session. A token carries
 * one role; a console session holds its account's roles, and acts on each route as the first
 * of them the route allows (admin, when it holds it, where the route names none of them).
 */
export interface Principal {
  principalId: string;
  name: string;
  kind: PrincipalKind;
  /** The role it acts as on this route. */
  role: Role;
  /** Every role it holds: a token's one role, or a console account's roles. */
  roles: readonly Role[];
  /** The bearer token, when the request carried one. */
  tokenId?: string;
  /** The console session, when the request was authenticated by its cookie. */
  sessionId?: string;
}

export interface TokenView {
  id: string;
  principal: string;
  principalKind: PrincipalKind;
  role: Role;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreateToken {
  role: string;
  /** The principal's name: a name seen before (whatever its case) is the same principal. */
  principal: string;
  /** Only when the principal is new; `batch` tokens default to a system account, the others to a person. */
  kind?: string;
  expiresInDays?: number;
}

/** Tokens are `cps_` + 32 random bytes in base64url: anything else is refused without a database look-up. */
const TOKEN_SHAPE = /^cps_[A-Za-z0-9_-]{43}$/;
/** How long a verified (or refused) token is remembered: a revoked or expired token is refused within this. */
export const TOKEN_CACHE_MS = 5000;
const CACHE_MAX = 10_000;
/** How many hashes of tokens once verified valid a process remembers (the oldest forgotten first). */
const KNOWN_VALID_MAX = 10_000;
/** last_used_at is written at most this often per token. */
const LAST_USED_EVERY_MS = 60_000;
const MAX_EXPIRY_DAYS = 3650;

/** Roles that only a person may hold: they approve, confirm and declare. */
const PERSON_ROLES: readonly Role[] = ['operator', 'helpdesk', 'admin'];

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The actor an audit entry names for a principal (never a token's role or id). */
export function principalActor(p: Pick<Principal, 'name'>): string {
  return `principal:${p.name}`;
}

/**
 * Revokes, in `em`'s transaction, a principal's tokens of `roles` not revoked yet (users:disable);
 * the caller audits. Every process refuses them within TOKEN_CACHE_MS.
 */
export function revokeTokensOf(
  em: EntityManager,
  principalId: string,
  roles: readonly Role[],
  at: Date,
): Promise<Array<{ id: string; role: Role }>> {
  return rowsReturned(
    em,
    `UPDATE api_token SET revoked_at = $2 WHERE principal_id = $1 AND revoked_at IS NULL AND role = ANY($3::text[]) RETURNING id, role`,
    [principalId, at, roles],
  );
}

/** Bearer tokens: made once for a principal, shown once, only their SHA-256 kept; listed, revoked, expiring. */
@Injectable()
export class TokensService {
  private readonly cache = new Map<string, { p: Principal | null; until: number }>();
  private readonly lastUsedWritten = new Map<string, number>();
  /** Hashes of the tokens this instance has verified valid, oldest first (a Set keeps insertion order). */
  private readonly knownValid = new Set<string>();

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(c: CreateToken, actor: string): Promise<{ token: string; id: string; principal: string; expiresAt: Date | null }> {
    const problems: string[] = [];
    if (!isRole(c.role)) problems.push(`role: unknown role "${c.role}"; expected one of ${ROLES.join(', ')}`);
    const name = (c.principal ?? '').trim();
    const nameProblem = principalNameProblem(name);
    if (nameProblem) problems.push(nameProblem);
    if (c.kind !== undefined && !(PRINCIPAL_KINDS as readonly string[]).includes(c.kind)) {
      problems.push(`kind: expected one of ${PRINCIPAL_KINDS.join(', ')}`);
    }
    if (
      c.expiresInDays !== undefined &&
      !(Number.isInteger(c.expiresInDays) && c.expiresInDays >= 1 && c.expiresInDays <= MAX_EXPIRY_DAYS)
    ) {
      problems.push(`expires-in: a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`);
    }
    if (problems.length) throw new CommonError('validation_failed', problems.join('; '));
    const role = c.role as Role;
    const token = `cps_${randomBytes(32).toString('base64url')}`;
    return this.ds.transaction(async (em) => {
      const wantedKind: PrincipalKind = (c.kind as PrincipalKind | undefined) ?? (role === 'batch' ? 'system' : 'person');
      const { principal, created } = await principalNamed(em, name, wantedKind);
      if (c.kind !== undefined && principal.kind !== c.kind) {
        throw new CommonError('validation_failed', `kind: principal "${principal.name}" is a ${principal.kind}, not a ${c.kind}`);
      }
      if (principal.kind === 'system' && PERSON_ROLES.includes(role)) {
        throw new CommonError(
          'validation_failed',
          `role: "${principal.name}" is a system account; ${PERSON_ROLES.join(', ')} tokens belong to persons (they approve and declare)`,
        );
      }
      const [row]: Array<{ id: string; expires_at: Date | null }> = await em.query(
        `INSERT INTO api_token (principal_id, role, token_hash, expires_at)
         VALUES ($1, $2, $3, CASE WHEN $4::int IS NULL THEN NULL ELSE now() + make_interval(days => $4::int) END)
         RETURNING id, expires_at`,
        [principal.id, role, hashToken(token), c.expiresInDays ?? null],
      );
      const audits: AuditRecord[] = [];
      if (created) {
        audits.push({
          actor,
          action: 'principal.created',
          entity: 'principal',
          entityId: principal.id,
          details: { name, kind: principal.kind },
        });
      }
      audits.push({
        actor,
        action: 'token.created',
        entity: 'api_token',
        entityId: row.id,
        details: { principal: principal.name, principalId: principal.id, role, expiresAt: row.expires_at },
      });
      await this.audit.appendMany(em, audits);
      return { token, id: row.id, principal: principal.name, expiresAt: row.expires_at };
    });
  }

  async list(): Promise<TokenView[]> {
    return this.ds.query(
      `SELECT t.id, p.name AS principal, p.kind AS "principalKind", t.role, t.created_at AS "createdAt",
              t.expires_at AS "expiresAt", t.last_used_at AS "lastUsedAt", t.revoked_at AS "revokedAt"
         FROM api_token t JOIN principal p ON p.id = t.principal_id
        ORDER BY lower(p.name), t.created_at, t.id`,
    );
  }

  /** Revokes a token (again: no change). Every process refuses it within TOKEN_CACHE_MS. */
  async revoke(id: string, actor: string): Promise<{ revoked: string; revokedAt: Date }> {
    if (!isUuid(id)) {
      throw new CommonError('validation_failed', `"${id}" is not a token id (tokens:list shows them)`);
    }
    return this.ds.transaction(async (em) => {
      const [before]: Array<{ revoked_at: Date | null }> = await em.query(`SELECT revoked_at FROM api_token WHERE id = $1 FOR UPDATE`, [
        id,
      ]);
      if (!before) throw new CommonError('validation_failed', `no token ${id} (tokens:list shows them)`);
      if (before.revoked_at) return { revoked: id, revokedAt: before.revoked_at };
      const [row] = await rowsReturned<{ revoked_at: Date }>(
        em,
        `UPDATE api_token SET revoked_at = now() WHERE id = $1 RETURNING revoked_at`,
        [id],
      );
      await this.audit.append(em, { actor, action: 'token.revoked', entity: 'api_token', entityId: id });
      this.cache.clear();
      return { revoked: id, revokedAt: row.revoked_at };
    });
  }

  /** The principal of a token checked valid less than TOKEN_CACHE_MS ago, without asking the database; else null. */
  cachedValid(token: string, now = Date.now()): Principal | null {
    const hit = this.cache.get(hashToken(token));
    return hit && hit.until > now ? hit.p : null;
  }

  /**
   * Whether this token was verified valid by this instance (and not found invalid since):
   * such a token is still checked against the database when its address is over its budget
   * of failed authentications; a token never seen valid is refused without a look-up.
   */
  wasValid(token: string): boolean {
    return this.knownValid.has(hashToken(token));
  }

  /** The principal of a valid (known, not revoked, not expired) token, or null; answers are cached for TOKEN_CACHE_MS. */
  async verify(token: string): Promise<Principal | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const h = hashToken(token);
    const now = Date.now();
    const hit = this.cache.get(h);
    if (hit && hit.until > now) return hit.p;
    const rows: Array<{ token_id: string; principal_id: string; name: string; kind: PrincipalKind; role: Role }> = await this.ds.query(
      `SELECT t.id AS token_id, p.id AS principal_id, p.name, p.kind, t.role
         FROM api_token t JOIN principal p ON p.id = t.principal_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
      [h],
    );
    const r = rows[0];
    const p: Principal | null = r
      ? { tokenId: r.token_id, principalId: r.principal_id, name: r.name, kind: r.kind, role: r.role, roles: [r.role] }
      : null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(h, { p, until: now + TOKEN_CACHE_MS });
    if (p) {
      this.rememberValid(h);
      this.touch(r.token_id, now);
    } else {
      this.knownValid.delete(h);
    }
    return p;
  }

  private rememberValid(h: string): void {
    this.knownValid.delete(h); // re-inserted as the newest
    if (this.knownValid.size >= KNOWN_VALID_MAX) {
      const oldest = this.knownValid.values().next().value;
      if (oldest !== undefined) this.knownValid.delete(oldest);
    }
    this.knownValid.add(h);
  }

  /** Records last_used_at, at most once a minute per token, off the request's path. */
  private touch(tokenId: string, now: number): void {
    const last = this.lastUsedWritten.get(tokenId) ?? 0;
    if (now - last < LAST_USED_EVERY_MS) return;
    if (this.lastUsedWritten.size >= CACHE_MAX) this.lastUsedWritten.clear();
    this.lastUsedWritten.set(tokenId, now);
    this.ds.query(`UPDATE api_token SET last_used_at = now() WHERE id = $1`, [tokenId]).catch(() => this.lastUsedWritten.delete(tokenId));
  }
}
