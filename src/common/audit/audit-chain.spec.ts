import { ChainVerifier, canonicalJson, entryHash, GENESIS_HASH, StoredEntry } from './audit-chain';

function chain(n: number): StoredEntry[] {
  const out: StoredEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const c = {
      id: String(i),
      at: new Date(Date.UTC(2026, 10, 26, 0, 0, i)),
      actor: 'batch:test',
      action: 'x.done',
      entity: 'thing',
      entityId: `t${i}`,
      details: { n: i, nested: { b: 1, a: [1, 2] } },
    };
    const hash = entryHash(prev, c);
    out.push({ ...c, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

function verify(entries: StoredEntry[]) {
  const v = new ChainVerifier();
  for (const e of entries) v.push(e);
  return v;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth so the same content hashes the same', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe('{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
  });
});

describe(ChainVerifier.name, () => {
  it('accepts an intact chain', () => {
    const v = verify(chain(5));
    expect(v.ok).toBe(true);
    expect(v.entries).toBe(5);
  });

  it('names an entry whose content was changed', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2], actor: 'someone-else' };
    const v = verify(entries);
    expect(v.ok).toBe(false);
    expect(v.firstBadEntry).toBe('3');
  });

  it('names the entry after one that was deleted', () => {
    const entries = chain(5);
    entries.splice(1, 1);
    expect(verify(entries).firstBadEntry).toBe('3');
  });

  it('names an entry whose hash was recomputed after a change (its successor breaks)', () => {
    const entries = chain(4);
    const changed = { ...entries[1], details: { n: 99 } };
    changed.hash = entryHash(changed.prevHash, changed);
    entries[1] = changed;
    expect(verify(entries).firstBadEntry).toBe('3');
  });
});
