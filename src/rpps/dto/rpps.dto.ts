import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { isoDay, oneOf, paging, queryString } from '../../common/http/validation';

export class MigrationsQuery extends createZodDto(
  z.strictObject({
    status: queryString()
      .pipe(oneOf(['pending', 'confirmed', 'rejected', 'applied']))
      .optional(),
  }),
) {}

export class MigrationParams extends createZodDto(z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'expected a migration id') })) {}

export class SearchProfessionalsQuery extends createZodDto(
  z
    .strictObject({
      /** Start of a name (practice name or first name), accents and case ignored. */
      name: queryString(100).optional(),
      profession: queryString()
        .regex(/^\d{2}$/, 'expected a 2-digit profession code')
        .optional(),
      ...paging,
    })
    .refine((q) => q.name !== undefined || q.profession !== undefined, 'give name= or profession= (or both)'),
) {}

/** An import run on a worker, from files it can read. */
export class EnqueueImportBody extends createZodDto(
  z.strictObject({
    files: z.array(z.string().min(1).max(1000)).min(1, 'give at least one file').max(4),
    asOf: isoDay.optional(),
    confirmMassChange: z.boolean().optional(),
  }),
) {}
