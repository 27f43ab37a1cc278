import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { isoDayOrTime, queryInt, queryString } from '../http/validation';

export class JobsQuery extends createZodDto(
  z.strictObject({
    kind: queryString(50).optional(),
    state: queryString(20).optional(),
  }),
) {}

export class AuditQuery extends createZodDto(
  z.strictObject({
    entity: queryString(100).optional(),
    id: queryString(200).optional(),
    from: queryString(40).pipe(isoDayOrTime).optional(),
    to: queryString(40).pipe(isoDayOrTime).optional(),
    limit: queryInt(1, 1000).optional(),
    /** Entries after this id (paging). */
    after: queryString(20).regex(/^\d+$/, 'expected an entry id').optional(),
  }),
) {}

export class CheckpointsQuery extends createZodDto(
  z.strictObject({
    /** Checkpoints after this id (paging). */
    after: queryString(20).regex(/^\d+$/, 'expected a checkpoint id').optional(),
    limit: queryInt(1, 1000).optional(),
  }),
) {}
