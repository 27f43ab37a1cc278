import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { AUDIT_ENTITIES } from '../audit/audit-entities';
import { bigintId, instantAfter, instantFrom, isoDayOrTime, oneOf, paging, queryInt, queryString, uuid } from '../http/validation';
import { JOB_KINDS, JOB_STATES } from '../jobs/job-run.entity';

export class JobsQuery extends createZodDto(
  z.strictObject({
    kind: queryString(50).pipe(oneOf(JOB_KINDS)).optional(),
    state: queryString(20).pipe(oneOf(JOB_STATES)).optional(),
    ...paging,
  }),
) {}

export class JobParams extends createZodDto(z.strictObject({ id: uuid })) {}

export class AuditQuery extends createZodDto(
  z
    .strictObject({
      entity: queryString(100).pipe(oneOf(AUDIT_ENTITIES)).optional(),
      id: queryString(200).optional(),
      /** A day (from its midnight in Europe/Paris) or a timestamp (without offset: Paris time), included. */
      from: queryString(40).pipe(isoDayOrTime).transform(instantFrom).optional(),
      /** A day (included whole, to its end in Europe/Paris) or a timestamp, included. */
      to: queryString(40).pipe(isoDayOrTime).transform(instantAfter).optional(),
      page: paging.page,
      pageSize: queryInt(1, 1000).optional(),
      /** The older name of pageSize. */
      limit: queryInt(1, 1000).optional(),
      /** Entries after this id (paging). */
      after: bigintId('an entry id').optional(),
    })
    .refine((q) => q.limit === undefined || q.pageSize === undefined, { message: 'give pageSize or limit, not both', path: ['limit'] }),
) {}

export class CheckpointsQuery extends createZodDto(
  z.strictObject({
    /** Checkpoints after this id (paging). */
    after: bigintId('a checkpoint id').optional(),
    limit: queryInt(1, 1000).optional(),
  }),
) {}
