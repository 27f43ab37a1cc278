import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { freePort } from './processes';

/**
 * Private PostgreSQL and Redis instances, on free ports, for the tests that stop, restart or
 * flush their services (the shared ones are never touched). Each instance lives in a
 * temporary directory removed by `destroy()`.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Starts it again (after stop), on the same port, empty. */
  start(): Promise<void>;
  /** Stops it (SIGKILL: as a crash; SIGTERM by default). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  flushAll(): Promise<void>;
  destroy(): Promise<void>;
}

/** A redis-server of the test's own: no persistence (a restart loses everything, like FLUSHALL). */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cps-private-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const ping = async () => {
    const r = new IORedis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  };
  const self: PrivateRedis = {
    url,
    port,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''],
        { stdio: 'ignore' },
      );
      await until(ping, 10_000, `the private redis-server on port ${port} to answer`);
    },
    async stop(signal = 'SIGTERM') {
      if (!child) return;
      const c = child;
      child = null;
      c.kill(signal);
      await exited(c);
    },
    async flushAll() {
      const r = new IORedis(url, { maxRetriesPerRequest: 1 });
      try {
        await r.flushall();
      } finally {
        r.disconnect();
      }
    },
    async destroy() {
      await self.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  port: number;
  start(): Promise<void>;
  /** Stops it: 'fast' (clients disconnected, a clean shutdown) or 'immediate' (as a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary directory, trust
 * authentication, a free port). PostgreSQL refuses to run as root: as root, the cluster is
 * owned by, and run as, the `postgres` OS user.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL binaries not found in ${PG_BIN} (set PG_BIN)`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cps-private-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]) =>
    execFileSync(join(PG_BIN, cmd), args, {
      stdio: 'pipe',
      ...(asRoot ? { uid, gid } : {}),
      cwd: dir,
      env: { ...process.env, LC_ALL: 'C' },
    });
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const ready = async () => {
    const c = new Client({ connectionString: url(), connectionTimeoutMillis: 1000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const self: PrivatePostgres = {
    url,
    port,
    async start() {
      run('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'postgres.log'),
        '-w',
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`,
        'start',
      ]);
      await until(ready, 30_000, `the private PostgreSQL on port ${port} to accept connections`);
    },
    async stop(mode = 'fast') {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    },
    async restart(mode = 'fast') {
      await self.stop(mode);
      await self.start();
    },
    async destroy() {
      try {
        await self.stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}
