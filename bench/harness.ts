/**
 * Helpers shared by the benchmarks (`bench/<name>.bench.ts`): machine description,
 * timing, child processes measured for wall time and peak memory, and the final JSON
 * line every benchmark prints last on stdout.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemoryGiB: number;
  node: string;
  platform: string;
  kernel: string;
  /** `SHOW server_version` of the PostgreSQL server, when a client was given */
  postgres?: string;
}

/** The least a benchmark needs of a `pg` client (a `Client` or a `Pool`). */
export interface QueryClient {
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
}

export async function machineInfo(pg?: QueryClient): Promise<MachineInfo> {
  const cpus = os.cpus();
  const info: MachineInfo = {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
    kernel: os.release(),
  };
  if (pg) {
    const r = await pg.query('SHOW server_version');
    info.postgres = String(r.rows[0]?.server_version ?? 'unknown');
  }
  return info;
}

/** Prints the machine description (human-readable, on stdout) and returns it. */
export async function printMachine(pg?: QueryClient): Promise<MachineInfo> {
  const m = await machineInfo(pg);
  console.log(
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGiB} GiB, node ${m.node}, ${m.platform}` +
      (m.postgres ? `, PostgreSQL ${m.postgres}` : ''),
  );
  return m;
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs `fn`, prints `label: N.NNs`, returns its result and the seconds it took. */
export async function timeIt<T>(label: string, fn: () => Promise<T> | T): Promise<{ result: T; seconds: number }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label}: ${seconds.toFixed(2)}s`);
  return { result, seconds };
}

export interface MeasuredRun {
  /** exit code; null when killed by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** highest VmHWM seen in /proc/<pid>/status (MiB); the child's own children are not counted */
  peakRssMb: number;
}

export interface SpawnMeasuredOptions {
  cwd?: string;
  /** copy the child's stderr to ours as it comes (progress, logs) */
  echoStderr?: boolean;
  /** polling period of /proc/<pid>/status, ms (default 100) */
  pollMs?: number;
}

/** VmHWM (peak resident set) of a process in KiB, or null once it is gone. */
export function readPeakRssKb(pid: number): number | null {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) : null;
}

/**
 * Spawns `cmd args` with `env` (the full environment of the child), collects its
 * output, and measures its wall time and peak RSS by polling /proc/<pid>/status.
 * Never rejects for a non-zero exit: the caller checks `code`.
 */
export function spawnMeasured(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  opts: SpawnMeasuredOptions = {},
): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let peakKb = 0;
    const poll = (): void => {
      if (child.pid === undefined) return;
      const kb = readPeakRssKb(child.pid);
      if (kb !== null && kb > peakKb) peakKb = kb;
    };
    const timer = setInterval(poll, opts.pollMs ?? 100);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.echoStderr) process.stderr.write(b);
    });
    child.once('spawn', poll);
    child.once('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.once('exit', poll); // the process may still be readable (zombie) here
    child.once('close', (code, signal) => {
      clearInterval(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
        peakRssMb: round(peakKb / 1024, 1),
      });
    });
  });
}

/** Prints `obj` as exactly one line of JSON on stdout: the last line a benchmark prints. */
export function finalJsonLine(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

/** Parses `--name value` / `--name=value` / `--flag` arguments. */
export function parseFlags(argv: string[]): { flags: Map<string, string | true>; positional: string[] } {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      flags.set(a.slice(2), argv[++i]);
    } else {
      flags.set(a.slice(2), true);
    }
  }
  return { flags, positional };
}

/** An error whose message a benchmark prints before exiting 1 (e.g. a failed child's stderr). */
export class BenchFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchFailure';
  }
}
