import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';

/**
 * The API's OpenAPI document, from the routes' declarations (their zod schemas, through
 * nestjs-zod). The one builder: main.ts serves it at /api/docs-json, and
 * scripts/openapi-document.ts builds it from an app in preview mode (no database, no Redis)
 * for the console's typed client (scripts/console-client.ts).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CPx back-office')
      .setDescription('Health-professional smart cards: registry, orders, cards, opposition')
      .setVersion('1')
      .addBearerAuth()
      .addCookieAuth(
        'cps_session',
        {
          type: 'apiKey',
          in: 'cookie',
          description: "the console's session (POST /api/v1/session); named __Host-cps_session where it is Secure (SESSION_COOKIE_SECURE)",
        },
        'cps_session',
      )
      .build(),
  );
  return cleanupOpenApiDoc(doc);
}
