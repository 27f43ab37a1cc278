import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { runCli, startApi, startWorker } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 13 item 7, must-show: a pending migration stops the built API, worker and CLI started
 * with MIGRATIONS_RUN=false (one line naming it, exit non-zero); with none pending they start.
 * And the migrations:* commands: status, run (each migration timed), revert (refused when it
 * would destroy data, unless --force-data-loss); a process applying migrations logs each.
 */
const LAST = MIGRATIONS[MIGRATIONS.length - 1].name;

describe('migrations and the built processes', () => {
  let db: TestDb;
  let env: Record<string, string>;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDb('migrations-e2e');
    env = { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: testQueuePrefix('migrations-e2e') };
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('with MIGRATIONS_RUN=false, the API, the worker and the CLI refuse to start while a migration is pending, naming it', async () => {
    // A migrated database, one migration row deleted: that migration is pending.
    const [row] = (await pg.query(`DELETE FROM schema_migrations WHERE name = $1 RETURNING id, timestamp, name`, [LAST])).rows;
    const off = { ...env, MIGRATIONS_RUN: 'false' };
    const line = `1 migration is pending (${LAST}) and MIGRATIONS_RUN=false: apply them first (cps migrations:run, as the database owner), then start again`;

    const worker = startWorker(off);
    const [api, workerCode, cli, status] = await Promise.all([
      startApi(off).then(
        async (s) => {
          await s.stop();
          return 'started';
        },
        (e: Error) => e.message,
      ),
      new Promise<number | string | null>((resolve) => {
        worker.child.once('exit', resolve);
        setTimeout(() => resolve('still running after 45 s'), 45_000).unref();
      }),
      runCli(['tokens:list', '--json'], off),
      runCli(['migrations:status', '--json'], off),
    ]).finally(() => worker.stop());
    // The API: exited (startApi says so with its output), the line once, no stack.
    expect(api).toMatch(/^API exited \(1\):/);
    expect(api.split('\n').filter((l) => l.includes(LAST))).toEqual([expect.stringContaining(line)]);
    expect(api).not.toMatch(/^\s+at /m);
    expect(workerCode).toBe(1);
    expect(
      worker
        .output()
        .split('\n')
        .filter((l) => l.includes(LAST)),
    ).toEqual([expect.stringContaining(line)]);
    expect(worker.output()).not.toMatch(/^\s+at /m);
    expect(cli.code).toBe(1);
    expect(cli.json).toEqual({ error: { code: 'migrations_pending', message: line } });
    expect(cli.stderr).toBe(`error: ${line}\n`);
    // migrations:status is not refused: it is how one sees what is pending.
    expect(status.code).toBe(0);
    expect(status.json.pending).toEqual([LAST]);

    // Nothing pending any more: the API starts with MIGRATIONS_RUN=false.
    await pg.query(`INSERT INTO schema_migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [row.id, row.timestamp, row.name]);
    const started = await startApi(off);
    await started.stop();
  });

  it('migrations:revert reverts the last one, refuses one that would destroy data (nothing changed) unless --force-data-loss; migrations:run applies them, timed', async () => {
    const user = await runCli(['users:create', '--role', 'operator', '--name', 'Claire Martin', '--json'], env);
    expect(user.code).toBe(0);
    const first = await runCli(['migrations:revert', '--json'], env);
    expect(first.code).toBe(0);
    expect(first.json).toEqual({ reverted: { name: LAST, ms: expect.any(Number) } });

    const refused = await runCli(['migrations:revert', '--json'], env);
    expect(refused.code).toBe(1);
    expect(refused.json.error.code).toBe('data_loss_refused');
    expect(refused.json.error.message).toMatch(
      /^reverting ConsoleAccounts1764201800000 would destroy the console accounts \(1 row of console_account\); nothing was changed\./,
    );
    expect(refused.stderr).toBe(`error: ${refused.json.error.message}\n`);
    expect((await pg.query(`SELECT count(*)::int AS n FROM console_account`)).rows).toEqual([{ n: 1 }]);

    const forced = await runCli(['migrations:revert', '--force-data-loss'], env);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^reverted ConsoleAccounts1764201800000 in \d+ ms\n$/);
    expect((await pg.query(`SELECT to_regclass('console_account') AS t`)).rows).toEqual([{ t: null }]);

    const status = await runCli(['migrations:status'], env);
    expect(status.stdout).toContain(`[ ] ConsoleAccounts1764201800000  (pending)\n[ ] ${LAST}  (pending)\n`);

    const run = await runCli(['migrations:run', '--json'], { ...env, LOG_LEVEL: 'info' });
    expect(run.code).toBe(0);
    expect(run.json).toEqual({
      applied: [
        { name: 'ConsoleAccounts1764201800000', ms: expect.any(Number) },
        { name: LAST, ms: expect.any(Number) },
      ],
    });
    const logged = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(logged.filter((l) => l.migration).map((l) => [l.migration, typeof l.ms])).toEqual([
      ['ConsoleAccounts1764201800000', 'number'],
      [LAST, 'number'],
    ]);
    const again = await runCli(['migrations:run'], env);
    expect(again.stdout).toBe('no migration pending: the database is up to date\n');
  });

  it('a process that applies migrations at start logs each with its time', async () => {
    expect((await runCli(['migrations:revert', '--json'], env)).json.reverted.name).toBe(LAST);
    const api = await startApi({ ...env, LOG_LEVEL: 'info' });
    try {
      const lines = api
        .output()
        .split('\n')
        .filter((l) => l.includes('"migration"'))
        .map((l) => JSON.parse(l));
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'info',
          component: 'migrations',
          migration: LAST,
          ms: expect.any(Number),
          msg: expect.stringMatching(/ applied in \d+ ms$/),
        }),
      ]);
    } finally {
      await api.stop();
    }
    expect((await pg.query(`SELECT count(*)::int AS n FROM schema_migrations WHERE name = $1`, [LAST])).rows).toEqual([{ n: 1 }]);
  });
});
