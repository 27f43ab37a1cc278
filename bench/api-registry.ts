/**
 * The registry the `api` benchmark orders from: an order is refused unless its
 * (nationalId, professionCode) is active in the registry, so the bench database gets one
 * first, the way production does. A synthetic extract is written by the project's own
 * generator (bench/generators/rpps-generator.ts), imported with the real
 * `rpps:import --json` (the baseline into the empty registry), and the imported pairs are
 * read back: the benchmark then orders each pair once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from 'pg';
import { runCli } from './api-process';
import { generateRegistryDay1, mulberry32 } from './generators/rpps-generator';
import { BenchFailure, round } from './harness';
import { tail } from './http-load';

export interface SeededRegistry {
  /** Active (nationalId, professionCode) pairs, in a fixed order. */
  pairs: Array<{ nationalId: string; professionCode: string }>;
  persons: number;
  generateSeconds: number;
  importSeconds: number;
  seconds: number;
}

/**
 * Generates an extract of `persons` people (about 1.03 (person, profession) pairs each)
 * in `dir`, imports it into the database of `env` with `rpps:import`, and returns the
 * pairs the registry now holds. The file is removed afterwards.
 */
export async function seedRegistry(env: NodeJS.ProcessEnv, db: Client, dir: string, persons: number): Promise<SeededRegistry> {
  const t0 = process.hrtime.bigint();
  const file = path.join(dir, 'PS_LibreAcces_Personne_activite_202611250600.txt');
  const generated = await generateRegistryDay1({ persons, seed: 20261125, layout: 52, out: file });
  const generateSeconds = generated.seconds;
  const t1 = process.hrtime.bigint();
  const run = await runCli(['rpps:import', file, '--json'], env, 600_000);
  const importSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  fs.rmSync(file, { force: true });
  let status: unknown;
  try {
    status = (JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { status?: unknown }).status;
  } catch {
    status = undefined;
  }
  if (run.code !== 0 || status !== 'baseline') {
    throw new BenchFailure(
      `rpps:import of the bench registry failed (exit ${run.code}, status ${String(status)})\n--- stderr ---\n${tail(run.stderr)}\n--- stdout ---\n${tail(run.stdout)}`,
    );
  }
  // The benchmark's own read of what it seeded (the API never reads the registry this way).
  const r = await db.query(
    `SELECT pr.national_id AS "nationalId", pr.profession_code AS "professionCode"
       FROM rpps_profession pr JOIN rpps_professional p ON p.national_id = pr.national_id
      WHERE p.ceased_at IS NULL ORDER BY pr.national_id, pr.profession_code`,
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    pairs: r.rows,
    persons: generated.persons,
    generateSeconds: round(generateSeconds),
    importSeconds: round(importSeconds),
    seconds: round(seconds),
  };
}

// ---- orders: every request a different (nationalId, professionCode) of the registry ----

/**
 * Hands out the seeded registry's (nationalId, professionCode) pairs as order bodies, each
 * once, in a shuffled but fixed order (index look-ups all over the registry, as in life).
 * Past the last pair it starts again (those orders answer 409: raise --registry).
 */
export class OrderBodies {
  private next = 0;
  private readonly pairs: ReadonlyArray<{ nationalId: string; professionCode: string }>;

  constructor(pairs: ReadonlyArray<{ nationalId: string; professionCode: string }>) {
    if (!pairs.length) throw new BenchFailure('the seeded registry holds no (nationalId, professionCode) pair');
    const shuffled = [...pairs];
    const rng = mulberry32(8);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    this.pairs = shuffled;
  }

  get issued(): number {
    return this.next;
  }

  /** Whether more bodies were asked for than the registry has pairs. */
  get exhausted(): boolean {
    return this.next > this.pairs.length;
  }

  get capacity(): number {
    return this.pairs.length;
  }

  take(): { index: number; json: string } {
    const i = this.next++;
    const pair = this.pairs[i % this.pairs.length];
    return { index: i, json: JSON.stringify({ ...pair, cardType: 'CPS', reason: 'manual' }) };
  }
}
