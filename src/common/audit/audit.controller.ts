import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { AuditQuery, CheckpointsQuery } from '../dto/common.dto';
import { AuditService } from './audit.service';
import { AuditCheckpoints } from './audit-checkpoints.service';

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
  async list(@Query() q: AuditQuery) {
    const { entity, id, from, to, after } = q;
    const query = { entity, id, from, to, limit: q.limit ?? 100, afterId: after };
    const [entries, chain, checkpoint] = await Promise.all([this.audit.find(query), this.audit.chainState(), this.checkpoints.latest()]);
    return { entries, chain, checkpoint };
  }

  /**
   * The signed checkpoints (oldest first, paged by `after`, a checkpoint id), with the
   * public keys they name. Check a signature outside the database: see the README.
   */
  @Get('checkpoints')
  @Roles('auditor')
  async listCheckpoints(@Query() q: CheckpointsQuery) {
    const [checkpoints, latest, keys] = await Promise.all([
      this.checkpoints.list(q.after, q.limit ?? 100),
      this.checkpoints.latest(),
      this.checkpoints.keys(),
    ]);
    return { checkpoints, latest, keys };
  }
}
