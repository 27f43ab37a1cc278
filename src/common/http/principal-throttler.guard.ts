import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { AuthedRequest } from '../auth/auth.guard';
import { CommonError } from '../errors/domain-error';
import { rateLimited } from '../metrics/metrics';

/**
 * Limits a route per principal (not per address: a helpdesk shares one address), with the
 * throttlers of ThrottlerModule (e.g. `oppositions`, OPPOSITIONS_PER_MINUTE). Past the
 * limit: 429 `too_many_requests` and the cps_rate_limited_total metric. Runs after the
 * authentication guard, so the principal is known.
 */
@Injectable()
export class PrincipalThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: AuthedRequest): Promise<string> {
    return req.principal?.principalId ?? `address:${req.ip}`;
  }

  protected override async throwThrottlingException(_ctx: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    rateLimited.inc({ limit: 'oppositions' });
    throw new CommonError(
      'too_many_requests',
      `more than ${detail.limit} declarations in ${Math.round(detail.ttl / 1000)} s by this principal: try again in ${Math.ceil(detail.timeToBlockExpire || detail.timeToExpire)} s`,
      429,
    );
  }
}
