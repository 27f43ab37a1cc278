import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { AuditCheckpointsAnswer, AuditTrailPage, AuditVerificationAnswer } from '../dto/answers.dto';
import { AuditQuery, CheckpointsQuery } from '../dto/common.dto';
import { AuditService } from './audit.service';
import { AuditCheck } from './audit-check.service';
import { AuditCheckpoints } from './audit-checkpoints.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpoints,
    private readonly check: AuditCheck,
  ) {}

  /**
   * The check `audit:verify` makes, run by this process: the chain recomputed and held to every
   * signed checkpoint (the file under DATA_DIR and the table), with the key of
   * AUDIT_PUBLIC_KEY_FILE (or the development key's public half); 503 `audit_public_key_missing`
   * when there is none while checkpoints are signed. Reads the whole trail: the answer is kept
   * 60 seconds (`checkedAt`), and requests meanwhile, or while it runs, get it.
   */
  @Get('verification')
  @Roles('auditor')
  @ApiOkResponse({ type: AuditVerificationAnswer.Output })
  verification() {
    return this.check.checkForApi();
  }

  /**
   * The audit trail (filtered; `entity` one of AUDIT_ENTITIES; a `to` day is included whole,
   * in Europe/Paris), oldest first, one page of it (`page`, `pageSize` or its older name
   * `limit`; `after`, an entry id), with `total` (the entries matching the filters, counted
   * up to LIST_COUNT_CAP: see `totalIsLowerBound`), each
   * entry with its place in the chain once sequenced, and the latest signed checkpoint. The
   * chain is not recomputed here: `audit:verify` does.
   */
  @Get()
  @Roles('auditor')
  @ApiOkResponse({ type: AuditTrailPage.Output })
  async list(@Query() q: AuditQuery) {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? q.limit ?? 100;
    const query = { entity: q.entity, id: q.id, from: q.from, to: q.to, afterId: q.after, page, pageSize };
    const [{ items: entries, total, totalIsLowerBound }, chain, checkpoint] = await Promise.all([
      this.audit.list(query),
      this.audit.chainState(),
      this.checkpoints.latest(),
    ]);
    return { entries, page, pageSize, total, totalIsLowerBound, chain, checkpoint };
  }

  /**
   * The signed checkpoints (oldest first, paged by `after`, a checkpoint id), with the
   * public keys they name. Check a signature outside the database: see the README.
   */
  @Get('checkpoints')
  @Roles('auditor')
  @ApiOkResponse({ type: AuditCheckpointsAnswer.Output })
  async listCheckpoints(@Query() q: CheckpointsQuery) {
    const [checkpoints, latest, keys] = await Promise.all([
      this.checkpoints.list(q.after, q.limit ?? 100),
      this.checkpoints.latest(),
      this.checkpoints.keys(),
    ]);
    return { checkpoints, latest, keys };
  }
}
