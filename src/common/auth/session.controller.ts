import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CommonError } from '../errors/domain-error';
import { AuthCheck, clientAddress, lookUpSession, requireCsrf, sessionOf, sessionSecretOf } from './auth.guard';
import { AuthFailures } from './auth-failures';
import { ConsoleAccountsService } from './console-accounts.service';
import { ConsoleSessionsService, SessionView } from './console-sessions.service';
import { SessionAnswer, SetPasswordBody, SignInBody } from './dto/session.dto';
import { Public } from './roles.decorator';
import { SESSION_COOKIE, sessionCookiesOf } from './session-cookie';
import { TokensService } from './tokens.service';

/**
 * The console's session: sign in (the cookie `cps_session`, `__Host-cps_session` when Secure),
 * read it, sign out, and set a password through a set-password link. These routes read the
 * session cookie only, never a bearer token: the guard lets them through (@Public) and each
 * checks what it needs, as the guard would (the address's budget, two cookies refused).
 */
@ApiTags('session')
@Controller('api/v1/session')
export class SessionController {
  constructor(
    private readonly sessions: ConsoleSessionsService,
    private readonly accounts: ConsoleAccountsService,
    private readonly tokens: TokensService,
    private readonly failures: AuthFailures,
    @Inject(APP_CONFIG) private readonly cfg: Pick<AppConfig, 'TRUST_PROXY'>,
  ) {}

  /**
   * Signs in with `login` (the principal's name or the account's email, any case) and `password`:
   * the session, and its cookie (HttpOnly, SameSite=Strict). 401 invalid_credentials (wrong login
   * or password, no password set, disabled account), 423 account_locked (after LOGIN_MAX_FAILURES
   * failures, whatever the password; the detail says in how many minutes it unlocks), 429 past the
   * address's budget of failed authentications, 503 too_busy (with Retry-After) when too many
   * sign-ins wait for a password check. A session named by a cookie the request carries ends.
   */
  @Post()
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: SessionAnswer.Output })
  async signIn(@Body() body: SignInBody, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SessionView> {
    const { secret, session } = await this.sessions.signIn(body.login, body.password, this.client(req));
    // The browser's previous session (another person's, or its own) ends: one browser, one session.
    for (const previous of sessionCookiesOf(req.headers.cookie, this.sessions.cookie.name)) await this.sessions.signOut(previous);
    res.setHeader('Set-Cookie', this.sessions.cookie.set(secret));
    return session;
  }

  /**
   * The session of the cookie (the same csrfToken as at sign-in): 401 unauthenticated (none,
   * unknown, ended, two cookies) or session_expired; a 401 for a cookie clears it.
   */
  @Get()
  @Public()
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOkResponse({ type: SessionAnswer.Output })
  async current(@Req() req: Request): Promise<SessionView> {
    const check = this.check(req);
    const secret = sessionSecretOf(check, req);
    if (secret === null) throw new CommonError('unauthenticated', `no console session (cookie ${this.sessions.cookie.name}): sign in`, 401);
    return this.sessions.viewOf(await sessionOf(check, secret, req), secret);
  }

  /**
   * Signs out: the session ends and its cookie is cleared (204). A live session needs its
   * X-CSRF-Token (403 otherwise); without a session (none, ended, expired) there is nothing to end.
   * The cookie is looked up as on any route: 429 past the address's budget, 401 for two cookies.
   */
  @Delete()
  @Public()
  @HttpCode(204)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiNoContentResponse({ description: 'signed out; the cookie is cleared' })
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const check = this.check(req);
    const secret = sessionSecretOf(check, req);
    if (secret !== null) {
      const state = await lookUpSession(check, secret);
      if (state === 'expired') await this.sessions.forget(secret);
      else if (state !== 'unknown') {
        requireCsrf(secret, req);
        await this.sessions.signOut(secret);
      }
    }
    res.setHeader('Set-Cookie', this.sessions.cookie.clear());
  }

  /**
   * Sets the password of the account a set-password link was made for (the link is then used):
   * 204. 400 invalid_password_link (unknown, used or expired), 422 weak_password (the detail names
   * the rule: 12 to 128 characters, not the principal's name or email; the link stays usable).
   * Unlocks the account and ends its sessions.
   */
  @Post('password')
  @Public()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the password is set' })
  async setPassword(@Body() body: SetPasswordBody, @Req() req: Request): Promise<void> {
    const client = this.client(req);
    if (this.failures.isOver(client)) {
      await this.failures.refused();
      throw new CommonError('too_many_requests', 'too many failed authentications from this address: try again in a minute', 429);
    }
    try {
      await this.accounts.setPassword(body.token, body.password);
    } catch (e) {
      if ((e as { code?: string }).code === 'invalid_password_link') this.failures.record(client);
      throw e;
    }
  }

  private client(req: Request): string {
    return clientAddress(req, this.cfg.TRUST_PROXY);
  }

  private check(req: Request): AuthCheck {
    return { tokens: this.tokens, sessions: this.sessions, failures: this.failures, client: this.client(req) };
  }
}
