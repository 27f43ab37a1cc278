import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { AuditQuery } from '../dto/common.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit trail (filtered) with the check of the whole chain. */
  @Get()
  @Roles('auditor')
  async list(@Query() q: AuditQuery) {
    const { entity, id, from, to, after } = q;
    const n = q.limit ?? 100;
    const [entries, chain] = await Promise.all([this.audit.find({ entity, id, from, to, limit: n, afterId: after }), this.audit.verify()]);
    return { entries, chain };
  }
}
