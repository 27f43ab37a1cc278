/**
 * Child processes of the API benchmark: the HTTP API (`dist/src/main.js`), one-shot CLI
 * commands (`dist/src/cli.js`), and CPU time read from /proc. Same approach as
 * test/support/processes.ts (which benchmarks must not import), plus peak-RSS polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { BenchFailure, readPeakRssKb, round } from './harness';

/** dist/ (this file runs as dist/bench/api-process.js). */
const DIST = path.join(__dirname, '..');
/** The repository root: the working directory of the children (DATA_DIR is ./var). */
export const ROOT = path.join(DIST, '..');
export const API_ENTRY = path.join(DIST, 'src', 'main.js');
export const CLI_ENTRY = path.join(DIST, 'src', 'cli.js');
export const WORKER_ENTRY = path.join(DIST, 'src', 'worker.js');

function tail(s: string, max = 6000): string {
  return s.length > max ? `…${s.slice(s.length - max)}` : s;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli.js ...args` to its end. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningApi {
  child: ChildProcess;
  pid: number;
  url: string;
  port: number;
  /** seconds from spawn to the first /health 200 (includes the migrations) */
  startSeconds: number;
  /** everything the API printed (stdout and stderr) */
  output(): string;
  /** highest VmHWM seen so far (MiB); polled every 100 ms while the API runs */
  peakRssMb(): number;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited */
  stop(): Promise<void>;
}

/**
 * Starts the HTTP API on a free port and waits until GET /health answers 200. `nodeArgs` go
 * before the script (`--cpu-prof --cpu-prof-dir=DIR` to profile it).
 */
export async function startApi(
  env: NodeJS.ProcessEnv,
  { timeoutMs = 60_000, nodeArgs = [] }: { timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<RunningApi> {
  if (!fs.existsSync(API_ENTRY)) throw new BenchFailure(`${API_ENTRY} not found: build the project first (npm run build)`);
  const port = await freePort();
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeArgs, API_ENTRY], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const pid = child.pid;
  if (pid === undefined) throw new BenchFailure('could not spawn the API');

  let peakKb = 0;
  const poll = (): void => {
    const kb = readPeakRssKb(pid);
    if (kb !== null && kb > peakKb) peakKb = kb;
  };
  const timer = setInterval(poll, 100);
  child.once('exit', () => {
    poll(); // may still be readable as a zombie
    clearInterval(timer);
  });

  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      poll();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      clearInterval(timer);
      throw new BenchFailure(`the API exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${tail(out)}`);
    }
    try {
      const r = await fetch(`${url}/health`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new BenchFailure(`the API did not become healthy within ${timeoutMs / 1000} s:\n${tail(out)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const startSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    child,
    pid,
    url,
    port,
    startSeconds,
    output: () => out,
    peakRssMb: () => {
      poll();
      return round(peakKb / 1024, 1);
    },
    stop,
  };
}

export interface RunningWorker {
  pid: number;
  output(): string;
  /** SIGTERM, then SIGKILL after 30 s; resolves once the process has exited */
  stop(): Promise<void>;
}

/** Starts the queue worker (which runs the audit sequencer) and waits for its "worker started" line. */
export async function startWorker(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunningWorker> {
  if (!fs.existsSync(WORKER_ENTRY)) throw new BenchFailure(`${WORKER_ENTRY} not found: build the project first (npm run build)`);
  const child = spawn(process.execPath, [WORKER_ENTRY], {
    cwd: ROOT,
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const pid = child.pid;
  if (pid === undefined) throw new BenchFailure('could not spawn the worker');
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('worker started')) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new BenchFailure(`the worker exited (${child.exitCode ?? child.signalCode}) before it started:\n${tail(out)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new BenchFailure(`the worker did not start within ${timeoutMs / 1000} s:\n${tail(out)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { pid, output: () => out, stop };
}

const CLK_TCK = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name (field 2) may hold spaces: fields are counted after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

/**
 * CPU seconds of every process named `comm` visible in /proc (e.g. the PostgreSQL server
 * and its backends), with the pids seen, so that a later reading can be compared.
 * Backends that ended in between are not counted (the API's pool keeps its connections).
 */
export function cpuSecondsByName(comm: string): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let name: string;
    try {
      name = fs.readFileSync(`/proc/${e}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (name !== comm) continue;
    const s = cpuSeconds(Number(e));
    if (s !== null) out.set(Number(e), s);
  }
  return out;
}

/** CPU seconds spent between two readings of cpuSecondsByName (new processes count from 0). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}
