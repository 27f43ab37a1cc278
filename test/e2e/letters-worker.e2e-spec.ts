import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Letters from '../../src/mailing/letters';
import type { PinLetter } from '../../src/mailing/letters';
import { FAKE_BATCH, fakeCardLetter, fakePinLetter, pdfInfo, pdfText } from '../support/letters';

/**
 * renderLetters as the mailing batches run it: from the build (dist/), the drawing in a
 * worker thread (letters.worker.js) fed in chunks, the manifest coming back.
 */
const BUILT = join(__dirname, '..', '..', 'dist', 'src', 'mailing', 'letters', 'index.js');
if (!existsSync(BUILT)) throw new Error('dist/ is missing: the end-to-end tier runs the build (npm run build; npm test does it first)');
const { renderLetters, manifestCsv }: typeof Letters = require(BUILT);

describe('renderLetters (worker thread, from dist/)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'letters-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('draws a batch fed lazily, never more than three chunks ahead of the drawing, and gives its manifest', async () => {
    const total = 250;
    let pulled = 0;
    let drawn = 0;
    let mostAhead = 0;
    async function* source(): AsyncGenerator<PinLetter> {
      for (let i = 1; i <= total; i++) {
        pulled = i;
        mostAhead = Math.max(mostAhead, pulled - drawn);
        yield fakePinLetter(i);
      }
    }
    const progress: number[] = [];
    const file = join(dir, 'pins.pdf');
    const result = await renderLetters('pin', source(), {
      path: file,
      onProgress: (n) => {
        drawn = n;
        progress.push(n);
      },
    });
    expect(result.pages).toBe(total);
    expect(pdfInfo(file).Pages).toBe(String(total));
    expect(result.bytes).toBe(statSync(file).size);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['pins.pdf']);
    expect(result.manifest.map((r) => r.page)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(progress).toEqual([100, 200, 250]);
    // 2 chunks of 100 in flight, and the one being gathered.
    expect(mostAhead).toBeLessThanOrEqual(300);
    expect(mostAhead).toBeGreaterThan(100);
    const last = pdfText(file, { page: total });
    expect(last).toContain(`B${FAKE_BATCH}-${total}`);
    expect(last).toContain(fakePinLetter(total).puk);
    expect(manifestCsv(result.manifest)).not.toContain(fakePinLetter(total).puk);
  });

  it('encrypts in the worker too', async () => {
    const file = join(dir, 'pins.pdf');
    await renderLetters('pin', [fakePinLetter(1)], { path: file, encryption: { userPassword: 'u-2026', ownerPassword: 'o-2026' } });
    expect(() => pdfText(file)).toThrow();
    expect(pdfText(file, { password: 'u-2026' })).toContain(fakePinLetter(1).puk);
  });

  it('rejects with the worker’s refusal of a bad letter, naming it without its codes, and leaves no file', async () => {
    const letters = Array.from({ length: 180 }, (_, i) => fakePinLetter(i + 1));
    letters[149] = fakePinLetter(150, { puk: '1234567' });
    const refusal = renderLetters('pin', letters, { path: join(dir, 'pins.pdf') });
    await expect(refusal).rejects.toMatchObject({
      code: 'letter_invalid',
      message: `letter 150 of batch ${FAKE_BATCH} cannot be printed as a letter of the codes: unblocking code: expected 8 digits`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops the worker when the letters source fails, and leaves no file', async () => {
    async function* source() {
      for (let i = 1; i <= 120; i++) yield fakeCardLetter(i);
      throw new Error('the database went away');
    }
    await expect(renderLetters('card', source(), { path: join(dir, 'cards.pdf') })).rejects.toThrow('the database went away');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects with the failure of the caller’s onProgress, stops the worker, and leaves no file', async () => {
    const letters = Array.from({ length: 150 }, (_, i) => fakeCardLetter(i + 1));
    const onProgress = () => {
      throw new Error('the job lost its lock');
    };
    await expect(renderLetters('card', letters, { path: join(dir, 'cards.pdf'), onProgress })).rejects.toThrow('the job lost its lock');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never writes over an existing file', async () => {
    const file = join(dir, 'cards.pdf');
    writeFileSync(file, 'earlier batch');
    await expect(renderLetters('card', [fakeCardLetter(1)], { path: file })).rejects.toMatchObject({ code: 'letter_file_exists' });
    expect(readdirSync(dir)).toEqual(['cards.pdf']);
  });

  it('rejects clearly when the file cannot be made, and leaves nothing', async () => {
    const missing = join(dir, 'no-such-folder', 'cards.pdf');
    await expect(renderLetters('card', [fakeCardLetter(1)], { path: missing })).rejects.toMatchObject({
      code: 'letter_render_failed',
      message: expect.stringMatching(/^the letters could not be rendered: ENOENT: no such file or directory, open '.*no-such-folder/),
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
