import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CommonError } from '../errors/domain-error';
import { AuthFailures } from './auth-failures';
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
    private readonly failures: AuthFailures,
    @Inject(APP_CONFIG) private readonly cfg: Pick<AppConfig, 'TRUST_PROXY'>,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.principal = await authorize(
      { tokens: this.tokens, failures: this.failures, client: clientAddress(req, this.cfg.TRUST_PROXY) },
      req.headers.authorization,
      this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [],
    );
    return true;
  }
}

/** What checking a token needs: the tokens, the failure counts, and who is asking. */
export interface AuthCheck {
  tokens: TokensService;
  failures: AuthFailures;
  /** The client's address (for the failure counts). */
  client: string;
}

/**
 * The bearer token of an Authorization header, checked against the roles allowed (admin
 * always is): the principal, or a 401 / 403 / 429 CommonError. Shared by the guard and the
 * routes served before Nest's pipeline (see fast-path.adapter.ts). An address past its
 * budget of failed authentications gets 429, without a database look-up, for any token
 * this process never verified valid; a token it did is still checked (a revoked one is
 * refused) and served, so a flood of bad tokens does not lock out the clients behind the
 * same address.
 */
export async function authorize(check: AuthCheck, header: string | undefined, roles: readonly Role[]): Promise<Principal> {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) throw new CommonError('unauthenticated', 'missing bearer token (Authorization: Bearer <token>)', 401);
  let principal = check.tokens.cachedValid(m[1]);
  if (!principal) {
    if (check.failures.isOver(check.client) && !check.tokens.wasValid(m[1])) {
      await check.failures.refused();
      throw new CommonError('too_many_requests', 'too many failed authentications from this address: try again in a minute', 429);
    }
    principal = await check.tokens.verify(m[1]);
    if (!principal) {
      check.failures.record(check.client);
      throw new CommonError('unauthenticated', 'unknown, revoked or expired token', 401);
    }
  }
  if (principal.role === 'admin' || roles.includes(principal.role)) return principal;
  throw new CommonError('forbidden', `role "${principal.role}" may not do this (allowed: ${[...roles, 'admin'].join(', ')})`, 403);
}

/**
 * The client's address: the socket's peer or, with TRUST_PROXY, the LAST X-Forwarded-For
 * hop: the one the trusted proxy appended (the hops before it are whatever the client sent,
 * forgeable). One trusted hop, as `app.set('trust proxy', 1)` in main.ts.
 */
export function clientAddress(
  req: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } },
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(xff) ? xff.join(',') : (xff ?? '')).split(',');
    const last = hops[hops.length - 1]?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** The audit actor of an authenticated request: its principal (see principalActor). */
/** The request's principal (set by the guard); 401 if there is none. */
export function principalOf(req: AuthedRequest): Principal {
  if (!req.principal) throw new CommonError('unauthenticated', 'no principal on this request', 401);
  return req.principal;
}

export function actorOf(req: AuthedRequest): string {
  return principalActor(principalOf(req));
}
