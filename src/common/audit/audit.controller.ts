import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { CommonError } from '../errors/domain-error';
import { AuditService } from './audit.service';

const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail (filtered) with the check of the whole chain. */
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
    if (after !== undefined && !/^\d+$/.test(after)) throw new CommonError('validation_failed', 'after: expected an entry id');
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CommonError('validation_failed', 'limit: expected 1 to 1000');
    const [entries, chain] = await Promise.all([this.audit.find({ entity, id, from, to, limit: n, afterId: after }), this.audit.verify()]);
    return { entries, chain };
  }
}
