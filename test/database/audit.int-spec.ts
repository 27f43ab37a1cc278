import { AuditService } from '../../src/common/audit/audit.service';
import { openContext, TestContext } from '../support/context';

describe(AuditService.name, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openContext('audit');
  });
  afterAll(async () => ctx.close());

  it('chains entries in the database exactly as the verifier recomputes them, whatever the text', async () => {
    await ctx.ds.transaction(async (em) => {
      await ctx.audit.appendMany(em, [
        {
          actor: 'operator:Hélène',
          action: 'test.one',
          entity: 'x',
          entityId: '1',
          details: { name: "D'ALMEIDA « Œ » 😀", n: 1.5, deep: { b: [1, 'é'], a: null } },
        },
        { actor: 'operator:bob', action: 'test.two', entity: 'x', entityId: '2', details: { quote: '"\\\n\t', list: [] } },
      ]);
    });
    await ctx.audit.append(ctx.ds.manager, { actor: 'system', action: 'test.three', entity: 'x', entityId: '3' });
    expect(await ctx.audit.verify()).toEqual({ entries: 3, ok: true, firstBadEntry: null });
  });

  it('serialises 30 concurrent appenders into one unbroken chain', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ctx.audit.append(ctx.ds.manager, { actor: `a${i}`, action: 'test.many', entity: 'x', entityId: String(i) }),
      ),
    );
    expect(await ctx.audit.verify()).toEqual({ entries: 33, ok: true, firstBadEntry: null });
  });

  it('rolls the entry back with the transaction it records', async () => {
    await expect(
      ctx.ds.transaction(async (em) => {
        await ctx.audit.append(em, { actor: 'x', action: 'test.rolled-back', entity: 'x', entityId: 'never-committed' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await ctx.audit.find({ id: 'never-committed' })).toEqual([]);
    expect((await ctx.audit.verify()).ok).toBe(true);
  });
});
