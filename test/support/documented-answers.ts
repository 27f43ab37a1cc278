import { z } from 'zod';

/** An OpenAPI 3.0 document, as GET /api/docs-json serves it (the parts read here). */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const REF = '#/components/schemas/';

/**
 * Holds answers of the API to what its OpenAPI document declares: the operation is found from
 * the method and the path asked (its template, `/api/v1/cards/{cardNumber}`), then the
 * response of the answer's status, and the body is validated against that response's JSON
 * schema, as the document gives it (its components resolved; zod's reading of OpenAPI 3.0:
 * `nullable`, `additionalProperties: false`, formats and patterns). What the console's client
 * is generated from is thereby what the API answers.
 */
export class DocumentedAnswers {
  private readonly templates: Array<{ method: string; path: string; pattern: RegExp; params: number }>;
  private readonly schemas = new Map<string, z.ZodType | null>();
  /** The operations (`GET /api/v1/cards/{cardNumber}`) and statuses an answer was checked for. */
  readonly checked = new Map<string, Set<number>>();

  constructor(readonly doc: OpenApiDocument) {
    this.templates = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => METHODS.includes(m))
        .map((method) => ({
          method,
          path,
          pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '[^/]+')}/?$`),
          params: (path.match(/\{\w+\}/g) ?? []).length,
        })),
    );
  }

  /** The operation a request goes to (`GET /api/v1/cards/{cardNumber}`), a literal segment before a parameter; null when none. */
  operation(method: string, url: string): string | null {
    const path = url.split('?')[0];
    const found = this.templates
      .filter((t) => t.method === method.toLowerCase() && t.pattern.test(path))
      .sort((a, b) => a.params - b.params)[0];
    return found ? `${method.toUpperCase()} ${found.path}` : null;
  }

  /** The JSON schema the document declares for the operation's answer of `status` (application/json), undefined when none. */
  declared(operation: string, status: number): unknown {
    const [method, path] = operation.split(' ');
    return this.doc.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.['application/json']?.schema;
  }

  /**
   * What is wrong with an answer (`body`, the parsed JSON) to `method url` with `status`,
   * as "path: message" lines: no operation, no schema declared for that status, or each
   * way the body differs from the schema (for a 204, see noContentProblems). Empty when the
   * answer is as documented.
   */
  problems(method: string, url: string, status: number, body: unknown): string[] {
    const operation = this.operation(method, url);
    if (!operation) return [`${method} ${url}: no operation of the document`];
    if (status === 204) return this.noContentProblems(operation, body);
    const schema = this.schemaOf(operation, status);
    if (!schema) return [`${operation} ${status}: the document declares no JSON schema for this answer`];
    this.record(operation, status);
    const r = schema.safeParse(body);
    if (r.success) return [];
    return r.error.issues.map((i) => `${operation} ${status}: ${i.path.join('.') || '(body)'}: ${i.message}`);
  }

  /**
   * A 204 answer (`body` undefined when it has none): the document must declare that response
   * without a content, and the answer must have no body.
   */
  private noContentProblems(operation: string, body: unknown): string[] {
    const [method, path] = operation.split(' ');
    const declared = this.doc.paths[path]?.[method.toLowerCase()]?.responses?.['204'];
    if (!declared) return [`${operation} 204: the document declares no such answer`];
    if (declared.content) return [`${operation} 204: the document declares a content for an answer that has none`];
    this.record(operation, 204);
    return body === undefined ? [] : [`${operation} 204: (body): the answer has a body, the document none`];
  }

  private record(operation: string, status: number): void {
    const checked = this.checked.get(operation) ?? new Set<number>();
    checked.add(status);
    this.checked.set(operation, checked);
  }

  private schemaOf(operation: string, status: number): z.ZodType | null {
    const key = `${operation} ${status}`;
    if (!this.schemas.has(key)) {
      const declared = this.declared(operation, status);
      // OpenAPI names its shared schemas #/components/schemas/X; zod's reader resolves #/definitions/X.
      const local = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(`"${REF}`, '"#/definitions/'));
      this.schemas.set(
        key,
        declared === undefined
          ? null
          : z.fromJSONSchema(
              { ...local(declared), definitions: local(this.doc.components?.schemas ?? {}) },
              { defaultTarget: 'openapi-3.0' },
            ),
      );
    }
    return this.schemas.get(key) ?? null;
  }
}
