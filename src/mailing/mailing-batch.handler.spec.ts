import type { Queue } from 'bullmq';
import { checkHandlers } from '../common/queue/queue-workers';
import { CODES_SWEEP_SCHEDULER_ID, CodesSweepHandler, MailingBatchHandler } from './mailing-batch.handler';
import type { MailingBatchesService } from './mailing-batches.service';
import type { MailingLettersService } from './mailing-letters.service';

describe(MailingBatchHandler.name, () => {
  it('declares the daily batches of each kind and the daily sweep of the codes, a job of its own with its own handler', async () => {
    const upserts: Array<[string, { pattern: string; tz: string }, { name: string; data: unknown }]> = [];
    const queue = { upsertJobScheduler: async (...a: (typeof upserts)[number]) => void upserts.push(a) } as unknown as Queue;
    await MailingBatchHandler.schedule(queue, { 'card-letter': '0 6 * * *', 'pin-letter': '15 6 * * *', 'codes-sweep': '45 5 * * *' });
    expect(upserts.map(([id, repeat, job]) => [id, repeat.pattern, repeat.tz, job.name, job.data])).toEqual([
      ['daily-card-letters', '0 6 * * *', 'Europe/Paris', 'mailing.batch', { kind: 'card-letter' }],
      ['daily-pin-letters', '15 6 * * *', 'Europe/Paris', 'mailing.batch', { kind: 'pin-letter' }],
      [CODES_SWEEP_SCHEDULER_ID, '45 5 * * *', 'Europe/Paris', 'mailing.codes-sweep', {}],
    ]);
    const batches = {} as MailingBatchesService;
    expect(checkHandlers([new MailingBatchHandler(batches, {} as MailingLettersService), new CodesSweepHandler(batches)])).toEqual([
      'no handler for job "orders.approved" on queue "mailing"',
      'no handler for job "card.personalized" on queue "mailing"',
      'no handler for job "card.opposed" on queue "mailing"',
    ]);
  });

  it('runs the sweep of the codes alone, as the scheduler, whatever the letters need', async () => {
    const calls: unknown[] = [];
    const batches = {
      runCodesSweep: async (o: unknown) => {
        calls.push(o);
        return { pastWindow: 2, ended: 1, requestsClosed: 1 };
      },
      run: async () => {
        throw new Error('no batch is made by the sweep');
      },
    } as unknown as MailingBatchesService;
    const logged: unknown[] = [];
    const log = { info: (o: unknown) => logged.push(o) } as never;
    expect(await new CodesSweepHandler(batches).handle({} as never, log)).toEqual({ pastWindow: 2, ended: 1, requestsClosed: 1 });
    expect(calls).toEqual([{ actor: 'system:scheduler' }]);
    expect(logged).toEqual([{ pastWindow: 2, ended: 1, requestsClosed: 1 }]);
  });
});
