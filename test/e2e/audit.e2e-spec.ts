import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { checkpointBody, entryHash, GENESIS_HASH } from '../../src/common/audit/audit-chain';
import { applicationRoleGrants } from '../../src/common/audit/audit-database-role';
import { withDatabase } from '../../src/common/database/database-url';
import { apiCaller, createToken } from '../support/http';
import { eventually, runCli, Service, startApi, startWorker } from '../support/processes';
import { BASE_DATABASE_URL, createTestDb, REDIS_URL, TestDb, testDataDir, testQueuePrefix } from '../support/services';

/** A registry to order from (an order for someone not in it is refused). */
const day1 = join(__dirname, '..', 'fixtures', 'PS_LibreAcces_Personne_activite_202611250600.txt');
/** Three professionals of day1, each with a profession they hold. */
const REGISTERED = [
  ['810000000355', '80'],
  ['0206000085', '60'],
  ['0139100127', '91'],
] as const;

const checkpointsFile = (db: TestDb) => join(testDataDir(db.name), 'audit', 'checkpoints.jsonl');
const fileCheckpoints = (db: TestDb) =>
  readFileSync(checkpointsFile(db), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { size: number; head: string; signedAt: string; keyId: string; signature: string });
/** The earliest-signed checkpoint of the file matching `pred`, as audit:verify names it. */
const firstSigned = (db: TestDb, pred: (c: { size: number }) => boolean) => {
  const c = fileCheckpoints(db)
    .filter(pred)
    .sort((a, b) => a.signedAt.localeCompare(b.signedAt))[0];
  return { size: c.size, signedAt: c.signedAt };
};

/** As a database superuser, with the append-only triggers out of the way (what the credentials of the owner allow). */
async function asSuperuser(pg: Client, work: () => Promise<void>): Promise<void> {
  await pg.query('BEGIN');
  try {
    await pg.query(`SET LOCAL session_replication_role = replica`);
    await work();
    await pg.query('COMMIT');
  } catch (e) {
    await pg.query('ROLLBACK');
    throw e;
  }
}

/** Recomputes every link of the chain from the entries' content, so that the chain holds link by link. */
async function rehashChain(pg: Client): Promise<void> {
  const { rows } = await pg.query(
    `SELECT c.seq, a.at, a.actor, a.action, a.entity, a.entity_id AS "entityId", a.details
       FROM audit_chain c JOIN audit_log a ON a.id = c.entry_id ORDER BY c.seq`,
  );
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const hash = entryHash(prev, r);
    await pg.query(`UPDATE audit_chain SET prev_hash = $2, hash = $3 WHERE seq = $1`, [r.seq, prev, hash]);
    prev = hash;
  }
}

