import { randomBytes } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { copyFile, link, lstat, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MailingError } from '../mailing.errors';
import type { LetterKind, LetterOf } from './letter-data';
import { checkSettings, type LetterEncryption, type LetterPdfSettings, LetterPdfWriter, type ManifestRow } from './letter-pdf-writer';
import { DEFAULT_SENDER, type LetterSender } from './letter-text';
import type { FromWorker, ToWorker, WorkerInput } from './letters.worker';

/**
 * The letters of a mailing batch as one PDF (issue 11): `renderLetters` draws them in a
 * worker thread, so that the calling process (the queue worker, whose job locks must keep
 * renewing) is never held by the drawing; `renderLettersInProcess` runs the same drawing
 * in the caller's thread (unit tests, where ts-jest cannot start the worker's .ts source).
 *
 * Both write to a temporary name beside `path` and give it its name at the end, never over
 * an existing file; on any failure nothing is left at `path` nor beside it. The codes of the
 * PIN letters reach the worker only in memory (postMessage) and are written nowhere but in
 * the PDF; the manifest holds none.
 */

export interface RenderLettersOptions {
  /** The PDF to create (mode 0600). An existing file is never overwritten. */
  path: string;
  /** The agency as the letters name it (default: DEFAULT_SENDER). */
  sender?: LetterSender;
  /** AES-256: the PDF opens with the user password only. */
  encryption?: LetterEncryption;
  /** Benchmark floor: the same number of pages, each one constant letter prepared once (no per-letter work but drawing). */
  floor?: boolean;
  /** Called as letters are drawn, with how many are. */
  onProgress?: (lettersDone: number) => void;
}

export interface RenderLettersResult {
  pages: number;
  /** The size of the PDF. */
  bytes: number;
  /** One row per letter, in page order. */
  manifest: ManifestRow[];
}

export type LetterSource<K extends LetterKind> = AsyncIterable<LetterOf<K>> | Iterable<LetterOf<K>>;

/** Letters per message to the worker, and messages in flight at most: the worker never holds more than 2 × 100 letters. */
export const CHUNK_LETTERS = 100;
const CHUNKS_IN_FLIGHT = 2;

const WORKER_FILE = 'letters.worker.js';

function settingsOf(kind: LetterKind, o: RenderLettersOptions): LetterPdfSettings {
  const settings: LetterPdfSettings = { sender: o.sender ?? DEFAULT_SENDER, encryption: o.encryption, floor: o.floor === true };
  checkSettings(kind, settings);
  if (typeof o.path !== 'string' || o.path === '') {
    throw new MailingError('letter_invalid', 'the letters cannot be rendered: path: expected the path of the PDF to create');
  }
  return settings;
}

/**
 * Runs `work` on a temporary file beside `path`, then names it `path` (a hard link: refused
 * if `path` appeared meanwhile) and gives its size; on failure removes the temporary file.
 */
