import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { CommonError } from '../errors/domain-error';
import { AuditService } from './audit.service';
import { AuditCheckpoints } from './audit-checkpoints.service';

const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

function pageLimit(limit: string | undefined): number {
  const n = limit === undefined ? 100 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CommonError('validation_failed', 'limit: expected 1 to 1000');
  return n;
}

function afterId(after: string | undefined, what: string): string | undefined {
  if (after !== undefined && !/^\d+$/.test(after)) throw new CommonError('validation_failed', `after: expected ${what}`);
  return after;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpoints,
  ) {}

  /**
   * The audit trail (filtered), each entry with its place in the chain once sequenced,
   * and the latest signed checkpoint. The chain is not recomputed here: `audit:verify` does.
   */
  @Get()
  @Roles('auditor')
  async list(
    @Query('entity') entity?: string,
    @Query('id') id?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('limit') limit?: string,
    @Query('after') after?: string,
  ) {
    for (const [k, v] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (v !== undefined && (!DATE.test(v) || Number.isNaN(Date.parse(v)))) {
        throw new CommonError('validation_failed', `${k}: expected an ISO 8601 date or timestamp`);
      }
    }
    const q = { entity, id, from, to, limit: pageLimit(limit), afterId: afterId(after, 'an entry id') };
    const [entries, chain, checkpoint] = await Promise.all([this.audit.find(q), this.audit.chainState(), this.checkpoints.latest()]);
    return { entries, chain, checkpoint };
  }

  /**
   * The signed checkpoints (oldest first, paged by `after`, a checkpoint id), with the
   * public keys they name. Check a signature outside the database: see the README.
   */
  @Get('checkpoints')
  @Roles('auditor')
  async listCheckpoints(@Query('after') after?: string, @Query('limit') limit?: string) {
    const [checkpoints, latest, keys] = await Promise.all([
      this.checkpoints.list(afterId(after, 'a checkpoint id'), pageLimit(limit)),
      this.checkpoints.latest(),
      this.checkpoints.keys(),
    ]);
    return { checkpoints, latest, keys };
  }
}
