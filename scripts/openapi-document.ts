import 'reflect-metadata';
import { loadConfig } from '../src/common/config/config';

/**
 * The API's OpenAPI document, built from the controllers' declarations alone: Nest's preview
 * mode resolves the modules without creating a provider, so nothing connects to PostgreSQL or
 * Redis. The document is buildOpenApiDocument's (src/common/http/openapi.ts), the builder
 * main.ts uses for /api/docs-json.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const { NestFactory } = await import('@nestjs/core');
  const { buildOpenApiDocument } = await import('../src/common/http/openapi');
  const { ApiModule } = await import('../src/root.modules');
  const app = await NestFactory.create(ApiModule.forRoot(loadConfig({})), { preview: true, logger: false, abortOnError: false });
  const doc = buildOpenApiDocument(app);
  await app.close();
  return doc as unknown as Record<string, unknown>;
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
