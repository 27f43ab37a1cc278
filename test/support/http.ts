import { DataSource } from 'typeorm';
import { AuditService } from '../../src/common/audit/audit.service';
import { TokensService } from '../../src/common/auth/tokens.service';
import { hostActor } from '../../src/common/cli/host-actor';
import { BASE_DATABASE_URL } from './services';

/** A fetch response whose json() is untyped, as tests read it. */
export type Res = Omit<Response, 'json'> & { json(): Promise<any> };

/** What `call` sends a request as: a name in `tokens`, a raw token, or null (no Authorization header). */
export type Who = string | null;

/**
 * An authenticated JSON caller of a running API: `call(method, path, who, body?, headers?)`
 * sends `who`'s bearer token (`tokens[who]`, else `who` itself as the token; none for null),
 * the body as JSON (a string as it is: JSON made by the test, or malformed on purpose), and
 * answers the response. `url` is read at each call, so the caller can be
 * made before the API starts.
 */
export function apiCaller(url: () => string, tokens: Record<string, string>) {
  return (method: string, path: string, who: Who, body?: unknown, headers: Record<string, string> = {}): Promise<Res> =>
    fetch(`${url()}${path}`, {
      method,
      headers: {
        ...(who === null ? {} : { authorization: `Bearer ${tokens[who] ?? who}` }),
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
}

/**
 * A new API token for `role` and the principal `name` (`more`: `--kind <kind>`, `--expires-in <days>`),
 * as `tokens:create` makes it (TokensService.create, by someone at this host), on the database of
 * `env`: its token and id. Made in this process, not by a CLI process of its own (a CLI start is a
 * second or two of CPU, and the tests make dozens of tokens to get going); the command itself is
 * tested through the CLI (cli, api, audit, crl-hosts and README end-to-end tests). Throws when the
 * token is refused.
 */
export async function createToken(
  env: Record<string, string>,
  role: string,
  name: string,
  more: string[] = [],
): Promise<{ token: string; id: string }> {
  const given: { kind?: string; expiresInDays?: number } = {};
  for (let i = 0; i < more.length; i += 2) {
    if (more[i] === '--kind') given.kind = more[i + 1];
    else if (more[i] === '--expires-in') given.expiresInDays = Number(more[i + 1]);
    else throw new Error(`createToken: option ${more[i]} is not supported here (run tokens:create with runCli)`);
  }
  const ds = await new DataSource({
    type: 'postgres',
    url: env.DATABASE_URL ?? BASE_DATABASE_URL,
    entities: [],
    applicationName: 'test-create-token',
  }).initialize();
  try {
    const { token, id } = await new TokensService(ds, new AuditService(ds)).create({ role, principal: name, ...given }, hostActor());
    return { token, id };
  } finally {
    await ds.destroy();
  }
}
