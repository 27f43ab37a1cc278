import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { at, jsonObject, nullableText, pageFields } from '../http/answers';
import { JOB_KINDS, JOB_STATES } from '../jobs/job-run.entity';
import { QueueName } from '../queue/queues';

// What the jobs and audit routes answer (the OpenAPI document's response schemas), as JSON.

/** A job run (src/common/jobs/jobs.service.ts, JobRunView). */
const jobRunView = z.strictObject({
  id: z.uuid(),
  kind: z.enum(JOB_KINDS),
  state: z.enum(JOB_STATES).describe('queued, running, succeeded, failed (see error) or held for a person’s decision (see result)'),
  phase: nullableText('what it is doing now, when it says'),
  progress: z.number().int().describe('rows, cards or letters done so far'),
  total: z.number().int().nullable().describe('how many there are to do, when known'),
  percent: z.number().describe('progress / total, in percent (one decimal), when the total is known').nullable(),
  actor: z.string().describe('who started it'),
  params: jsonObject('what it was asked to do (files by their names only)'),
  result: jsonObject('what it did, as its command answers it; for a held run, what it waits for').nullable(),
  error: nullableText('why it failed'),
  createdAt: at,
  startedAt: at.nullable(),
  finishedAt: at.nullable(),
  updatedAt: at,
});

const queueCounts = z
  .strictObject({
    waiting: z.number().int(),
    active: z.number().int(),
    delayed: z.number().int(),
    failed: z.number().int(),
    completed: z.number().int(),
  })
  .describe("the queue's jobs by state");

/** GET /api/v1/jobs. */
export class JobsPage extends createZodDto(
  z.strictObject({
    runs: z.array(jobRunView).describe('latest first'),
    ...pageFields,
    queues: z.strictObject(
      Object.fromEntries(Object.values(QueueName).map((q) => [q, queueCounts])) as Record<QueueName, typeof queueCounts>,
    ),
    failedMessages: z
      .array(
        z.strictObject({
          id: z.string().describe('the outbox message'),
          topic: z.string(),
          queue: z.string().describe('the queue its topic goes to'),
          payload: jsonObject('ids only'),
          deliveries: z.number().int().describe('how many times it was relayed'),
          state: z
            .enum(['retrying', 'failed'])
            .describe('retrying: relayed again after OUTBOX_REDELIVERY_SECONDS; failed: refused for good'),
          error: z.string().describe('its last delivery’s error'),
          createdAt: at,
          lastRelayedAt: at.nullable(),
          failedAt: at.nullable(),
        }),
      )
      .describe('outbox messages whose delivery failed, newest first (at most 100)'),
  }),
) {}

/** GET /api/v1/jobs/:id. */
export class JobRunDetail extends createZodDto(jobRunView) {}

const checkpointView = z.strictObject({
  id: z.string(),
  size: z.number().int().describe('the length of the chain it signs'),
  head: z.string().describe('the hash of the chain’s last entry at that length'),
  signedAt: at,
  keyId: z.string().describe('SHA-256 (hex) of the signing key’s SubjectPublicKeyInfo'),
  signature: z.string().describe('base64'),
});

/** GET /api/v1/audit. */
export class AuditTrailPage extends createZodDto(
  z.strictObject({
    entries: z
      .array(
        z.strictObject({
          id: z.string(),
          at,
          actor: z.string(),
          action: z.string().describe('what was done, e.g. order.approve'),
          entity: z.string().describe('what it is about (one of the entity names GET /api/v1/audit?entity= takes)'),
          entityId: z.string(),
          details: jsonObject('what the entry recorded'),
          seq: z.number().int().nullable().describe('its place in the chain, null while it is queued'),
          prevHash: nullableText('the hash of the entry before it in the chain'),
          hash: nullableText('its hash in the chain'),
          requestId: nullableText(
            'the HTTP request (X-Request-Id) it was written for, by the API or a job that request caused; null for schedules and the CLI (not in the chained content)',
          ),
        }),
      )
      .describe('oldest first'),
    ...pageFields,
    chain: z
      .strictObject({
        size: z.number().int().describe('entries linked into the chain'),
        head: nullableText('the hash of its last entry'),
        queued: z.number().int().describe('entries waiting to be linked'),
      })
      .describe('the chain as stored (not recomputed here: audit:verify does)'),
    checkpoint: checkpointView.nullable().describe('the latest signed checkpoint (of the longest chain)'),
  }),
) {}

/** GET /api/v1/audit/checkpoints. */
export class AuditCheckpointsAnswer extends createZodDto(
  z.strictObject({
    checkpoints: z.array(checkpointView).describe('oldest first'),
    latest: checkpointView.nullable(),
    keys: z
      .array(
        z.strictObject({
          keyId: z.string(),
          algorithm: z.string(),
          publicKey: z.string().describe('PEM'),
          firstUsedAt: at,
        }),
      )
      .describe('the public keys the checkpoints were signed with'),
  }),
) {}

const checkpointRef = z.strictObject({ size: z.number().int(), signedAt: z.string() });

/** GET /api/v1/audit/verification: what `audit:verify --json` prints (AuditCheckResult), the checkpoint file by its name only. */
export class AuditVerificationAnswer extends createZodDto(
  z.strictObject({
    entries: z.number().int().describe('entries of the trail: chained and queued'),
    ok: z.boolean().describe('true when the chain recomputes and every signed checkpoint holds'),
    firstBadEntry: nullableText('the first entry whose stored link does not hold'),
    checkpoints: z.strictObject({
      checked: z.number().int().describe('checkpoints whose signature holds and that were held against the chain'),
      contradicted: z.number().int(),
      latest: checkpointRef.extend({ head: z.string() }).nullable(),
      file: z.string().describe('the checkpoints file outside the database (its name)'),
      inFile: z.number().int(),
      inTable: z.number().int(),
    }),
    contradicts: checkpointRef.nullable().describe('the first checkpoint the trail contradicts'),
    sequenced: z.number().int(),
    queued: z.number().int(),
    late: z.number().int().describe('queued entries older than the sequencing delay'),
    problems: z
      .array(
        z.strictObject({
          kind: z.string(),
          message: z.string(),
          entry: z.string().optional(),
          position: z.number().int().optional(),
          contradicts: checkpointRef.nullable(),
        }),
      )
      .describe('what does not hold, first found first'),
    checkedAt: z.iso.datetime().describe('when this check was made: the API keeps its answer 60 seconds'),
  }),
) {}
