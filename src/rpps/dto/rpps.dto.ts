import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { isoDay, oneOf, paging, queryString, uuid } from '../../common/http/validation';
import { MIGRATION_STATUS_FILTERS } from '../identifier-migrations.service';
import { PROFESSION_LABELS } from '../professions';

/** The profession codes of TRE_G15 (src/rpps/professions.ts): a search by any other is refused. */
const PROFESSION_CODES = Object.keys(PROFESSION_LABELS) as [string, ...string[]];

/** `status`: pending (default), confirmed, rejected, applied or all; the same values as `rpps:migrations --status`; `page`, `pageSize` (50 unless given). */
export class MigrationsQuery extends createZodDto(
  z.strictObject({
    status: queryString().pipe(oneOf(MIGRATION_STATUS_FILTERS)).default('pending'),
    ...paging,
  }),
) {}

export class MigrationParams extends createZodDto(z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'expected a migration id') })) {}

export class SearchProfessionalsQuery extends createZodDto(
  z
    .strictObject({
      /** Start of the name of practice, case ignored; `%` and `_` are taken literally. */
      name: queryString(100).trim().optional(),
      /** A profession code of TRE_G15; any other is refused with the list of codes. */
      profession: queryString().pipe(oneOf(PROFESSION_CODES)).optional(),
      ...paging,
    })
    .refine((q) => q.name !== undefined || q.profession !== undefined, 'give name= or profession= (or both)'),
) {}

/**
 * An import run on a worker: `files` are names inside IMPORT_DIR (a path outside it is
 * refused); a held import is confirmed with POST /api/v1/imports/:id/confirm.
 */
export class EnqueueImportBody extends createZodDto(
  z
    .object({
      files: z.array(z.string().min(1).max(1000)).min(1, 'give at least one file name in the import directory').max(4),
      asOf: isoDay.optional(),
    })
    .catchall(z.unknown())
    .superRefine((b, ctx) => {
      for (const k of Object.keys(b)) {
        if (k === 'files' || k === 'asOf') continue;
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message:
            k === 'confirmMassChange'
              ? 'not accepted: a held import is confirmed by another operator with POST /api/v1/imports/:id/confirm'
              : 'unknown field',
        });
      }
    }),
) {}

export class ImportParams extends createZodDto(z.strictObject({ id: uuid })) {}

export class ImportsQuery extends createZodDto(z.strictObject({ ...paging })) {}

/** The page of an import's rejected lines: `page`, `pageSize` (100 unless given). */
export class ImportRejectsQuery extends createZodDto(z.strictObject({ ...paging })) {}