async function intoNewFile(path: string, work: (temp: string) => Promise<{ pages: number }>): Promise<{ pages: number; bytes: number }> {
  if (await lstat(path).catch(() => null)) {
    throw new MailingError('letter_file_exists', `${path} already exists: the letters are never written over a file`, 409);
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    const { pages } = await work(temp);
    await publish(temp, path);
    return { pages, bytes: (await stat(path)).size };
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Removes what a render of `path` killed midway left beside it (its temporary files: for
 * letters of the codes, a part of a PDF that holds codes); gives how many were removed.
 */
export async function removeUnfinishedRenders(path: string): Promise<number> {
  const prefix = `.${basename(path)}.`;
  const leftovers = (await readdir(dirname(path)).catch(() => [] as string[])).filter(
    (f) => f.startsWith(prefix) && /^[0-9a-f]{12}\.part$/.test(f.slice(prefix.length)),
  );
  for (const f of leftovers) await rm(join(dirname(path), f), { force: true });
  return leftovers.length;
}

async function publish(temp: string, path: string): Promise<void> {
  try {
    await link(temp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new MailingError('letter_file_exists', `${path} appeared while the letters were rendered: it is left as it was`, 409);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // A file system without hard links: a copy that still refuses an existing file.
    await copyFile(temp, path, constants.COPYFILE_EXCL);
  }
}

/** The same drawing as renderLetters, in the caller's thread (it holds the event loop while it draws). */
export async function renderLettersInProcess<K extends LetterKind>(
  kind: K,
  letters: LetterSource<K>,
  options: RenderLettersOptions,
): Promise<RenderLettersResult> {
  const settings = settingsOf(kind, options);
  const manifest: ManifestRow[] = [];
  const done = await intoNewFile(options.path, async (temp) => {
    const writer = await LetterPdfWriter.open(kind, temp, settings);
    try {
      for await (const letter of letters) {
        manifest.push(writer.add(letter));
        if (manifest.length % CHUNK_LETTERS === 0) {
          await writer.settle();
          options.onProgress?.(manifest.length);
        }
      }
      const end = await writer.end();
      options.onProgress?.(manifest.length);
      return end;
    } catch (err) {
      await writer.abort();
      throw err;
    }
  });
  return { ...done, manifest };
}

/**
 * The compiled worker entry beside this file; from the sources (ts-jest), the build's
 * (npm run build first); or a refusal saying where it runs from.
 */
export function lettersWorkerFile(dir: string = __dirname): string {
  const file = join(dir, WORKER_FILE);
  if (existsSync(file)) return file;
  const built = join(dir, '..', '..', '..', 'dist', 'src', 'mailing', 'letters', WORKER_FILE);
  if (/[\\/]src[\\/]mailing[\\/]letters$/.test(dir) && existsSync(built)) return built;
  throw new MailingError(
    'letter_render_failed',
    `the letters worker ${file} does not exist: renderLetters runs from the build (npm run build, dist/); under ts-jest use renderLettersInProcess`,
    500,
  );
}

/**
 * Draws `letters` (one kind, one batch, rising sequences) into a new PDF at `path` in a
 * worker thread, CHUNK_LETTERS at a time with at most CHUNKS_IN_FLIGHT chunks sent ahead,
 * and gives the number of pages, the PDF's size and the manifest. A bad letter, a drawing
 * or file error, or a worker that dies rejects with a message naming it, and leaves no file.
 */
export async function renderLetters<K extends LetterKind>(
  kind: K,
  letters: LetterSource<K>,
  options: RenderLettersOptions,
): Promise<RenderLettersResult> {
  const settings = settingsOf(kind, options);
  const entry = lettersWorkerFile();
  const manifest: ManifestRow[] = [];
  const done = await intoNewFile(options.path, (temp) => {
    const input: WorkerInput = { kind, file: temp, settings };
    return driveWorker(new Worker(entry, { workerData: input }), letters, (rows) => {
      manifest.push(...rows);
      options.onProgress?.(manifest.length);
    });
  });
  return { ...done, manifest };
}

/** Feeds the worker and collects its answers; the worker is always stopped before this settles. */
async function driveWorker(worker: Worker, letters: Iterable<unknown> | AsyncIterable<unknown>, onRows: (rows: ManifestRow[]) => void) {
  let ready = false;
  let inFlight = 0;
  let result: { pages: number } | undefined;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    wake?.();
  };
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'ready') ready = true;
    else if (m.type === 'rows') {
      inFlight--;
      try {
        onRows(m.rows);
      } catch (err) {
        fail(err as Error); // the caller's onProgress: its failure is the render's
      }
    } else if (m.type === 'done') result = { pages: m.pages };
    else if (m.type === 'failed') fail(new MailingError(m.code, m.message, m.status));
    wake?.();
  });
  worker.on('error', (err) => fail(new MailingError('letter_render_failed', `the letters worker failed: ${err.message}`, 500)));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('exit', (code) => {
    if (!result)
      fail(new MailingError('letter_render_failed', `the letters worker stopped (exit code ${code}) before the PDF was finished`, 500));
  });
  /** Waits for the worker until `condition` holds; throws its failure. */
  const until = async (condition: () => boolean) => {
    while (!failure && !condition()) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
  };
  const send = async (message: ToWorker) => {
    await until(() => inFlight < CHUNKS_IN_FLIGHT);
    if (message.type === 'letters') inFlight++;
    worker.postMessage(message);
  };
  try {
    await until(() => ready);
    let chunk: unknown[] = [];
    for await (const letter of letters) {
      if (failure) throw failure;
      chunk.push(letter);
      if (chunk.length === CHUNK_LETTERS) {
        await send({ type: 'letters', letters: chunk });
        chunk = [];
      }
    }
    if (chunk.length) await send({ type: 'letters', letters: chunk });
    worker.postMessage({ type: 'end' } satisfies ToWorker);
    await until(() => result !== undefined);
    return result!;
  } finally {
    if (result === undefined) worker.postMessage({ type: 'abort' } satisfies ToWorker);
    await stopWorker(worker, exited);
  }
}

/** How long a worker may take to close its file and exit once told to stop, before it is terminated. */
const WORKER_EXIT_GRACE_MS = 10_000;

/** Waits for the worker to exit on its own (it closes its file first); terminates it if it has not after a grace period. */
async function stopWorker(worker: Worker, exited: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), WORKER_EXIT_GRACE_MS);
  });
  if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
  clearTimeout(timer);
}
