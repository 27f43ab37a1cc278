import { checkHandlers } from './queue-workers';
import { QueueName } from './queues';

const h = (queue: QueueName, jobName: string) => ({ queue, jobName, handle: async () => undefined });

describe('checkHandlers', () => {
  it('accepts one handler per routed job of a served queue', () => {
    expect(checkHandlers([h(QueueName.RppsImport, 'rpps.import.requested')])).toEqual([]);
  });
  it('refuses a served queue with a routed job name that has no handler', () => {
    expect(checkHandlers([h(QueueName.RppsImport, 'something.else')])).toContain(
      'no handler for job "rpps.import.requested" on queue "rpps-import"',
    );
  });
  it('refuses two handlers for one job', () => {
    const list = [h(QueueName.RppsImport, 'rpps.import.requested'), h(QueueName.RppsImport, 'rpps.import.requested')];
    expect(checkHandlers(list)[0]).toMatch(/two handlers/);
  });
});
