import { setTimeout as sleep } from 'node:timers/promises';
import { TOKEN_CACHE_MS, TokensService } from '../../src/common/auth/tokens.service';
import { openContext, TestContext } from '../support/context';

describe(TokensService.name, () => {
  let ctx: TestContext;
  /** Two processes' worth of token checks: each keeps its own cache. */
  let apiA: TokensService;
  let apiB: TokensService;

  beforeAll(async () => {
    ctx = await openContext('tokens');
    apiA = new TokensService(ctx.ds, ctx.audit);
    apiB = new TokensService(ctx.ds, ctx.audit);
  });
  afterAll(async () => ctx.close());

  describe('create', () => {
    it('gives the tokens of one name, whatever its case, to one principal', async () => {
      const op = await apiA.create({ role: 'operator', principal: 'Alice Martin' }, 'test');
      const admin = await apiA.create({ role: 'admin', principal: 'alice martin' }, 'test');
      const [a, b] = [await apiA.verify(op.token), await apiA.verify(admin.token)];
      expect(a).toEqual(expect.objectContaining({ name: 'Alice Martin', kind: 'person', role: 'operator' }));
      expect(b).toEqual(expect.objectContaining({ name: 'Alice Martin', kind: 'person', role: 'admin', principalId: a!.principalId }));
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM principal WHERE lower(name) = 'alice martin'`);
      expect(n).toBe(1);
    });

    it('makes batch principals system accounts, and refuses a kind that contradicts the principal', async () => {
      const r = await apiA.create({ role: 'batch', principal: 'nightly-import' }, 'test');
      expect((await apiA.verify(r.token))!.kind).toBe('system');
      await expect(apiA.create({ role: 'operator', principal: 'nightly-import', kind: 'person' }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('is a system'),
      });
    });

    it('keeps system accounts to batch and auditor tokens: persons approve, confirm and declare', async () => {
      await apiA.create({ role: 'batch', principal: 'registry-feed' }, 'test');
      for (const role of ['operator', 'helpdesk', 'admin']) {
        await expect(apiA.create({ role, principal: 'registry-feed' }, 'test')).rejects.toMatchObject({
          code: 'validation_failed',
          message: expect.stringContaining('is a system account'),
        });
      }
      expect((await apiA.create({ role: 'auditor', principal: 'registry-feed' }, 'test')).principal).toBe('registry-feed');
    });

    it('refuses a name in another script, or one that reads like an existing principal', async () => {
      await expect(apiA.create({ role: 'operator', principal: '\u0430lice martin' }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('Latin letters'),
      });
      await apiA.create({ role: 'operator', principal: 'Zoé Durand' }, 'test');
      await expect(apiA.create({ role: 'operator', principal: 'Zoe Durand' }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('reads like the existing principal "Zoé Durand"'),
      });
      await expect(apiA.create({ role: 'operator', principal: 'zoe-durand' }, 'test')).rejects.toMatchObject({ code: 'validation_failed' });
      const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM principal WHERE name ILIKE 'zo%'`);
      expect(n).toBe(1);
    });

    it('names every bad argument and creates nothing', async () => {
      const before = await ctx.ds.query(`SELECT count(*)::int AS n FROM api_token`);
      await expect(apiA.create({ role: 'root', principal: ' ', kind: 'robot', expiresInDays: 0 }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/role.*name.*kind.*expires-in/),
      });
      await expect(apiA.create({ role: 'operator', principal: 'principal:policy' }, 'test')).rejects.toMatchObject({
        code: 'validation_failed',
      });
      expect(await ctx.ds.query(`SELECT count(*)::int AS n FROM api_token`)).toEqual(before);
    });

    it('records who created the token and the new principal in the audit trail', async () => {
      const r = await apiA.create({ role: 'helpdesk', principal: 'Bruno' }, 'host:root@desk');
      const entries = (await ctx.audit.list({ entity: 'api_token', id: r.id })).items;
      expect(entries).toEqual([expect.objectContaining({ actor: 'host:root@desk', action: 'token.created' })]);
      expect(JSON.stringify(entries)).not.toContain(r.token);
    });
  });

  describe('verify', () => {
    it('refuses a malformed or unknown token', async () => {
      expect(await apiA.verify('nope')).toBeNull();
      expect(await apiA.verify(`cps_${'A'.repeat(43)}`)).toBeNull();
    });

    it('refuses a token revoked by another process within the cache time', async () => {
      const r = await apiA.create({ role: 'operator', principal: 'Chloé' }, 'test');
      expect(await apiA.verify(r.token)).not.toBeNull();
      const revoked = await apiB.revoke(r.id, 'host:root@desk');
      expect(revoked.revoked).toBe(r.id);
      expect(await apiB.verify(r.token)).toBeNull();
      await sleep(TOKEN_CACHE_MS + 200);
      expect(await apiA.verify(r.token)).toBeNull();
      // Revoking again changes nothing and audits once.
      expect((await apiB.revoke(r.id, 'host:root@desk')).revokedAt).toEqual(revoked.revokedAt);
      const entries = (await ctx.audit.list({ entity: 'api_token', id: r.id })).items;
      expect(entries.filter((e) => e.action === 'token.revoked')).toHaveLength(1);
    });

    it('refuses an expired token, and keeps when a token was last used', async () => {
      const r = await apiA.create({ role: 'auditor', principal: 'Dora', expiresInDays: 30 }, 'test');
      const [row] = await ctx.ds.query(`SELECT expires_at - created_at AS ttl, last_used_at FROM api_token WHERE id = $1`, [r.id]);
      expect(row.ttl).toEqual(expect.objectContaining({ days: 30 }));
      expect(row.last_used_at).toBeNull();
      expect(await apiB.verify(r.token)).not.toBeNull();
      await sleep(200);
      const [used] = await ctx.ds.query(`SELECT last_used_at FROM api_token WHERE id = $1`, [r.id]);
      expect(used.last_used_at).toBeInstanceOf(Date);
      await ctx.ds.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [r.id]);
      expect(await new TokensService(ctx.ds, ctx.audit).verify(r.token)).toBeNull();
    });

    it('refuses revoking an unknown or malformed id', async () => {
      await expect(apiA.revoke('00000000-0000-0000-0000-000000000000', 'test')).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(apiA.revoke('x', 'test')).rejects.toMatchObject({ code: 'validation_failed' });
    });
  });

  it('lists tokens with their principal and lifecycle, never the token', async () => {
    const list = await apiA.list();
    expect(list.length).toBeGreaterThan(3);
    expect(list[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        principal: expect.any(String),
        role: expect.any(String),
        createdAt: expect.any(Date),
      }),
    );
    expect(Object.keys(list[0]).sort()).toEqual([
      'createdAt',
      'expiresAt',
      'id',
      'lastUsedAt',
      'principal',
      'principalKind',
      'revokedAt',
      'role',
    ]);
  });
});
