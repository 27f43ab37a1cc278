import 'reflect-metadata';
import { bootConfig } from './common/config/boot';

async function main(): Promise<void> {
  const cfg = bootConfig('worker', { logJson: true });
  (await import('./common/logging/startup-failure')).exitOnUncaught('worker');
  const { NestFactory } = await import('@nestjs/core');
  const { StderrLogger } = await import('./common/logging/stderr-logger');
  const { Logger, PinoLogger } = await import('nestjs-pino');
  const { DataSource } = await import('typeorm');
  const { WorkerModule } = await import('./root.modules');
  const { OutboxRelay } = await import('./common/outbox/outbox-relay');
  const { QueueWorkers } = await import('./common/queue/queue-workers');
  const { failFastRedisConnection, redisConnection, redisReady } = await import('./common/queue/redis');
  const { DeliveryRecorder } = await import('./common/outbox/outbox-delivery');
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
  const { OrdersApprovedHandler } = await import('./mailing/orders-approved.handler');
  const { CardsOpposedHandler, CardsPersonalizedHandler } = await import('./mailing/card-events.handler');
  const { CodesSweepHandler, MailingBatchHandler } = await import('./mailing/mailing-batch.handler');
  const { PersonalizationService } = await import('./card-personalization/personalization.service');
  const { MetricsRefresher } = await import('./common/metrics/metrics-refresher');
  const { serveMetrics } = await import('./common/metrics/metrics-server');
  const { OutboxMonitor } = await import('./common/outbox/outbox-monitor');
  const { REDIS } = await import('./common/common.module');
  const { ScheduleKeeper } = await import('./common/queue/schedule-keeper');
  const { RetentionHandler } = await import('./retention/retention.handler');

  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(cfg), {
    bufferLogs: true,
    // Until the pino logger takes over, and if the start fails before: JSON lines on stderr. A failure goes to
    // main's catch, which says it once (Nest's ExceptionHandler, which would say it first, is quiet).
    logger: new StderrLogger(cfg, cfg.LOG_LEVEL, new Set(['ExceptionHandler'])),
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  void PinoLogger;
  const log = createLogger(cfg, 'stdout').child({ role: 'worker' });
  const ds = app.get(DataSource);
  const connection = redisConnection(cfg.REDIS_URL);
  // The relay's commands fail fast while Redis is away (its rows go back, and go again when Redis is back).
  const relayConnection = failFastRedisConnection(cfg.REDIS_URL, 5000);
  relayConnection.on('error', () => undefined); // reported by the relay's own failures
  await redisReady(relayConnection, 15_000).catch((e: Error) => {
    throw new Error(`Redis at REDIS_URL is unreachable: ${e.message}`);
  });
  const workers = new QueueWorkers(
    [
      app.get(RppsImportHandler),
      app.get(RegistryEventsHandler),
      app.get(RenewalsHandler),
      app.get(OppositionRequestsHandler),
      app.get(ExpiryHandler),
      app.get(CrlDeltaHandler),
      app.get(CrlFullHandler),
      app.get(OrdersApprovedHandler),
      app.get(CardsPersonalizedHandler),
      app.get(CardsOpposedHandler),
      app.get(MailingBatchHandler),
      app.get(CodesSweepHandler),
      app.get(RetentionHandler),
    ],
    connection,
    cfg.QUEUE_PREFIX,
    log,
    new DeliveryRecorder(ds),
  );
  const relay = new OutboxRelay(ds, relayConnection, cfg.QUEUE_PREFIX, {
    batch: cfg.OUTBOX_RELAY_BATCH,
    redeliverySeconds: cfg.OUTBOX_REDELIVERY_SECONDS,
    failedJobSeconds: cfg.RETENTION_FAILED_JOBS_DAYS * 86_400,
    logger: log,
    topicOptions: (topic) => topicJobOptions(topic, { crlDeltaDelayMs: cfg.CRL_DELTA_DELAY_MS }),
  });
  // Metrics of this process (jobs, queues, outbox, pool, event loop) on a port of its own, when set.
  const metrics = new MetricsRefresher(ds, app.get(OutboxMonitor), app.get(REDIS), cfg.QUEUE_PREFIX);
  const metricsServer = cfg.WORKER_METRICS_PORT
    ? await serveMetrics(metrics, cfg.WORKER_METRICS_PORT).catch((e: Error) => {
        throw new Error(`WORKER_METRICS_PORT=${cfg.WORKER_METRICS_PORT}: cannot listen (${e.message})`);
      })
    : null;
  const auditSequencer = app.get(AuditSequencer);
  await auditSequencer.start();
  const queues = workers.start({ lockMs: cfg.QUEUE_JOB_LOCK_MS });
  relay.start(cfg.OUTBOX_RELAY_INTERVAL_MS);
  // The daily schedules: upserted at start (the configuration may have changed), then checked every
  // SCHEDULES_CHECK_SECONDS and re-created if Redis lost them (ScheduleKeeper).
  const mailingSchedules = () =>
    MailingBatchHandler.schedule(relay.queue(QueueName.Mailing), {
      'card-letter': cfg.MAILING_CARD_LETTER_CRON,
      'pin-letter': cfg.MAILING_PIN_LETTER_CRON,
      'codes-sweep': cfg.CODES_SWEEP_CRON,
    });
  const schedules = new ScheduleKeeper(
    (name) => relay.queue(name),
    {
      'daily-full-crl': () => CrlFullHandler.schedule(relay.queue(QueueName.Crl), cfg.CRL_FULL_CRON, app.get(CrlPublisher)),
      'daily-expiry-sweep': () => ExpiryHandler.schedule(relay.queue(QueueName.Opposition), cfg.EXPIRY_CRON),
      'daily-renewal-sweep': () => RenewalsHandler.schedule(relay.queue(QueueName.Renewals), cfg.RENEWAL_CRON),
      'daily-card-letters': mailingSchedules,
      'daily-pin-letters': mailingSchedules,
      'daily-codes-sweep': mailingSchedules,
      'daily-retention': () => RetentionHandler.schedule(relay.queue(QueueName.Maintenance), cfg.RETENTION_CRON),
    },
    log.child({ component: 'schedules' }),
  );
  await schedules.upsertAll();
  schedules.start(cfg.SCHEDULES_CHECK_SECONDS * 1000);
  // Encoder stations run where ENCODER_DRIVER is set explicitly (a host with encoders, or a demo's simulated one).
  const stations = new AbortController();
  let fleet: Promise<void> = Promise.resolve();
  if (cfg.ENCODER_DRIVER) {
    const personalization = app.get(PersonalizationService);
    const driver = personalization.openDriver();
    fleet = personalization.runFleet(driver, log.child({ component: 'encoders' }), stations.signal).finally(() => driver.close());
  }
  log.info(
    {
      queues,
      renewalCron: cfg.RENEWAL_CRON,
      expiryCron: cfg.EXPIRY_CRON,
      crlFullCron: cfg.CRL_FULL_CRON,
      codesSweepCron: cfg.CODES_SWEEP_CRON,
      retentionCron: cfg.RETENTION_CRON,
      schedulesCheckSeconds: cfg.SCHEDULES_CHECK_SECONDS,
      encoderDriver: cfg.ENCODER_DRIVER ?? null,
      metricsPort: cfg.WORKER_METRICS_PORT ?? null,
    },
    'worker started',
  );

  /** Cancels the running statements of this process's sessions (their application_name is this process's own). */
  const interrupt = async () => {
    await ds.query(
      `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
        WHERE application_name = current_setting('application_name') AND pid <> pg_backend_pid() AND state <> 'idle'`,
    );
  };
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const t0 = Date.now();
    log.info({ signal }, 'worker stopping');
    // Whatever happens below, the process is gone within SHUTDOWN_DEADLINE_MS (as after a crash).
    setTimeout(() => {
      log.error({}, 'worker shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    stations.abort();
    await fleet.catch((e: Error) => log.error({ err: e.message }, 'encoder stations stopped on an error'));
    await schedules.stop();
    await relay.stop();
    await auditSequencer.stop();
    await workers.stop({ graceMs: SHUTDOWN_GRACE_MS, deadlineMs: SHUTDOWN_JOBS_DEADLINE_MS, interrupt });
    metricsServer?.close();
    await metrics.close();
    await Promise.all([connection, relayConnection].map((c) => c.quit().catch(() => c.disconnect())));
    await app.close();
    log.info({ seconds: (Date.now() - t0) / 1000 }, 'worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Shutdown (SIGTERM) ends within 30 s: running jobs get SHUTDOWN_GRACE_MS to end by
 * themselves, then their statements are cancelled and they go back to their queue (a long
 * import is abandoned: nothing applied, its job run queued again); past
 * SHUTDOWN_JOBS_DEADLINE_MS they are left to BullMQ's stalled-job check, as after a crash.
 */
const SHUTDOWN_GRACE_MS = 5_000;
const SHUTDOWN_JOBS_DEADLINE_MS = 20_000;
const SHUTDOWN_DEADLINE_MS = 28_000;

main().catch((err) => {
  // One JSON line (as every other line of the process), then exit 1.
  void import('./common/logging/startup-failure').then(
    ({ exitOnFatal }) => exitOnFatal('worker', 'failed to start', err),
    () => process.exit(1),
  );
});
