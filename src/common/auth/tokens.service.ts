import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CommonError } from '../errors/domain-error';
import { isRole, ROLES, Role } from './roles';

export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Bearer tokens: made once, shown once, only their SHA-256 kept. */
@Injectable()
export class TokensService {
  private readonly cache = new Map<string, { p: Principal | null; until: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(role: string, name: string, actor = 'cli'): Promise<{ token: string; id: string }> {
    if (!isRole(role)) throw new CommonError('validation_failed', `unknown role "${role}"; expected one of ${ROLES.join(', ')}`);
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new CommonError('validation_failed', 'name must be 1 to 200 characters');
    const token = `cps_${randomBytes(32).toString('base64url')}`;
    const id = await this.ds.transaction(async (em) => {
      const [row]: Array<{ id: string }> = await em.query(
        'INSERT INTO api_token (name, role, token_hash) VALUES ($1, $2, $3) RETURNING id',
        [trimmed, role, hashToken(token)],
      );
      await this.audit.append(em, {
        actor,
        action: 'token.created',
        entity: 'api_token',
        entityId: row.id,
        details: { name: trimmed, role },
      });
      return row.id;
    });
    return { token, id };
  }

  /** The principal of a token, or null; answers are cached for a few seconds. */
  async verify(token: string): Promise<Principal | null> {
    const h = hashToken(token);
    const hit = this.cache.get(h);
    const now = Date.now();
    if (hit && hit.until > now) return hit.p;
    const rows: Array<{ id: string; name: string; role: Role }> = await this.ds.query(
      'SELECT id, name, role FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL',
      [h],
    );
    const p = rows[0] ? { tokenId: rows[0].id, name: rows[0].name, role: rows[0].role } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(h, { p, until: now + 5000 });
    return p;
  }
}
