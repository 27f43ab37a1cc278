import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { parseBusinessDate, refuseFutureDate } from '../common/clock/business-date';
import { Clock } from '../common/clock/clock';
import { isUuid } from '../common/database/uuid';
import { RppsError, unusableInput } from './rpps.errors';
import { IMPORT_LOCK } from './rpps-import.service';

export interface RedatedImport {
  importId: string;
  status: string;
  from: string;
  to: string;
  reason: string;
}

/**
 * The correction of a wrongly dated import (an `--as-of` mistyped, a stamp that lied):
 * the registry's date is the latest import's, and an extract older than it is refused, so
 * a date too late blocks every real extract after it. Only that label is changed, never the
 * registry's content (which is the extract's, whatever its date), and only on the latest
 * import that counts, to a day between the one before it and today; audited, at the host.
 *
 * Refusals: a missing or malformed argument, a date after today or before the preceding
 * import is `unusable_input`/`validation_failed` (exit 2); an import that is not the latest
 * (`import_not_latest`) or already has that date (`import_already_dated`) is a 409 (exit 1).
 */
@Injectable()
export class ImportRedateService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async redate(importId: string, asOf: string | undefined, reason: string | undefined, actor: string): Promise<RedatedImport> {
    if (asOf === undefined) throw unusableInput('--as-of YYYY-MM-DD is required: the right date of the extract');
    const to = parseBusinessDate(asOf, '--as-of');
    refuseFutureDate(to, this.clock.today(), '--as-of', 'the date of the registry');
    const why = (reason ?? '').trim();
    if (!why) throw unusableInput('--reason is required: say why the date was wrong (it goes into the audit trail)');
    if (!isUuid(importId)) {
      throw new RppsError('import_not_found', `no import ${importId}`, 404);
    }
    return this.ds.transaction(async (em) => {
      const [{ ok }] = await em.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [IMPORT_LOCK]);
      if (!ok) throw new RppsError('import_in_progress', 'a registry import is running; correct the date when it ends', 409);
      const counted: Array<{ id: string; status: string; asOf: string }> = await em.query(
        `SELECT id::text AS id, status, to_char(as_of, 'YYYY-MM-DD') AS "asOf" FROM rpps_import
          WHERE status IN ('baseline', 'applied', 'unchanged') ORDER BY as_of DESC, started_at DESC LIMIT 2`,
      );
      const [latest, previous] = counted;
      if (!latest || latest.id !== importId) {
        const exists = (await em.query(`SELECT status FROM rpps_import WHERE id = $1`, [importId]))[0];
        if (!exists) throw new RppsError('import_not_found', `no import ${importId}`, 404);
        throw new RppsError(
          'import_not_latest',
          `import ${importId} is not the latest import of the registry (${latest ? `that is ${latest.id}, as of ${latest.asOf}` : 'none is'}): ` +
            'only the date of the latest one is corrected',
          409,
          { importId, latestImportId: latest?.id ?? null },
        );
      }
      if (previous && to < previous.asOf) {
        throw unusableInput(
          `--as-of ${to} is before the import preceding it (${previous.id}, as of ${previous.asOf}): the registry's history stays in order`,
        );
      }
      if (to === latest.asOf) {
        throw new RppsError('import_already_dated', `import ${importId} is already dated ${to}: nothing to correct`, 409, { importId });
      }
      await em.query(`UPDATE rpps_import SET as_of = $2 WHERE id = $1`, [importId, to]);
      await this.audit.append(em, {
        actor,
        action: 'rpps.import.redated',
        entity: 'rpps_import',
        entityId: importId,
        details: { from: latest.asOf, to, reason: why },
      });
      return { importId, status: latest.status, from: latest.asOf, to, reason: why };
    });
  }
}
