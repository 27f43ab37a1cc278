import type { Queue } from 'bullmq';
import { loadConfig } from '../common/config/config';
import { checkHandlers } from '../common/queue/queue-workers';
import { RETENTION_SCHEDULER_ID, RetentionHandler } from './retention.handler';
import type { RetentionService } from './retention.service';

describe(RetentionHandler.name, () => {
  it('declares the daily purge on the maintenance queue, Paris time, kept and retried as the other daily jobs', async () => {
    const upserts: Array<[string, { pattern: string; tz: string }, { name: string; data: unknown; opts: { removeOnFail: unknown } }]> = [];
    const queue = { upsertJobScheduler: async (...a: (typeof upserts)[number]) => void upserts.push(a) } as unknown as Queue;
    await RetentionHandler.schedule(queue, '30 3 * * *');
    expect(upserts.map(([id, repeat, job]) => [id, repeat.pattern, repeat.tz, job.name, job.data, job.opts.removeOnFail])).toEqual([
      [RETENTION_SCHEDULER_ID, '30 3 * * *', 'Europe/Paris', 'retention.run', {}, { count: 100 }],
    ]);
    const handler = new RetentionHandler({} as RetentionService, {} as never, loadConfig({}));
    expect(handler.queue).toBe('maintenance');
    expect(checkHandlers([handler])).toEqual([]);
  });

  it('runs the purge as the scheduler, with the removal of the failed jobs past RETENTION_FAILED_JOBS_DAYS', async () => {
    const calls: Array<{ actor: string; failedJobs?: unknown }> = [];
    const service = {
      run: async (o: { actor: string; failedJobs?: unknown }) => {
        calls.push(o);
        return { dryRun: false, purged: { outbox: 3 } };
      },
    } as unknown as RetentionService;
    const logged: unknown[] = [];
    const log = { info: (o: unknown) => logged.push(o) } as never;
    const r = await new RetentionHandler(service, {} as never, loadConfig({ RETENTION_FAILED_JOBS_DAYS: '7' })).handle({} as never, log);
    expect(r).toEqual({ dryRun: false, purged: { outbox: 3 } });
    expect(calls).toEqual([{ actor: 'system:scheduler', failedJobs: expect.any(Function) }]);
    expect(logged).toEqual([r]);
  });
});

describe('retention settings', () => {
  it('have defaults an agency would keep, and refuse a period that is not a whole number of days from 1 to 3650', () => {
    expect(loadConfig({})).toEqual(
      expect.objectContaining({
        RETENTION_CRON: '30 3 * * *',
        RETENTION_OUTBOX_DAYS: 30,
        RETENTION_JOB_RUNS_DAYS: 400,
        RETENTION_CONSUMED_EVENTS_DAYS: 90,
        RETENTION_IDEMPOTENCY_KEYS_DAYS: 30,
        RETENTION_REGISTRY_REJECTS_DAYS: 90,
        RETENTION_FAILED_JOBS_DAYS: 30,
      }),
    );
    expect(() => loadConfig({ RETENTION_OUTBOX_DAYS: '0', RETENTION_JOB_RUNS_DAYS: '1.5', RETENTION_CRON: 'daily' })).toThrow(
      /RETENTION_CRON="daily": expected a 5-field cron pattern[\s\S]*RETENTION_OUTBOX_DAYS="0"[\s\S]*RETENTION_JOB_RUNS_DAYS="1.5"/,
    );
  });
});
