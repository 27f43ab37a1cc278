import { createServer, connect as netConnect, Server, Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { commandsOf } from '../../src/common/cli/usage';
import { CLI_COMMANDS } from '../../src/root.modules';
import { freePort, inPool, runCli } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 9 items 8 and 9: the CLI without a command, with an unknown one, and with
 * PostgreSQL or Redis unreachable (DATABASE_URL / REDIS_URL on a closed port).
 */
const FIX = join(__dirname, '..', 'fixtures');
const day1 = join(FIX, 'PS_LibreAcces_Personne_activite_202611250600.txt');
const holders = join(FIX, 'Porteurs_CPS_CPF_202611250600.txt');

/** Arguments each command would accept, for those that need some (a command not listed takes none). */
const SAMPLE_ARGS: Record<string, string[]> = {
  'rpps:import': [day1],
  'rpps:import:redate': ['00000000-0000-0000-0000-000000000000', '--as-of', '2026-11-25'],
  'rpps:migrations': ['--status', 'all'],
  'rpps:migration:confirm': ['1'],
  'rpps:migration:reject': ['1'],
  'cards:import': [holders],
  'renewals:run': ['--as-of', '2026-11-30'],
  'expiry:run': ['--as-of', '2026-11-30'],
  'tokens:create': ['--role', 'operator', '--name', 'desk'],
  'tokens:revoke': ['00000000-0000-0000-0000-000000000000'],
  'users:create': ['--role', 'operator', '--name', 'desk'],
  'users:reset-password': ['desk'],
  'users:disable': ['desk'],
};

/** Every command the CLI has (CLI_COMMANDS, as cli.ts reads it), with arguments it would accept. */
const COMMANDS = commandsOf(CLI_COMMANDS);
const EVERY_COMMAND: string[][] = COMMANDS.map((c) => [c.name, ...(SAMPLE_ARGS[c.name] ?? [])]);

const timed = async (args: string[], env: Record<string, string>) => {
  const t0 = Date.now();
  const r = await runCli(args, env, { timeoutMs: 60_000 });
  return { ...r, seconds: (Date.now() - t0) / 1000 };
};

/**
 * What "at once" means below: the CLI's connection check gives up after 2 s; the bound leaves
 * room for Node to start on a loaded 2-core machine, and stays far below the 25 s of retries
 * these tests guard against.
 */
const QUICK_FAILURE_SECONDS = 10;

/**
 * CLI processes run at once where a test runs many that do not depend on each other: as many as
 * cores, 4 at most (a CLI start is mostly CPU: more at once only makes each one slower).
 */
const AT_ONCE = Math.min(4, Math.max(2, availableParallelism()));

describe('the CLI without a command, with an unknown one, and with its services unreachable', () => {
  let db: TestDb;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDb('cli-usage');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('cli-usage') };
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('prints the list of commands on stderr and exits 2 when no command is given', async () => {
    const [r, j] = await Promise.all([runCli([], env), runCli(['--json'], env)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: no command given\n/);
    for (const [name] of EVERY_COMMAND) expect(r.stderr).toContain(`  ${name}`);
    expect(j.code).toBe(2);
    expect(j.stdout.trim().split('\n')).toHaveLength(1);
    expect(j.json).toEqual({ error: { code: 'usage', message: 'no command given' } });
  });

  it('gives sample arguments to every command that takes some, and names only commands the CLI has', () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(15);
    for (const c of COMMANDS)
      if (c.arguments) expect({ command: c.name, sample: SAMPLE_ARGS[c.name] }).toEqual({ command: c.name, sample: expect.any(Array) });
    for (const name of Object.keys(SAMPLE_ARGS)) expect(COMMANDS.map((c) => c.name)).toContain(name);
  });

  it('names an unknown command, prints the list and exits 2 (with --json: one usage error on stdout)', async () => {
    const [r, j] = await Promise.all([runCli(['tokens:lst'], env), runCli(['tokens:lst', '--json'], env)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: unknown command 'tokens:lst'\n/);
    expect(r.stderr).toContain('  tokens:list');
    expect(j.code).toBe(2);
    expect(j.json).toEqual({ error: { code: 'usage', message: "unknown command 'tokens:lst'" } });
  });

  it('answers bad arguments of a command with validation_failed, written once (JSON on stdout, one error line on stderr), exit 2', async () => {
    const [missing, option, first] = await Promise.all([
      runCli(['rpps:import:redate', '--json'], env),
      runCli(['tokens:list', '--bogus', '--json'], env),
      // An unknown option before any command is a bad argument too; `usage` is kept for no command or an unknown one.
      runCli(['--bogus', '--json'], env),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stdout.trim().split('\n')).toHaveLength(1);
    expect(missing.json).toEqual({ error: { code: 'validation_failed', message: "missing required argument 'importId'" } });
    expect(missing.stderr).toBe("error: missing required argument 'importId'\n");
    expect(option.code).toBe(2);
    expect(option.json).toEqual({ error: { code: 'validation_failed', message: "unknown option '--bogus'" } });
    expect(option.stderr).toBe("error: unknown option '--bogus'\n");
    expect(first.code).toBe(2);
    expect(first.json).toEqual({ error: { code: 'validation_failed', message: "unknown option '--bogus'" } });
  });

  it("prints the list of commands, or a command's options, on stdout and exits 0 for --help, PostgreSQL or not", async () => {
    const down = { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/cps` };
    const [r, one] = await Promise.all([runCli(['--help'], down), runCli(['rpps:import', '--help'], down)]);
    expect(r.code).toBe(0);
    for (const [name] of EVERY_COMMAND) expect(r.stdout).toContain(`  ${name}`);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Usage: cps rpps:import \[options\] <file\.\.\.>/);
    for (const flag of ['--as-of <date>', '--confirm-mass-change', '--json']) expect(one.stdout).toContain(flag);
  });

  it('fails every command within seconds with one line naming PostgreSQL when it is unreachable, exit 1', async () => {
    const port = await freePort();
    const down = { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/cps` };
    const line = `error: cannot reach PostgreSQL at 127.0.0.1:${port} (connection refused)`;
    // Each command as text and as --json, a few processes at a time; checked in order below.
    const runs = await inPool(
      EVERY_COMMAND.flatMap((args) => [args, [...args, '--json']]),
      AT_ONCE,
      (args) => timed(args, down),
    );
    for (const [i, args] of EVERY_COMMAND.entries()) {
      const [r, j] = [runs[2 * i], runs[2 * i + 1]];
      expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, code: 1, stdout: '', stderr: `${line}\n` });
      expect(r.seconds).toBeLessThan(QUICK_FAILURE_SECONDS);
      expect({ args, code: j.code, stderr: j.stderr, lines: j.stdout.trim().split('\n').length }).toEqual({
        args,
        code: 1,
        stderr: `${line}\n`,
        lines: 1,
      });
      expect(j.json).toEqual({ error: { code: 'service_unavailable', message: line.slice('error: '.length) } });
      expect(j.seconds).toBeLessThan(QUICK_FAILURE_SECONDS);
    }
  });

  it('gives up within seconds on an address that accepts connections and never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((c) => {
      sockets.push(c);
      c.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const r = await timed(['audit:verify', '--json'], { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/cps` });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: cannot reach PostgreSQL at 127.0.0.1:${port} (no answer within 2 s)\n`);
      expect(r.json.error.code).toBe('service_unavailable');
      expect(r.seconds).toBeLessThan(QUICK_FAILURE_SECONDS);
    } finally {
      for (const c of sockets) c.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fails at once, in one line, when PostgreSQL answers the check and then goes away (no 25 s of retries)', async () => {
    // A proxy to PostgreSQL that lets the first connection (the check) through and drops the others.
    const target = new URL(db.url);
    let connections = 0;
    const proxy: Server = createServer((c) => {
      connections += 1;
      c.on('error', () => undefined);
      if (connections > 1) return c.destroy();
      const u = netConnect(Number(target.port || 5432), target.hostname);
      u.on('error', () => undefined);
      c.pipe(u).pipe(c);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    try {
      const url = new URL(db.url);
      url.host = `127.0.0.1:${port}`;
      const r = await timed(['tokens:list', '--json'], { ...env, DATABASE_URL: url.toString() });
      expect(connections).toBeGreaterThan(1);
      expect(r.code).toBe(1);
      expect(r.seconds).toBeLessThan(QUICK_FAILURE_SECONDS);
      expect(r.json.error).toEqual({
        code: 'service_unavailable',
        message: expect.stringMatching(/^a connection to PostgreSQL .* was lost or refused/),
      });
      expect(r.stderr.trim().split('\n')).toEqual([`error: ${r.json.error.message}`]);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('runs without Redis: no command connects to it (audit:verify, tokens:list, rpps:migrations)', async () => {
    const down = { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
    const commands = [['audit:verify'], ['tokens:list'], ['rpps:migrations', '--status', 'all']];
    const runs = await inPool(commands, AT_ONCE, (args) => timed([...args, '--json'], down));
    for (const [i, args] of commands.entries()) {
      const r = runs[i];
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(r.json).toBeInstanceOf(Object);
      expect(r.seconds).toBeLessThan(QUICK_FAILURE_SECONDS);
    }
  });
});
