/**
 * What the HTTP benchmarks (`api`, `crl`) share: autocannon (v9 has no bundled types:
 * the part used here), flags, PostgreSQL clients, tokens.
 */
import { Client } from 'pg';
import { withDatabase } from '../src/common/database/database-url';
import { runCli } from './api-process';
import { BenchFailure } from './harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const autocannon = require('autocannon') as Autocannon;

// ---- autocannon (v9, no bundled types): the part this benchmark uses ----

export interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (req: AcRequest, context: Record<string, unknown>) => AcRequest | null;
}

export interface AcOptions {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  pipelining?: number;
  headers?: Record<string, string>;
  requests: AcRequest[];
}

export interface AcHistogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  total: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  p99_9?: number;
  sent?: number;
}

export interface AcResult {
  duration: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  resets: number;
  '2xx': number;
  '4xx': number;
  '5xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: AcHistogram & { totalCount: number };
  requests: AcHistogram & { sent: number };
}

export type Autocannon = (opts: AcOptions, cb: (err: Error | null, result: AcResult) => void) => unknown;

export function runAutocannon(opts: AcOptions): Promise<AcResult> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export function numFlag(v: string | true | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n <= 0) throw new BenchFailure(`--${name} needs a positive number`);
  return n;
}

export async function connect(url: string, applicationName = 'cps-bench'): Promise<Client> {
  const c = new Client({ connectionString: url, application_name: applicationName });
  await c.connect();
  return c;
}

export async function adminClient(url: string): Promise<Client> {
  try {
    return await connect(withDatabase(url, 'postgres'));
  } catch {
    return connect(url);
  }
}

export function tail(s: string, max = 4000): string {
  return s.length > max ? `…${s.slice(s.length - max)}` : s;
}

export function statusSummary(stats: Record<string, { count: number }>): string {
  const parts = Object.entries(stats)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, s]) => `${code}×${s.count}`);
  return parts.length ? parts.join(', ') : 'none';
}

export async function createToken(env: NodeJS.ProcessEnv, role = 'operator'): Promise<string> {
  const r = await runCli(['tokens:create', '--role', role, '--name', `bench-${role}`, '--json'], env);
  let token: unknown;
  try {
    token = (JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { token?: unknown }).token;
  } catch {
    token = undefined;
  }
  if (r.code !== 0 || typeof token !== 'string') {
    throw new BenchFailure(`tokens:create failed (exit ${r.code})\n--- stderr ---\n${tail(r.stderr)}\n--- stdout ---\n${tail(r.stdout)}`);
  }
  return token;
}
