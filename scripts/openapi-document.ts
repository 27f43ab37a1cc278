import 'reflect-metadata';
import { loadConfig } from '../src/common/config/config';

/**
 * The API's OpenAPI document, built from the controllers' declarations alone: Nest's preview
 * mode resolves the modules without creating a provider, so nothing connects to PostgreSQL or
 * Redis. main.ts serves the same document at /api/docs-json (both call this).
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const { NestFactory } = await import('@nestjs/core');
  const { DocumentBuilder, SwaggerModule } = await import('@nestjs/swagger');
  const { cleanupOpenApiDoc } = await import('nestjs-zod');
  const { ApiModule } = await import('../src/root.modules');
  const app = await NestFactory.create(ApiModule.forRoot(loadConfig({})), { preview: true, logger: false, abortOnError: false });
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CPx back-office')
      .setDescription('Health-professional smart cards: registry, orders, cards, opposition')
      .setVersion('1')
      .addBearerAuth()
      .addCookieAuth(
        'cps_session',
        { type: 'apiKey', in: 'cookie', description: "the console's session (POST /api/v1/session)" },
        'cps_session',
      )
      .build(),
  );
  await app.close();
  return cleanupOpenApiDoc(doc) as unknown as Record<string, unknown>;
}

if (require.main === module) {
  openApiDocument().then(
    (doc) => process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
