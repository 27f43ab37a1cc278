import 'reflect-metadata';
import { bootConfig } from './common/config/boot';

async function main(): Promise<void> {
  const cfg = bootConfig('api', { logJson: true });
  (await import('./common/logging/startup-failure')).exitOnUncaught('api');
  const { NestFactory } = await import('@nestjs/core');
  const { StderrLogger } = await import('./common/logging/stderr-logger');
  const { Logger } = await import('nestjs-pino');
  const { SwaggerModule } = await import('@nestjs/swagger');
  const { ApiModule } = await import('./root.modules');
  const { FastPathAdapter } = await import('./common/http/fast-path.adapter');
  const { TokensService } = await import('./common/auth/tokens.service');
  const { AuthFailures } = await import('./common/auth/auth-failures');
  const { default: helmet } = await import('helmet');
  const { bodyLimitBytes, bodyParserErrors, jsonBodiesOnly } = await import('./common/http/body-errors');
  const { consoleStatic } = await import('./common/http/console-static');
  const { buildOpenApiDocument } = await import('./common/http/openapi');
  const { noStore } = await import('./common/http/no-store');
  const { httpMetrics } = await import('./common/metrics/http-metrics.middleware');
  const { watchPool } = await import('./common/metrics/metrics');
  const { requestIds } = await import('./common/logging/request-context');
  const { listenInternal, splitPorts } = await import('./common/http/internal-port');
  const { CardsService } = await import('./orders/cards.service');
  const { cardStatusRoute } = await import('./opposition/status.fast-route');
  const { OrdersService } = await import('./orders/orders.service');
  const { createOrderRoute } = await import('./orders/orders.fast-route');
  const { DataSource } = await import('typeorm');
  const { databaseTimeouts, poolQueryable, processApplicationName, sidePool } = await import('./common/database/data-source.factory');
  const adapter = new FastPathAdapter();
  const app = await NestFactory.create<import('@nestjs/platform-express').NestExpressApplication>(ApiModule.forRoot(cfg), adapter, {
    bufferLogs: true,
    bodyParser: false,
    // Until the pino logger takes over, and if the start fails before: JSON lines on stderr. A failure goes to
    // main's catch, which says it once (Nest's ExceptionHandler, which would say it first, is quiet).
    logger: new StderrLogger(cfg, cfg.LOG_LEVEL, new Set(['ExceptionHandler'])),
    abortOnError: false,
  });
  // The card status route (token check included) has a pool of its own: a saturated main pool cannot starve it.
  const statusPool = sidePool(cfg.DATABASE_URL, cfg.DATABASE_STATUS_POOL_SIZE, processApplicationName('cps-status'), databaseTimeouts(cfg));
  const { AuditService } = await import('./common/audit/audit.service');
  const { ConsoleSessionsService } = await import('./common/auth/console-sessions.service');
  const { PasswordChecks } = await import('./common/auth/password-checks');
  const { Clock } = await import('./common/clock/clock');
  watchPool('status', () => statusPool);
  const statusDs = poolQueryable(statusPool) as InstanceType<typeof DataSource>;
  const statusTokens = new TokensService(statusDs, app.get(AuditService));
  const statusSessions = new ConsoleSessionsService(
    statusDs,
    app.get(AuditService),
    app.get(AuthFailures),
    cfg,
    app.get(Clock),
    app.get(PasswordChecks),
  );
  adapter.serveFast({ failures: app.get(AuthFailures), trustProxy: cfg.TRUST_PROXY, bodyLimit: bodyLimitBytes(cfg.HTTP_BODY_LIMIT) }, [
    cardStatusRoute(app.get(CardsService), statusTokens, statusSessions, statusPool),
    createOrderRoute(app.get(OrdersService), app.get(TokensService), app.get(ConsoleSessionsService)),
  ]);
  // One trusted hop: req.ip is the address the proxy appended, as clientAddress() takes it.
  if (cfg.TRUST_PROXY) app.set('trust proxy', 1);
  // First: the request's id (echoed, and in the context of what follows), then its count, whatever answers it
  // (the port split's 404 included).
  app.use(requestIds());
  app.use(httpMetrics());
  if (cfg.INTERNAL_PORT) app.use(splitPorts(cfg.INTERNAL_PORT));
  app.use(helmet());
  app.use('/api/v1', noStore());
  app.use(consoleStatic());
  app.useBodyParser('json', { limit: cfg.HTTP_BODY_LIMIT });
  app.use(bodyParserErrors(cfg.HTTP_BODY_LIMIT));
  app.use(jsonBodiesOnly());
  // Again after the body parser, whose stream events leave the request's context behind.
  app.use(requestIds());
  app.useLogger(app.get(Logger));
  const { ShutdownSignal } = await import('@nestjs/common');
  const { Drain } = await import('./common/health/drain');
  const drainMs = cfg.SHUTDOWN_DRAIN_SECONDS * 1000;
  // With a drain, SIGTERM is handled below (Nest closes the application when the drain ends).
  app.enableShutdownHooks(drainMs > 0 ? Object.values(ShutdownSignal).filter((s) => s !== ShutdownSignal.SIGTERM) : undefined);
  let internal: import('node:http').Server | undefined;
  // SIGTERM: Nest stops accepting connections, lets the requests under way end, closes its
  // connections; whatever is left at API_SHUTDOWN_DEADLINE_MS is cut off.
  const deadline = () => {
    setTimeout(() => {
      app
        .get(Logger)
        .error({ deadlineMs: API_SHUTDOWN_DEADLINE_MS }, `api: shutdown took more than ${API_SHUTDOWN_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, API_SHUTDOWN_DEADLINE_MS).unref();
    void statusPool.end().catch(() => undefined);
    internal?.close();
  };
  process.once('SIGINT', deadline);
  if (drainMs > 0) {
    // SIGTERM with SHUTDOWN_DRAIN_SECONDS: /health and /health/ready answer 503 for that long (a load balancer stops sending)
    // while every request is still served; then the shutdown above.
    process.once('SIGTERM', () => {
      app.get(Drain).begin();
      app.get(Logger).log(`SIGTERM: draining for ${cfg.SHUTDOWN_DRAIN_SECONDS} s (/health and /health/ready answer 503), then stopping`);
      setTimeout(() => {
        deadline();
        app.close().then(
          () => process.exit(0),
          (e: Error) => {
            app.get(Logger).error({ err: e }, `api: shutdown failed: ${e.message}`);
            process.exit(1);
          },
        );
      }, drainMs);
    });
  } else {
    process.once('SIGTERM', deadline);
  }
  SwaggerModule.setup('api/docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
  // A client gets HTTP_REQUEST_TIMEOUT_MS to send a whole request (Node's default is 5 minutes,
  // a slow-body client holding its connection and buffer all that time).
  const server = app.getHttpServer() as import('node:http').Server;
  server.requestTimeout = HTTP_REQUEST_TIMEOUT_MS;
  server.headersTimeout = HTTP_HEADERS_TIMEOUT_MS;
  await app.listen(cfg.PORT, '0.0.0.0');
  app.get(Logger).log(`API listening on port ${cfg.PORT}`);
  if (cfg.INTERNAL_PORT) {
    internal = await listenInternal(app.getHttpAdapter().getInstance(), cfg.INTERNAL_PORT);
    internal.requestTimeout = HTTP_REQUEST_TIMEOUT_MS;
    internal.headersTimeout = HTTP_HEADERS_TIMEOUT_MS;
    app.get(Logger).log(`metrics and API documents on the internal port ${cfg.INTERNAL_PORT}`);
  }
}

/** The time a client has to send a request's headers, and the whole request. */
const HTTP_HEADERS_TIMEOUT_MS = 20_000;
const HTTP_REQUEST_TIMEOUT_MS = 30_000;

/** SIGTERM ends the API within 10 s (after its drain, SHUTDOWN_DRAIN_SECONDS). */
const API_SHUTDOWN_DEADLINE_MS = 8_000;

main().catch((err) => {
  // One JSON line (as every other line of the process), then exit 1.
  void import('./common/logging/startup-failure').then(
    ({ exitOnFatal }) => exitOnFatal('api', 'failed to start', err),
    () => process.exit(1),
  );
});
