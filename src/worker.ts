import 'reflect-metadata';
import { bootConfig } from './common/config/boot';

async function main(): Promise<void> {
  const cfg = bootConfig('worker');
  const { NestFactory } = await import('@nestjs/core');
  const { Logger, PinoLogger } = await import('nestjs-pino');
  const { DataSource } = await import('typeorm');
  const { WorkerModule } = await import('./root.modules');
  const { OutboxRelay } = await import('./common/outbox/outbox-relay');
  const { QueueWorkers } = await import('./common/queue/queue-workers');
  const { redisConnection } = await import('./common/queue/redis');
  const { createLogger } = await import('./common/logging/logging');
  const { RppsImportHandler } = await import('./rpps/rpps-import.handler');
  const { RegistryEventsHandler } = await import('./orders/registry-events.handler');
  const { RenewalsHandler } = await import('./orders/renewals.handler');
  const { QueueName, topicJobOptions } = await import('./common/queue/queues');
  const { CrlPublisher } = await import('./opposition/crl-publisher.service');
  const { AuditSequencer } = await import('./common/audit/audit-sequencer.service');
  const { OppositionRequestsHandler } = await import('./opposition/opposition-requests.handler');
  const { ExpiryHandler } = await import('./opposition/expiry.handler');
  const { CrlDeltaHandler } = await import('./opposition/crl-delta.handler');
  const { CrlFullHandler } = await import('./opposition/crl-full.handler');

  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(cfg), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  void PinoLogger;
  const log = createLogger(cfg, 'stdout').child({ role: 'worker' });
  const ds = app.get(DataSource);
  const connection = redisConnection(cfg.REDIS_URL);
  const workers = new QueueWorkers(
    [
      app.get(RppsImportHandler),
      app.get(RegistryEventsHandler),
      app.get(RenewalsHandler),
      app.get(OppositionRequestsHandler),
      app.get(ExpiryHandler),
      app.get(CrlDeltaHandler),
      app.get(CrlFullHandler),
    ],
    connection,
    cfg.QUEUE_PREFIX,
    log,
  );
  const relay = new OutboxRelay(ds, connection, cfg.QUEUE_PREFIX, cfg.OUTBOX_RELAY_BATCH, log, (topic) =>
    topicJobOptions(topic, { crlDeltaDelayMs: cfg.CRL_DELTA_DELAY_MS }),
  );
  const auditSequencer = app.get(AuditSequencer);
  await auditSequencer.start();
  const queues = workers.start();
  relay.start(cfg.OUTBOX_RELAY_INTERVAL_MS);
  await RenewalsHandler.schedule(relay.queue(QueueName.Renewals), cfg.RENEWAL_CRON);
  await ExpiryHandler.schedule(relay.queue(QueueName.Opposition), cfg.EXPIRY_CRON);
  await CrlFullHandler.schedule(relay.queue(QueueName.Crl), cfg.CRL_FULL_CRON, app.get(CrlPublisher));
  log.info({ queues, renewalCron: cfg.RENEWAL_CRON, expiryCron: cfg.EXPIRY_CRON, crlFullCron: cfg.CRL_FULL_CRON }, 'worker started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker stopping');
    await relay.stop();
    await auditSequencer.stop();
    await workers.stop();
    await connection.quit().catch(() => connection.disconnect());
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`worker: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
