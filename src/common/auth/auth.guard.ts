import type { IncomingHttpHeaders } from 'node:http';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CommonError, DomainError } from '../errors/domain-error';
import { AuthFailures } from './auth-failures';
import { ConsoleRole } from './console-account.entity';
import { ConsoleAuthError } from './console-auth.errors';
import { ActiveSession, ConsoleSessionsService } from './console-sessions.service';
import { Role } from './roles';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { CSRF_HEADER, csrfTokenMatches, isSafeMethod, isSecretShaped, sessionCookiesOf } from './session-cookie';
import { Principal, principalActor, TokensService } from './tokens.service';

export type AuthedRequest = Request & { principal?: Principal };

/**
 * Global guard. Every route needs a valid bearer token or console session, and one of the
 * roles declared with @Roles, unless marked @Public. A route with no @Roles is closed to all
 * but admin.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly sessions: ConsoleSessionsService,
    private readonly failures: AuthFailures,
    @Inject(APP_CONFIG) private readonly cfg: Pick<AppConfig, 'TRUST_PROXY'>,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.principal = await authorize(
      { tokens: this.tokens, sessions: this.sessions, failures: this.failures, client: clientAddress(req, this.cfg.TRUST_PROXY) },
      req,
      this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [],
    );
    return true;
  }
}

/** What checking a token or a session needs: the tokens, the sessions, the failure counts, and who is asking. */
export interface AuthCheck {
  tokens: TokensService;
  sessions: ConsoleSessionsService;
  failures: AuthFailures;
  /** The client's address (for the failure counts). */
  client: string;
}

/** What authorizing reads of a request: its method (CSRF) and its headers (Authorization, Cookie, X-CSRF-Token). */
export interface AuthRequest {
  method?: string;
  headers: IncomingHttpHeaders;
}

/**
 * The principal of a request, checked against the roles allowed (admin always is): a 401 /
 * 403 / 429 error otherwise. Shared by the guard and the routes served before Nest's pipeline
 * (see fast-path.adapter.ts).
 *
 * A request with an Authorization header is authenticated by its bearer token only (a session
 * cookie beside it is not looked at). Without one, the console session of its cookie
 * (`cps_session`, `__Host-cps_session` when Secure; two of them are refused): a request that
 * changes something (not GET, HEAD or OPTIONS) must then carry the session's CSRF token in
 * X-CSRF-Token (403 csrf_token_missing or csrf_token_invalid). A session acts on a route as the
 * first of its roles the route allows in a fixed order, operator, helpdesk, auditor, then admin
 * (where the route names none of the others).
 *
 * An address past its budget of failed authentications gets 429, without a database look-up,
 * for any token or session this process never verified valid; one it did is still checked (a
 * revoked token, an ended session is refused) and served, so a flood of bad credentials does not
 * lock out the clients behind the same address.
 */
export async function authorize(check: AuthCheck, req: AuthRequest, roles: readonly Role[]): Promise<Principal> {
  const header = req.headers.authorization;
  if (header === undefined) {
    const secret = sessionSecretOf(check, req);
    if (secret !== null) return actAs(await sessionOf(check, secret, req), roles);
  }
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) {
    throw new CommonError(
      'unauthenticated',
      header === undefined
        ? 'missing bearer token (Authorization: Bearer <token>) or console session'
        : 'missing bearer token (Authorization: Bearer <token>)',
      401,
    );
  }
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
 * The secret of the request's session cookie, or null when it has none; 401 unauthenticated
 * (the cookie cleared) when it carries two: which one the browser meant cannot be told.
 */
export function sessionSecretOf(check: AuthCheck, req: AuthRequest): string | null {
  const secrets = sessionCookiesOf(req.headers.cookie, check.sessions.cookie.name);
  if (secrets.length > 1) {
    throw clearing(check, new CommonError('unauthenticated', `two session cookies (${check.sessions.cookie.name}): sign in again`, 401));
  }
  return secrets[0] ?? null;
}

/**
 * The state of the session of a cookie's secret (see ConsoleSessionsService.check), within the
 * address's budget of failed authentications: 429 past it for a secret this process never saw
 * valid. A secret of the wrong shape counts as a failure; a well-shaped one of a session that
 * ended or never was does not (a stale cookie, not a guess: 32 random bytes are not guessed).
 */
export async function lookUpSession(check: AuthCheck, secret: string): Promise<ActiveSession | 'unknown' | 'expired'> {
  if (check.failures.isOver(check.client) && !check.sessions.wasValid(secret)) {
    await check.failures.refused();
    throw new CommonError('too_many_requests', 'too many failed authentications from this address: try again in a minute', 429);
  }
  const session = await check.sessions.check(secret);
  if (session === 'unknown' && !isSecretShaped(secret)) check.failures.record(check.client);
  return session;
}

/**
 * The live console session of a cookie's secret, with its CSRF token checked when the request
 * changes something: 401 unauthenticated (unknown or ended) or session_expired, both clearing
 * the cookie; 403 csrf_token_missing / csrf_token_invalid; 429 past the address's budget.
 */
export async function sessionOf(check: AuthCheck, secret: string, req: AuthRequest): Promise<ActiveSession> {
  const session = await lookUpSession(check, secret);
  if (session === 'unknown')
    throw clearing(check, new CommonError('unauthenticated', 'unknown or ended console session: sign in again', 401));
  if (session === 'expired') {
    throw clearing(check, new ConsoleAuthError('session_expired', 'the console session has expired: sign in again', 401));
  }
  requireCsrf(secret, req);
  return session;
}

/** An error whose answer clears the session cookie. */
function clearing(check: AuthCheck, err: DomainError): DomainError {
  return err.withHeaders({ 'Set-Cookie': check.sessions.cookie.clear() });
}

/** A request authenticated by the session of `secret` that changes something (not GET, HEAD, OPTIONS) carries its CSRF token. */
export function requireCsrf(secret: string, req: AuthRequest): void {
  if (isSafeMethod(req.method)) return;
  const given = req.headers[CSRF_HEADER];
  if (given === undefined || given === '') {
    throw new ConsoleAuthError(
      'csrf_token_missing',
      `a request that changes something carries the session's CSRF token in X-CSRF-Token`,
      403,
    );
  }
  if (typeof given !== 'string' || !csrfTokenMatches(secret, given)) {
    throw new ConsoleAuthError(
      'csrf_token_invalid',
      `X-CSRF-Token is not the CSRF token of this session (GET /api/v1/session gives it)`,
      403,
    );
  }
}

/** The order in which a session's roles are tried on a route: whatever order the account lists them in, admin last. */
export const SESSION_ROLE_PRECEDENCE: readonly ConsoleRole[] = ['operator', 'helpdesk', 'auditor', 'admin'];

/** A session's principal on a route: acting as the first of its roles (SESSION_ROLE_PRECEDENCE) the route allows, admin always. */
function actAs(s: ActiveSession, roles: readonly Role[]): Principal {
  const role = SESSION_ROLE_PRECEDENCE.find((r) => s.roles.includes(r) && (r === 'admin' || roles.includes(r)));
  if (!role) {
    const held = `role${s.roles.length > 1 ? 's' : ''} ${s.roles.map((r) => `"${r}"`).join(', ')}`;
    throw new CommonError('forbidden', `${held} may not do this (allowed: ${[...roles, 'admin'].join(', ')})`, 403);
  }
  return { principalId: s.principalId, name: s.name, kind: s.kind, role, roles: s.roles, sessionId: s.id };
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
