import { generateKeyPairSync } from 'node:crypto';
import {
  ChainVerifier,
  canonicalJson,
  checkpointBody,
  checkpointSignatureValid,
  entryHash,
  GENESIS_HASH,
  keyIdOf,
  parseCheckpoint,
  StoredEntry,
  signCheckpoint,
} from './audit-chain';

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

describe('ChainVerifier head', () => {
  it('is recomputed from content alone, so a chain re-hashed after a change has another head', () => {
    const entries = chain(4);
    const intact = verify(entries).head;
    expect(intact).toBe(entries[3].hash);
    let prev = GENESIS_HASH;
    const rewritten = entries.map((e, i) => {
      const c = i === 1 ? { ...e, details: { n: 99 } } : e;
      const hash = entryHash(prev, c);
      const out = { ...c, prevHash: prev, hash };
      prev = hash;
      return out;
    });
    const v = verify(rewritten);
    expect(v.ok).toBe(true);
    expect(v.head).not.toBe(intact);
  });

  it('is lost from a missing entry on, which is named', () => {
    const v = new ChainVerifier();
    const entries = chain(3);
    v.push(entries[0]);
    v.pushMissing(entries[1].id, entries[1].hash);
    v.push(entries[2]);
    expect(v.head).toBeNull();
    expect(v.firstBadEntry).toBe('2');
    expect(v.firstBadPosition).toBe(2);
  });
});

describe('checkpoints', () => {
  const statement = { size: 3, head: 'ab'.repeat(32), signedAt: '2026-11-26T10:00:00.000Z' };

  it.each(['ed25519', 'ec'] as const)('are signed and checked with the public key alone (%s)', (type) => {
    const { privateKey, publicKey } =
      type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const cp = signCheckpoint(statement, privateKey, keyIdOf(publicKey));
    expect(checkpointSignatureValid(cp, publicKey)).toBe(true);
    expect(checkpointSignatureValid({ ...cp, size: 2 }, publicKey)).toBe(false);
    expect(checkpointSignatureValid({ ...cp, head: 'cd'.repeat(32) }, publicKey)).toBe(false);
    expect(checkpointSignatureValid(cp, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });

  it('sign exactly the documented text', () => {
    expect(checkpointBody({ ...statement, keyId: 'k1' })).toBe(
      `cps-audit-checkpoint/1\nsize 3\nhead ${'ab'.repeat(32)}\nsignedAt 2026-11-26T10:00:00.000Z\nkeyId k1\n`,
    );
  });

  it('are read back from a line, naming a bad field', () => {
    const line = JSON.stringify({ ...statement, keyId: 'k', signature: 'c2ln' });
    expect(parseCheckpoint(line)).toEqual({ ...statement, keyId: 'k', signature: 'c2ln' });
    expect(() => parseCheckpoint(JSON.stringify({ ...statement, size: -1, keyId: 'k', signature: 's' }))).toThrow(/size/);
    expect(() => parseCheckpoint(JSON.stringify({ ...statement, head: 'x', keyId: 'k', signature: 's' }))).toThrow(/head/);
  });
});
