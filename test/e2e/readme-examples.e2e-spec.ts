import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../support/processes';
import { createTestDb, REDIS_URL, TestDb, testQueuePrefix } from '../support/services';

/**
 * Issue 9, must-show 4: the README's examples, run as written. The fenced blocks whose info
 * string is `sh readme-test` are run line by line, in the order of the README, from the
 * repository root, on a fresh database and DATA_DIR of the test's own: each command must
 * exit 0, and one that says `--json` must print exactly one JSON object on stdout.
 * Only the markers are relied on, never the README's wording around them.
 */
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The commands of the marked blocks: one per line, `\` continuations joined, comments and blank lines dropped. */
function readmeExamples(markdown: string): string[] {
  const commands: string[] = [];
  for (const m of markdown.matchAll(/^( *)```sh readme-test\n([\s\S]*?)^ *```$/gm)) {
    const indent = m[1].length;
    const lines = m[2].split('\n').map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)));
    let pending = '';
    for (const line of lines) {
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1)} `;
        continue;
      }
      const command = (pending + line).trim();
      pending = '';
      if (command && !command.startsWith('#')) commands.push(command);
    }
  }
  return commands;
}

function sh(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

describe('the README examples, run as written', () => {
  let db: TestDb;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDb('readme-examples');
    dataDir = mkdtempSync(join(tmpdir(), 'cps-readme-'));
    env = {
      ...process.env,
      // node and npm of this test first on the PATH (npx, npm run)
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix('readme-examples'),
      DATA_DIR: dataDir,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      // the examples' dates: "today" is 2026-11-30 in Paris
      CLOCK_NOW: '2026-11-30T10:00:00Z',
    };
  });
  afterAll(async () => {
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('marks the examples that say --json, and every one uses a form that keeps stdout pure', () => {
    const examples = readmeExamples(README);
    expect(examples.filter((c) => c.includes('--json')).length).toBeGreaterThanOrEqual(10);
    // Any `npm run cli` in the README (in a block or inline) keeps npm's banner off stdout with -s.
    expect(README.match(/npm run cli\b.*--json/g) ?? []).toEqual([]);
    // Every fenced shell block that runs a command with --json is one of the tested ones.
    const untested = [...README.matchAll(/^ *```(sh|bash|shell)\b([^\n]*)\n([\s\S]*?)^ *```$/gm)].filter(
      (m) => !/readme-test/.test(m[2]) && /(npx cps|cli\.js|npm run -s cli).*--json/.test(m[3]),
    );
    expect(untested.map((m) => m[3])).toEqual([]);
  });

  it('runs each marked example: exit 0, and one JSON object on stdout for --json', async () => {
    const examples = readmeExamples(README);
    for (const command of examples) {
      const r = await sh(command, env);
      expect({ command, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ command, code: 0, stderr: '' });
      if (command.includes('--json')) {
        const out = r.stdout.trim();
        expect({ command, lines: out.split('\n').length }).toEqual({ command, lines: 1 });
        const parsed = JSON.parse(out);
        expect({ command, object: parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) }).toEqual({
          command,
          object: true,
        });
        expect({ command, error: parsed.error }).toEqual({ command, error: undefined });
      } else {
        expect({ command, stdout: r.stdout.trim().length > 0 }).toEqual({ command, stdout: true });
      }
    }
  });
});
