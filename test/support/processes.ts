import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testDataDir } from './services';

export const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist', 'src');

function assertBuilt(): void {
  if (!existsSync(join(DIST, 'cli.js'))) {
    throw new Error('dist/ is missing: the end-to-end tier runs the built entry points (npm run build; npm test does it first)');
  }
}

/**
 * The environment of a child: quiet logs, and a DATA_DIR of the test's own (one per
 * database), so that processes of different test files never share CRL or spool files.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const db = env.DATABASE_URL ? new URL(env.DATABASE_URL).pathname.slice(1) : 'default';
  return { ...process.env, LOG_LEVEL: 'warn', DATA_DIR: testDataDir(db), ...env };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/**
 * Runs `node dist/src/cli.js ...args` to its end. `loginUid`: first sets the process's login
 * uid (/proc/self/loginuid, as pam_loginuid does at login; root only, once per session).
 */
export function runCli(args: string[], env: Record<string, string>, opts: { timeoutMs?: number; loginUid?: number } = {}): Promise<CliRun> {
  assertBuilt();
  const command: [string, string[]] =
    opts.loginUid === undefined
      ? [process.execPath, [join(DIST, 'cli.js'), ...args]]
      : [
          '/bin/sh',
          [
            '-c',
            'echo "$1" > /proc/self/loginuid && shift && exec "$@"',
            'sh',
            String(opts.loginUid),
            process.execPath,
            join(DIST, 'cli.js'),
            ...args,
          ],
        ];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command[1], {
      cwd: ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/** Spawns the CLI without waiting (for tests that kill it midway). */
export function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  assertBuilt();
  return spawn(process.execPath, [join(DIST, 'cli.js'), ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Service {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function startService(entry: 'main.js' | 'worker.js', env: Record<string, string>): Service {
  assertBuilt();
  const child = spawn(process.execPath, [join(DIST, entry)], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(); // exited already (a signal leaves exitCode null)
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Starts the HTTP API and waits until /health answers. */
export async function startApi(env: Record<string, string>): Promise<Service & { url: string }> {
  const port = await freePort();
  const svc = startService('main.js', { ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (svc.child.exitCode !== null) throw new Error(`API exited (${svc.child.exitCode}):\n${svc.output()}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await svc.stop();
      throw new Error(`API did not become healthy within 60 s:\n${svc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ...svc, url };
}

export function startWorker(env: Record<string, string>): Service {
  return startService('worker.js', env);
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * `f` over `items`, at most `limit` at a time (CLI processes are mostly CPU: a few at once use
 * the machine's cores without piling up); the results in the order of `items`.
 */
export async function inPool<T, R>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