describe('the audit trail beyond the database', () => {
  describe('the worker sequencing, with the API and worker connected as a role that cannot change audit rows', () => {
    const role = `cps_app_e_${process.pid}_${randomBytes(3).toString('hex')}`;
    let db: TestDb;
    let pg: Client;
    let env: Record<string, string>;
    let api: (Service & { url: string }) | undefined;
    let worker: Service | undefined;
    const tokens: Record<string, string> = {};

    beforeAll(async () => {
      db = await createTestDb('audit-e2e');
      env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('audit-e2e'), AUDIT_SEQUENCE_INTERVAL_MS: '300' };
      pg = new Client({ connectionString: db.url });
      await pg.connect();
      await pg.query(`CREATE ROLE ${role} LOGIN`);
      for (const sql of applicationRoleGrants(role, db.name)) await pg.query(sql);
      for (const [who, r] of [
        ['op', 'operator'],
        ['auditor', 'auditor'],
      ]) {
        tokens[who] = (await createToken(env, r, who)).token;
      }
      expect((await runCli(['rpps:import', day1, '--json'], env)).code).toBe(0);
      const url = new URL(db.url);
      url.username = role;
      const asRole = { ...env, DATABASE_URL: url.toString(), MIGRATIONS_RUN: 'false', DATABASE_CREATE: 'false' };
      [api, worker] = await Promise.all([startApi(asRole), Promise.resolve(startWorker(asRole))]);
    });
    afterAll(async () => {
      await Promise.all([api?.stop(), worker?.stop()]);
      await pg?.end();
      await db?.drop();
      const admin = new Client({ connectionString: withDatabase(BASE_DATABASE_URL, 'postgres') });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    });

    const call = apiCaller(() => api!.url, tokens);
    const get = async (path: string, who = 'auditor') => {
      const r = await call('GET', path, who);
      return { status: r.status, body: (await r.json()) as any };
    };

    it('links every audited change within the delay and signs it; GET /api/v1/audit shows the places and the checkpoint', async () => {
      for (const [nationalId, professionCode] of REGISTERED) {
        const r = await fetch(`${api!.url}/api/v1/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.op}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            nationalId,
            professionCode,
            cardType: 'CPS',
            reason: 'manual',
          }),
        });
        expect(r.status).toBe(201);
      }
      const total = (await pg.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n as number;
      expect(total).toBeGreaterThanOrEqual(5);
      const cps = await eventually(
        async () => {
          const r = await get('/api/v1/audit/checkpoints');
          return r.body.latest?.size >= total && r.body;
        },
        15_000,
        'a checkpoint of every entry',
      );
      expect(cps.keys).toHaveLength(1);
      expect((await get('/api/v1/audit/checkpoints', 'op')).status).toBe(403);

      // an auditor checks the signature with the public key alone, from the documented text
      const key = createPublicKey(cps.keys[0].publicKey);
      const latest = cps.latest;
      expect(verify(null, Buffer.from(checkpointBody(latest)), key, Buffer.from(latest.signature, 'base64'))).toBe(true);
      expect(fileCheckpoints(db).map((c) => c.signature)).toContain(latest.signature);

      // the worker audits on its own too (e.g. a CRL at start): wait for a quiet moment where all is linked and signed
      const trail = await eventually(
        async () => {
          const r = await get('/api/v1/audit?limit=1000');
          const b = r.body;
          return b.chain.queued === 0 && b.checkpoint?.size === b.chain.size && b.entries.every((e: { seq: number | null }) => e.seq) && b;
        },
        15_000,
        'every entry linked and signed',
      );
      expect(trail.entries.map((e: { seq: number }) => e.seq).sort((a: number, b: number) => a - b)).toEqual(
        Array.from({ length: trail.chain.size }, (_, i) => i + 1),
      );
      expect(trail.checkpoint.head).toBe(trail.chain.head);
      expect(trail.entries.find((e: { seq: number }) => e.seq === trail.chain.size).hash).toBe(trail.chain.head);

      const v = await runCli(['audit:verify', '--json'], env);
      expect(v.code).toBe(0);
      expect(v.json).toMatchObject({ entries: trail.chain.size, ok: true, firstBadEntry: null, queued: 0, problems: [] });
      expect(v.json.checkpoints.inFile).toBeGreaterThanOrEqual(1);
    });

    it('has audit:verify exit 1 naming the first checkpoint when a superuser rewrites the whole chain consistently', async () => {
      await Promise.all([api?.stop(), worker?.stop()]);
      [api, worker] = [undefined, undefined];
      await asSuperuser(pg, async () => {
        await pg.query(`UPDATE audit_log SET details = details || '{"rewritten": true}'::jsonb`);
        await rehashChain(pg);
      });
      const v = await runCli(['audit:verify', '--json'], env);
      expect(v.code).toBe(1);
      expect(v.json.ok).toBe(false);
      expect(v.json.firstBadEntry).toBeNull(); // every link holds: only the signed heads tell
      const first = firstSigned(db, (c) => c.size >= 1);
      expect(v.json.contradicts).toEqual(first);
      expect(v.json.problems[0]).toMatchObject({ kind: 'chain-rewritten', contradicts: first });
      expect(v.json.problems[0].message).toContain(`no longer hash to the head signed at ${first.signedAt}`);
    });
  });

  describe('checkpoints made by audit:checkpoint', () => {
    let db: TestDb;
    let pg: Client;
    let env: Record<string, string>;
    let cps: Array<{ size: number; head: string; signedAt: string }>;

    beforeAll(async () => {
      db = await createTestDb('audit-cp');
      env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('audit-cp') };
      pg = new Client({ connectionString: db.url });
      await pg.connect();
      cps = [];
      // Each new principal's first token writes 2 entries (principal.created, token.created); its next ones, 1.
      expect((await runCli(['tokens:create', '--role', 'auditor', '--name', 'a0', '--json'], env)).code).toBe(0);
      for (const batch of [1, 2]) {
        for (let i = 0; i < batch; i++) {
          expect((await runCli(['tokens:create', '--role', 'auditor', '--name', 'a0', '--json'], env)).code).toBe(0);
        }
        const c = await runCli(['audit:checkpoint', '--json'], env);
        expect(c.code).toBe(0);
        cps.push(c.json);
      }
    });
    afterAll(async () => {
      await pg?.end();
      await db?.drop();
    });

    const entriesInChain = async () =>
      (await pg.query(`SELECT c.seq, c.entry_id, c.prev_hash, c.hash FROM audit_chain c ORDER BY c.seq`)).rows as Array<{
        seq: string;
        entry_id: string;
        prev_hash: string;
        hash: string;
      }>;

    it('signs {size, head, signedAt} of the chain, each entry in it once', async () => {
      expect(cps.map((c) => c.size)).toEqual([3, 5]);
      expect(Object.keys(cps[1]).sort()).toEqual(['head', 'integrated', 'keyId', 'signature', 'signedAt', 'size']);
      expect(cps[1].head).toMatch(/^[0-9a-f]{64}$/);
      const chain = await entriesInChain();
      expect(chain.map((c) => Number(c.seq))).toEqual([1, 2, 3, 4, 5]);
      expect(chain[4].hash).toBe(cps[1].head);
      const v = await runCli(['audit:verify', '--json'], env);
      expect(v.code).toBe(0);
      expect(v.json).toMatchObject({ entries: 5, ok: true, checkpoints: { checked: 2, inFile: 2, inTable: 2 } });
    });

    it('names the checkpoint a reordered chain contradicts', async () => {
      const before = await entriesInChain();
      await asSuperuser(pg, async () => {
        await pg.query(`UPDATE audit_chain SET entry_id = -1 WHERE seq = 4`);
        await pg.query(`UPDATE audit_chain SET entry_id = $1 WHERE seq = 5`, [before[3].entry_id]);
        await pg.query(`UPDATE audit_chain SET entry_id = $1 WHERE seq = 4`, [before[4].entry_id]);
        await rehashChain(pg);
      });
      const v = await runCli(['audit:verify', '--json'], env);
      expect(v.code).toBe(1);
      expect(v.json.contradicts).toEqual({ size: 5, signedAt: cps[1].signedAt });
      expect(v.json.problems).toEqual([expect.objectContaining({ kind: 'chain-rewritten', contradicts: v.json.contradicts })]);
      expect(v.json.problems[0].message).toContain('between positions 4 and 5');
      await asSuperuser(pg, async () => {
        await pg.query(`DELETE FROM audit_chain`);
        for (const c of before) {
          await pg.query(`INSERT INTO audit_chain (seq, entry_id, prev_hash, hash) VALUES ($1, $2, $3, $4)`, [
            c.seq,
            c.entry_id,
            c.prev_hash,
            c.hash,
          ]);
        }
      });
      expect((await runCli(['audit:verify', '--json'], env)).code).toBe(0);
    });

    it('reports an entry left unsequenced past the delay, with the first checkpoint signed after it was due', async () => {
      const [{ id }] = (
        await pg.query(
          `INSERT INTO audit_log (id, at, actor, action, entity, entity_id)
           VALUES (nextval('audit_log_id_seq'), now() - interval '1 hour', 'x', 'test.held-back', 'x', 'x') RETURNING id::text AS id`,
        )
      ).rows;
      await pg.query(`DELETE FROM audit_queue WHERE entry_id = $1`, [id]); // taken off the sequencer's list
      const v = await runCli(['audit:verify', '--json'], env);
      expect(v.code).toBe(1);
      expect(v.json).toMatchObject({ queued: 1, late: 1, contradicts: { size: 3, signedAt: cps[0].signedAt } });
      expect(v.json.problems).toEqual([
        expect.objectContaining({ kind: 'entry-late', entry: id, contradicts: { size: 3, signedAt: cps[0].signedAt } }),
      ]);
      expect(v.json.problems[0].message).toMatch(/still not in the chain, past the sequencing delay/);
      await asSuperuser(pg, async () => {
        await pg.query(`DELETE FROM audit_log WHERE id = $1`, [id]);
      });
    });

    it('has audit:verify exit 1 naming the checkpoint that a deleted tail contradicts', async () => {
      await asSuperuser(pg, async () => {
        const gone = (await pg.query(`DELETE FROM audit_chain WHERE seq > 3 RETURNING entry_id`)).rows.map((r) => r.entry_id);
        await pg.query(`DELETE FROM audit_log WHERE id = ANY($1::bigint[])`, [gone]);
      });
      const v = await runCli(['audit:verify', '--json'], env);
      expect(v.code).toBe(1);
      expect(v.json).toMatchObject({ entries: 3, ok: false, firstBadEntry: null });
      expect(v.json.contradicts).toEqual({ size: 5, signedAt: cps[1].signedAt });
      expect(v.json.problems).toEqual([expect.objectContaining({ kind: 'tail-deleted', contradicts: v.json.contradicts })]);
      expect(v.json.problems[0].message).toContain('the chain holds 3 entries, but the checkpoint signed at');
      const human = await runCli(['audit:verify'], env);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain('audit trail CONTRADICTED');
    });

    it('reports a checkpoint file that is gone while the database still holds checkpoints', async () => {
      const file = checkpointsFile(db);
      const kept = readFileSync(file);
      rmSync(file);
      try {
        const v = await runCli(['audit:verify', '--json'], env);
        expect(v.code).toBe(1);
        expect(v.json.problems).toContainEqual(expect.objectContaining({ kind: 'checkpoint-file-missing' }));
      } finally {
        writeFileSync(file, kept);
      }
    });
  });
});
