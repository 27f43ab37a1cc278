import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service';
import { parseBusinessDate, refuseFutureDate } from '../common/clock/business-date';
import { Clock } from '../common/clock/clock';
import { isUuid } from '../common/database/uuid';
import { dateInFileName } from './extract-date';
import { RppsError, unusableInput } from './rpps.errors';
import { ImportFile } from './rpps-import.entity';
import { IMPORT_LOCK } from './rpps-import.service';

export interface RedatedImport {
  importId: string;
  status: string;
  from: string;
  to: string;
  reason: string;
  /** The date in the name of the import's extract (the agency's stamp), null when its name has none. */
  fileStamp: string | null;
  /** True when the new date contradicts that stamp and the command said the stamp was wrong (--stamp-was-wrong). */
  stampWasWrong: boolean;
}

/**
 * The correction of a wrongly dated import (an `--as-of` mistyped, a stamp that lied):
 * the registry's date is the latest import's, and an extract older than it is refused, so
 * a date too late blocks every real extract after it. Only that label is changed, never the
 * registry's content (which is the extract's, whatever its date), and only on the latest
 * import that counts, to a day between the one before it and today; audited, at the host.
 * A date that contradicts the agency's stamp in the name of the import's extract is refused
 * (the stamp is the extract's date: moving away from it brings back the trap this command
 * corrects), unless the command says that the stamp itself was wrong (`--stamp-was-wrong`,
 * kept in the audit entry).
 *
 * Refusals: a missing or malformed argument, a date after today or before the preceding
 * import, or one contradicting the stamp, is `unusable_input`/`validation_failed` (exit 2); an import that is not the latest
 * (`import_not_latest`) or already has that date (`import_already_dated`) is a 409 (exit 1).
 */
@Injectable()
export class ImportRedateService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async redate(
    importId: string,
    asOf: string | undefined,
    reason: string | undefined,
    actor: string,
    opts: { stampWasWrong?: boolean } = {},
  ): Promise<RedatedImport> {
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
      const counted: Array<{ id: string; status: string; asOf: string; files: ImportFile[] }> = await em.query(
        `SELECT id::text AS id, status, to_char(as_of, 'YYYY-MM-DD') AS "asOf", files FROM rpps_import
          WHERE status IN ('baseline', 'applied', 'unchanged') ORDER BY as_of DESC NULLS LAST, started_at DESC LIMIT 2`,
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
      const stamped = fileStamp(latest.files);
      const stampWasWrong = !!opts.stampWasWrong;
      if (stamped && to !== stamped.day && !stampWasWrong) {
        throw unusableInput(
          `--as-of ${to} contradicts the date in the file name "${stamped.name}" (${stamped.day}) of import ${importId}: ` +
            `the agency's stamp is the extract's date, and an import dated later than its extract makes every real extract ` +
            `in between "older than the registry". Redate it to ${stamped.day}, or, if the agency's stamp itself was wrong, ` +
            `say so with --stamp-was-wrong (kept in the audit trail)`,
        );
      }
      if (stampWasWrong && !(stamped && to !== stamped.day)) {
        throw unusableInput(
          stamped
            ? `--stamp-was-wrong: --as-of ${to} is the date in the file name "${stamped.name}"; leave the flag out`
            : `--stamp-was-wrong: the file names of import ${importId} carry no stamp of the agency; leave the flag out`,
        );
      }
      await em.query(`UPDATE rpps_import SET as_of = $2 WHERE id = $1`, [importId, to]);
      await this.audit.append(em, {
        actor,
        action: 'rpps.import.redated',
        entity: 'rpps_import',
        entityId: importId,
        details: { from: latest.asOf, to, reason: why, fileStamp: stamped?.day ?? null, ...(stampWasWrong ? { stampWasWrong } : {}) },
      });
      return { importId, status: latest.status, from: latest.asOf, to, reason: why, fileStamp: stamped?.day ?? null, stampWasWrong };
    });
  }
}

/** The agency's stamp in the name of an import's Personne_activite file (null without one, or an impossible one). */
function fileStamp(files: ImportFile[]): { name: string; day: string } | null {
  const main = files.find((f) => f.kind === 'personne-activite');
  if (!main) return null;
  try {
    const day = dateInFileName(main.name);
    return day ? { name: main.name, day } : null;
  } catch {
    return null;
  }
}
