import type { QueryRunner } from 'typeorm';
import { professionLabel } from './professions';
import { PREVIEW_SAMPLE_SQL } from './registry-diff.sql';
import type { EventCounts } from './registry-events';
import { RppsError } from './rpps.errors';
import { ImportFile, ImportPreview, PREVIEW_SAMPLE_SIZE } from './rpps-import.entity';

/**
 * Held imports: what applying one would do (read while its comparison is there), and
 * the checks that the import confirming it applies what was held.
 */

/** The preview of a held import, from the comparison's temporary tables (before its rollback). */
export async function readPreview(
  q: (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>,
  professionalsBefore: number,
  events: EventCounts,
  changed: number,
): Promise<ImportPreview> {
  const sample = (await q(PREVIEW_SAMPLE_SQL, [PREVIEW_SAMPLE_SIZE])) as Array<{
    nationalId: string;
    kind: string;
    professionCode: string | null;
  }>;
  return {
    professionalsBefore,
    ceased: events.CEASED,
    changed,
    added: events.NEW_PROFESSIONAL,
    events: { ...events },
    sample: sample.map((x) =>
      x.professionCode
        ? { nationalId: x.nationalId, kind: x.kind, professionCode: x.professionCode, professionLabel: professionLabel(x.professionCode) }
        : { nationalId: x.nationalId, kind: x.kind },
    ),
  };
}

/**
 * The held import a confirmation applies, checked under the import lock: still held,
 * and no import has come after it (other than failed ones).
 */
export async function stillHeld(qr: QueryRunner, importId: string): Promise<{ id: string; files: ImportFile[] }> {
  const rows: Array<{ id: string; status: string; files: ImportFile[]; newer: string | null }> = await qr.query(
    `SELECT i.id, i.status, i.files,
            (SELECT n.id FROM rpps_import n WHERE n.started_at > i.started_at AND n.status <> 'failed'
              ORDER BY n.started_at LIMIT 1) AS newer
       FROM rpps_import i WHERE i.id = $1`,
    [importId],
  );
  const r = rows[0];
  if (!r) throw new RppsError('import_not_found', `no import ${importId}`, 404);
  if (r.status !== 'held') throw new RppsError('import_not_held', `import ${importId} is ${r.status}, not held: nothing to confirm`, 409);
  if (r.newer) {
    throw new RppsError('import_superseded', `import ${importId} was superseded by import ${r.newer}: nothing applied`, 409);
  }
  return { id: r.id, files: r.files };
}

/** What is applied must be what was held (and previewed): the same bytes. */
export function refuseChangedFiles(held: { id: string; files: ImportFile[] }, read: ImportFile[]): void {
  const key = (f: ImportFile) => `${f.kind}:${f.sha256}`;
  const before = held.files.map(key).sort().join(',');
  const now = read.map(key).sort().join(',');
  if (before !== now) {
    throw new RppsError(
      'import_files_changed',
      `the files of held import ${held.id} changed since it was held: nothing applied; submit them again`,
      422,
    );
  }
}
