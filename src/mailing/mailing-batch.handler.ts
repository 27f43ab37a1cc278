import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { DAILY_JOB_OPTIONS } from '../common/queue/daily-job-options';
import { JobHandler, JobLogger } from '../common/queue/job-handler';
import { DailyScheduleId, QueueName } from '../common/queue/queues';
import { LETTER_KINDS, LetterKind } from './mailing.entities';
import { MailingBatchesService } from './mailing-batches.service';
import { MailingLettersService } from './mailing-letters.service';

/** The id of the daily sweep of the codes' job scheduler. */
export const CODES_SWEEP_SCHEDULER_ID: DailyScheduleId = 'daily-codes-sweep';

/**
 * The daily batches (mailing:batch does the same by hand): card letters, then PIN letters. Each
 * run first deletes the PDFs of letters of the codes recorded printed that the API could not
 * reach (the worker owns the spool).
 */
@Injectable()
export class MailingBatchHandler implements JobHandler {
  readonly queue = QueueName.Mailing;
  readonly jobName = 'mailing.batch';

  constructor(
    private readonly batches: MailingBatchesService,
    private readonly letters: MailingLettersService,
  ) {}

  async handle(job: Job<{ kind: LetterKind }>, log: JobLogger) {
    if (!LETTER_KINDS.includes(job.data.kind)) throw new Error(`mailing.batch: unknown kind ${String(job.data.kind).slice(0, 40)}`);
    const { removed } = await this.letters.removePrintedPdfs('system:scheduler', { spoolOwner: true });
    if (removed.length) log.info({ batches: removed }, 'PDFs of printed letters of the codes deleted');
    const r = await this.batches.run({ kind: job.data.kind, actor: 'system:scheduler' });
    log.info({ ...r }, r.batchId ? 'mailing batch made' : 'no letter due');
    return r;
  }

  /**
   * Declares (or updates) the daily schedules: the batches of each kind, and the sweep of the
   * codes (CodesSweepHandler), a job of its own so that no failing batch (a letter setting
   * missing, a bad letter) keeps codes past their time. Idempotent: every worker calls it at start.
   */
  static async schedule(queue: Queue, patterns: Record<LetterKind | 'codes-sweep', string>): Promise<void> {
    for (const kind of LETTER_KINDS) {
      const id: DailyScheduleId = `daily-${kind}s`;
      await queue.upsertJobScheduler(
        id,
        { pattern: patterns[kind], tz: 'Europe/Paris' },
        { name: 'mailing.batch', data: { kind }, opts: DAILY_JOB_OPTIONS },
      );
    }
    await queue.upsertJobScheduler(
      CODES_SWEEP_SCHEDULER_ID,
      { pattern: patterns['codes-sweep'], tz: 'Europe/Paris' },
      { name: 'mailing.codes-sweep', data: {}, opts: DAILY_JOB_OPTIONS },
    );
  }
}

/**
 * The daily sweep of the codes (MailingBatchesService.runCodesSweep): codes past their reprint
 * window, or whose order was cancelled or rejected, or whose card is opposed, destroyed; the
 * reprint requests that waited for them closed. A job run `codes-sweep` in GET /api/v1/jobs.
 */
@Injectable()
export class CodesSweepHandler implements JobHandler {
  readonly queue = QueueName.Mailing;
  readonly jobName = 'mailing.codes-sweep';

  constructor(private readonly batches: MailingBatchesService) {}

  async handle(_job: Job, log: JobLogger) {
    const r = await this.batches.runCodesSweep({ actor: 'system:scheduler' });
    log.info({ ...r }, 'codes swept');
    return r;
  }
}
