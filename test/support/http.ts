import { DataSource } from 'typeorm';
import { AuditService } from '../../src/common/audit/audit.service';
import { TokensService } from '../../src/common/auth/tokens.service';
import { hostActor } from '../../src/common/cli/host-actor';
import { BASE_DATABASE_URL } from './services';

export { apiCaller, type Res, type Who } from './api-caller';

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
