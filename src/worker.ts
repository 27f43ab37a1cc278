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
  const { RppsImportProcessor } = await import('./rpps/rpps-import.processor');
  const { RegistryEventsConsumer } = await import('./orders/registry-events.consumer');
  const { RenewalsProcessor } = await import('./orders/renewals.processor');
  const { QueueName, topicJobOptions } = await import('./common/queue/queues');
  const { CrlPublisher } = await import('./opposition/crl-publisher.service');
  const { AuditSequencer } = await import('./common/audit/audit-sequencer.service');
  const { OppositionRequestsHandler, ExpiryProcessor, CrlDeltaHandler, CrlFullProcessor } = await import(
    './opposition/opposition.processor'
  );

  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  void PinoLogger;
  const log = createLogger(cfg, 'stdout').child({ role: 'worker' });
  const ds = app.get(DataSource);
  const connection = redisConnection(cfg.REDIS_URL);
  const workers = new QueueWorkers(
    [
      app.get(RppsImportProcessor),
      app.get(RegistryEventsConsumer),
      app.get(RenewalsProcessor),
      app.get(OppositionRequestsHandler),
      app.get(ExpiryProcessor),
      app.get(CrlDeltaHandler),
      app.get(CrlFullProcessor),
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
  await RenewalsProcessor.schedule(relay.queue(QueueName.Renewals), cfg.RENEWAL_CRON);
  await ExpiryProcessor.schedule(relay.queue(QueueName.Opposition), cfg.EXPIRY_CRON);
  await CrlFullProcessor.schedule(relay.queue(QueueName.Crl), cfg.CRL_FULL_CRON, app.get(CrlPublisher));
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
