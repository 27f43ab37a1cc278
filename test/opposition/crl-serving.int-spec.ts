import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock/clock';
import { loadConfig } from '../../src/common/config/config';
import { dataSourceOptions } from '../../src/common/database/data-source.factory';
import { appDataSourceParts } from '../../src/data-source-parts';
import { CrlCache } from '../../src/opposition/crl-cache.service';
import { CrlPublisher } from '../../src/opposition/crl-publisher.service';
import { fixedSigner, generateDevelopmentIssuer, SoftwareCrlSigner } from '../../src/opposition/crl-signer';
import { CRL_PART_BYTES, CrlStore } from '../../src/opposition/crl-store.service';
import { openContext, TestContext } from '../support/context';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The promise fails with a 503 crl_unavailable whose detail matches. */
async function expectUnavailable(p: Promise<unknown>, detail: RegExp): Promise<void> {
  const err = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'crl_unavailable', status: 503 });
  expect((err as Error).message).toMatch(detail);
}

describe('CRLs kept in PostgreSQL and served from the API process', () => {
  let ctx: TestContext;
  let dataDir: string;
  let store: CrlStore;
  let publisher: CrlPublisher;
  let certPem: string;
  const cfg = (refreshSeconds: string) => loadConfig({ DATA_DIR: dataDir, CRL_REFRESH_SECONDS: refreshSeconds });
  const parts = async (n: string) =>
    (await ctx.ds.query(`SELECT count(*)::int AS n FROM crl_publication_part WHERE crl_number = $1`, [n]))[0].n as number;

  beforeAll(async () => {
    ctx = await openContext('crl-serving');
    dataDir = mkdtempSync(join(tmpdir(), 'cps-crl-serving-'));
    const issuer = await generateDevelopmentIssuer();
    certPem = issuer.certPem;
    store = new CrlStore(ctx.ds);
    publisher = new CrlPublisher(
      ctx.ds,
      ctx.audit,
      store,
      fixedSigner(new SoftwareCrlSigner(issuer.keyPem, certPem)),
      cfg('5'),
      Clock.system(),
    );
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 crl_unavailable before any publication, for the CRL, the delta CRL and the issuer certificate', async () => {
    const cache = new CrlCache(store, cfg('0'));
    for (const get of [() => cache.get('full'), () => cache.get('delta'), () => cache.issuerCertificate()]) {
      await expectUnavailable(get(), /none has been published yet/);
    }
  });

  it('stores each publication byte for byte with its issuer certificate, and serves it from memory with its SHA-256 as ETag', async () => {
    const full = await publisher.publishFull('t');
    const delta = (await store.current('delta'))!;
    const doc = (await store.document(full.crlNumber))!;
    expect(doc.der.equals(readFileSync(join(dataDir, full.path)))).toBe(true);
    expect(doc.issuerCertificatePem).toBe(certPem);
    const cache = new CrlCache(store, cfg('5'));
    const served = await cache.get('full');
    expect(served.der.equals(doc.der)).toBe(true);
    expect(served.etag).toBe(`"${full.sha256}"`);
    expect(served.publication).toEqual(expect.objectContaining({ crlNumber: full.crlNumber, kind: 'full', bytes: doc.der.length }));
    const servedDelta = await cache.get('delta');
    expect(servedDelta.publication.crlNumber).toBe(delta.crlNumber);
    expect(servedDelta.der.equals(readFileSync(join(dataDir, delta.path)))).toBe(true);
    expect(await cache.issuerCertificate()).toBe(certPem);
  });

  it('keeps a CRL larger than one part in several parts, reads it back whole, and serves no CRL whose bytes fail their SHA-256', async () => {
    const warm = new CrlCache(store, cfg('0'));
    const [full, delta] = [await warm.get('full'), await warm.get('delta')];
    const der = randomBytes(2 * CRL_PART_BYTES + 12345);
    const [{ n }] = await ctx.ds.query(`SELECT max(crl_number)::int + 100 AS n FROM crl_publication`);
    const deltaDer = randomBytes(1000);
    /** The full CRL's SHA-256 is wrong; the delta's is right (a delta any cache would serve, were its base served). */
    const synthetic = (crlNumber: number, kind: 'full' | 'delta', bytes: Buffer) => ({
      crlNumber: String(crlNumber),
      kind,
      baseCrlNumber: kind === 'delta' ? String(n) : null,
      entries: 0,
      thisUpdate: new Date(),
      nextUpdate: new Date(),
      path: 'synthetic',
      sha256: kind === 'full' ? 'x' : createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      watermark: '0',
      publishedBy: 't',
      issuerCertificatePem: certPem,
    });
    await ctx.ds.transaction(async (em) => {
      await store.insert(em, synthetic(n, 'full', der), der);
      await store.insert(em, synthetic(n + 1, 'delta', deltaDer), deltaDer);
    });
    try {
      expect(await parts(String(n))).toBe(3);
      expect((await store.document(String(n)))!.der.equals(der)).toBe(true);
      // Its bytes do not match the SHA-256 recorded: never served. A fresh cache has nothing to serve;
      // a warm one keeps its full CRL, and the delta that goes with it rather than the one based on the bad one.
      await expectUnavailable(new CrlCache(store, cfg('0')).get('full'), /do not match the SHA-256/);
      expect((await warm.get('full')).etag).toBe(full.etag);
      expect((await warm.get('delta')).etag).toBe(delta.etag);
    } finally {
      await ctx.ds.query(`DELETE FROM crl_publication WHERE crl_number = $1`, [n + 1]);
      await ctx.ds.query(`DELETE FROM crl_publication WHERE crl_number = $1`, [n]);
    }
    expect(await parts(String(n))).toBe(0);
  });

  it('checks the database for a newer CRL at most every CRL_REFRESH_SECONDS, then serves the newer one', async () => {
    const cache = new CrlCache(store, cfg('3'));
    const before = await cache.get('full');
    const next = await publisher.publishFull('t');
    expect((await cache.get('full')).publication.crlNumber).toBe(before.publication.crlNumber); // checked less than 3 s ago
    await sleep(3100);
    const after = await cache.get('full');
    expect(after.publication.crlNumber).toBe(next.crlNumber);
    expect(after.etag).toBe(`"${next.sha256}"`);
    expect(BigInt((await cache.get('delta')).publication.crlNumber)).toBeGreaterThan(BigInt(next.crlNumber));
  });

  it('goes on serving what it holds when the database cannot be reached, and answers 503 when it holds nothing', async () => {
    const ds = await new DataSource(dataSourceOptions(appDataSourceParts(ctx.db.url, 'test-crl-serving-2'))).initialize();
    const warm = new CrlCache(new CrlStore(ds), cfg('0'));
    const cold = new CrlCache(new CrlStore(ds), cfg('0'));
    const held = await warm.get('full');
    await ds.destroy();
    expect((await warm.get('full')).etag).toBe(held.etag);
    await expectUnavailable(cold.get('full'), /the database cannot be reached/);
  });

  it('drops the bytes of the CRLs older than the previous full CRL after a full CRL, and keeps their rows', async () => {
    const rowsBefore = (await ctx.ds.query(`SELECT count(*)::int AS n FROM crl_publication`))[0].n as number;
    const latest = await publisher.publishFull('t');
    const fulls: Array<{ n: string }> = await ctx.ds.query(
      `SELECT crl_number::text AS n FROM crl_publication WHERE kind = 'full' ORDER BY crl_number DESC LIMIT 2`,
    );
    const previous = fulls[1].n;
    const stored: Array<{ n: string }> = await ctx.ds.query(`SELECT DISTINCT crl_number::text AS n FROM crl_publication_part ORDER BY 1`);
    expect(stored.map((r) => r.n).every((n) => BigInt(n) >= BigInt(previous))).toBe(true);
    expect(stored.map((r) => r.n)).toContain(latest.crlNumber);
    expect(stored.map((r) => r.n)).toContain(previous);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM crl_publication`))[0].n).toBe(rowsBefore + 2); // full + its delta
    expect(await store.document('1')).toBeNull(); // the first CRL: row kept, bytes gone
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM crl_publication WHERE crl_number = 1`))[0].n).toBe(1);
  });
});
