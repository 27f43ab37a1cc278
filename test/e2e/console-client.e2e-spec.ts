import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSOLE_SCHEMA_PATH, REGENERATE } from '../../scripts/console-client';

const ROOT = join(__dirname, '..', '..');

/**
 * The built scripts/console-client.js (as `npm run build` runs it) in a Node process of its
 * own: openapi-typescript requires packages that ship ES modules only, which Node 20
 * requires and jest does not.
 */
function consoleClient(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'console-client.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/**
 * The check that keeps the console's typed client in step with the API (issue 12): the
 * committed web/src/api/schema.d.ts against the document of the API as declared now. Each
 * run builds the Nest application in preview mode (no database, no Redis): a few seconds.
 */
describe('console-client', () => {
  const committed = readFileSync(CONSOLE_SCHEMA_PATH, 'utf8');
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cps-console-client-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The committed client with one property of the API renamed, as a client left behind by an API change reads. */
  function renamedCopy(): string {
    const renamed = committed.replace(/\bcsrfToken\b/, 'csrfJeton');
    expect(renamed).not.toBe(committed);
    const file = join(dir, 'schema.d.ts');
    writeFileSync(file, renamed);
    return file;
  }

  it('fails the check of a client with one property renamed, saying what to run and what to commit', async () => {
    const file = renamedCopy();
    const r = await consoleClient(['--check', '--against', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("differs from the API's OpenAPI document");
    expect(r.stderr).toContain(`\`${REGENERATE}\` (or \`npm run build\`, outside CI), then commit web/src/api/schema.d.ts`);
    expect(readFileSync(file, 'utf8')).not.toBe(committed);
  }, 120_000);

  it('passes the check of an unchanged copy of the committed client', async () => {
    const file = join(dir, 'schema.d.ts');
    writeFileSync(file, committed);
    await expect(consoleClient(['--check', '--against', file])).resolves.toEqual({ code: 0, stderr: '' });
  }, 120_000);

  it('writes the client with --write, even under CI=true', async () => {
    const file = renamedCopy();
    await expect(consoleClient(['--write', '--against', file], { CI: 'true' })).resolves.toEqual({ code: 0, stderr: '' });
    expect(readFileSync(file, 'utf8')).toBe(committed);
  }, 120_000);

  it('refuses --check and --write together', async () => {
    const r = await consoleClient(['--check', '--write']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--check and --write exclude each other');
  }, 120_000);
});
