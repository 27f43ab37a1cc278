import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { CrlStore } from '../../opposition/crl-store.service';
import { Public } from '../auth/roles.decorator';
import { REDIS } from '../common.module';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Drain } from './drain';
import { HealthError } from './health.errors';

/** Each check answers within this (a dependency that hangs is a dependency down). */
const CHECK_TIMEOUT_MS = 2000;

type Check = { status: 'up' } | { status: 'down'; message: string };
type Checks = Record<string, Check>;

/** `p`'s outcome within CHECK_TIMEOUT_MS: up when it resolves to true, down (with why) otherwise. */
async function checked(p: () => Promise<true | string>): Promise<Check> {
  let t: NodeJS.Timeout | undefined;
  try {
    const r = await Promise.race([
      p(),
      new Promise<string>((resolve) => (t = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS))),
    ]);
    return r === true ? { status: 'up' } : { status: 'down', message: r };
  } catch (e) {
    return { status: 'down', message: publicReason(e) };
  } finally {
    clearTimeout(t);
  }
}

/**
 * Why a check failed, for a public answer: the error's code (ECONNREFUSED, a SQLSTATE) or its
 * message, without an address (host:port, an IP) or a user name of the connection.
 */
function publicReason(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  const message = (e instanceof Error ? e.message : String(e))
    .replace(/\b[\w.-]+:\d{2,5}\b/g, '<address>')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}\b/g, '<address>')
    .replace(/\b(user|role) "[^"]*"/g, '$1 "<name>"')
    .slice(0, 200);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * Probes, without a token. `/health/live`: the process answers (no dependency looked at: a
 * restart would not bring PostgreSQL back). `/health/ready`: PostgreSQL, Redis and a full CRL
 * on hand to serve; `/health`: PostgreSQL and Redis (contract.md). A 503 is problem+json
 * `not_ready` naming the failing dependencies (`failing`, and in the detail) and what each
 * check found (`checks`).
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    private readonly crls: CrlStore,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    private readonly drain: Drain,
  ) {}

  /**
   * 200 when PostgreSQL and Redis answer, 503 otherwise. The answer names the profile (NODE_ENV), so that a
   * development issuer in production shows at a glance. 503 too while the process drains before stopping
   * (SHUTDOWN_DRAIN_SECONDS), naming `shutdown`, as /health/ready does.
   */
  @Get()
  @Public()
  @ApiOperation({ summary: 'PostgreSQL and Redis answer (503 not_ready naming the one that does not)' })
  async check() {
    return {
      ...this.answer(await this.run({ ...this.draining(), database: () => this.database(), redis: () => this.redisUp() })),
      profile: this.cfg.NODE_ENV,
    };
  }

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'The process answers (no dependency checked): for a liveness probe' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'PostgreSQL, Redis and a full CRL on hand: for a readiness probe (503 not_ready naming what fails)' })
  async ready() {
    return this.answer(
      await this.run({ ...this.draining(), database: () => this.database(), redis: () => this.redisUp(), crl: () => this.crlOnHand() }),
    );
  }

  /** While the process drains before stopping: a `shutdown` check that fails (a load balancer stops sending first). */
  private draining(): Record<string, () => Promise<true | string>> {
    return this.drain.draining ? { shutdown: async () => 'draining: this process is stopping' } : {};
  }

  private async run(checks: Record<string, () => Promise<true | string>>): Promise<Checks> {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => checked(checks[n])));
    return Object.fromEntries(names.map((n, i) => [n, results[i]]));
  }

  /** the former shape (status, info, error, details), kept for GET /health; a 503 problem when one is down. */
  private answer(checks: Checks) {
    const up = Object.entries(checks).filter(([, c]) => c.status === 'up');
    const down = Object.entries(checks).filter(([, c]) => c.status === 'down');
    if (down.length) {
      const why = down.map(([n, c]) => `${n} (${(c as { message: string }).message})`).join(', ');
      throw new HealthError('not_ready', `not ready: ${why}`, 503, { failing: down.map(([n]) => n), checks });
    }
    return { status: 'ok' as const, info: Object.fromEntries(up), error: {}, details: checks };
  }

  private async database(): Promise<true | string> {
    await this.ds.query('SELECT 1');
    return true;
  }

  private async redisUp(): Promise<true | string> {
    const pong = await this.redis.ping();
    return pong === 'PONG' ? true : `unexpected answer ${pong}`;
  }

  private async crlOnHand(): Promise<true | string> {
    return (await this.crls.currentFullIsStored()) ? true : 'no full CRL published yet';
  }
}
