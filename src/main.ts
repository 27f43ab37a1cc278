import 'reflect-metadata';
import { bootConfig } from './common/config/boot';

async function main(): Promise<void> {
  const cfg = bootConfig('api');
  const { NestFactory } = await import('@nestjs/core');
  const { Logger } = await import('nestjs-pino');
  const { DocumentBuilder, SwaggerModule } = await import('@nestjs/swagger');
  const { ApiModule } = await import('./root.modules');
  const { FastPathAdapter } = await import('./common/http/fast-path.adapter');
  const { TokensService } = await import('./common/auth/tokens.service');
  const { CardsService } = await import('./orders/cards.service');
  const { cardStatusRoute } = await import('./opposition/status.fast-route');
  const adapter = new FastPathAdapter();
  const app = await NestFactory.create(ApiModule.forRoot(cfg), adapter, { bufferLogs: true });
  adapter.serveFast(app.get(TokensService), [cardStatusRoute(app.get(CardsService))]);
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CPx back-office')
      .setDescription('Health-professional smart cards: registry, orders, cards, opposition')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json' });
  await app.listen(cfg.PORT, '0.0.0.0');
  app.get(Logger).log(`API listening on port ${cfg.PORT}`);
}

main().catch((err) => {
  process.stderr.write(`api: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
