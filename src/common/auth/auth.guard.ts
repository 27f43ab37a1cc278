import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CommonError } from '../errors/domain-error';
import { Role } from './roles';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { Principal, principalActor, TokensService } from './tokens.service';

export type AuthedRequest = Request & { principal?: Principal };

/**
 * Global guard. Every route needs a valid bearer token and one of the roles declared
 * with @Roles, unless marked @Public. A route with no @Roles is closed to all but admin.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.principal = await authorize(
      this.tokens,
      req.headers.authorization,
      this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [],
    );
    return true;
  }
}

/**
 * The bearer token of an Authorization header, checked against the roles allowed (admin
 * always is): the principal, or a 401 / 403 CommonError. Shared by the guard and the
 * routes served before Nest's pipeline (see fast-path.adapter.ts).
 */
export async function authorize(tokens: TokensService, header: string | undefined, roles: readonly Role[]): Promise<Principal> {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) throw new CommonError('unauthenticated', 'missing bearer token (Authorization: Bearer <token>)', 401);
  const principal = await tokens.verify(m[1]);
  if (!principal) throw new CommonError('unauthenticated', 'unknown, revoked or expired token', 401);
  if (principal.role === 'admin' || roles.includes(principal.role)) return principal;
  throw new CommonError('forbidden', `role "${principal.role}" may not do this (allowed: ${[...roles, 'admin'].join(', ')})`, 403);
}

/** The audit actor of an authenticated request: its principal (see principalActor). */
export function actorOf(req: AuthedRequest): string {
  if (!req.principal) throw new CommonError('unauthenticated', 'no principal on this request', 401);
  return principalActor(req.principal);
}
