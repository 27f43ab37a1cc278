/**
 * Opening an ANS extract file (`.txt`, or the single `.txt` entry of a `.zip`) as a
 * byte stream. Pure code: no Nest, no database. Shared by the registry import and the
 * card base reader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import * as yauzl from 'yauzl';
import { ExtractFormatError } from './extract.errors';

export interface OpenedExtract {
  /** File name of the text data (the `.txt` itself, or the entry inside the zip). */
  name: string;
  stream: NodeJS.ReadableStream;
}

/** Read size for `.txt` files: big chunks mean fewer, bigger line batches. */
const TXT_READ_CHUNK = 1 << 20;

/**
 * Bounds on what a `.zip` may inflate to, so that a zip bomb can neither fill the memory
 * nor keep the import busy: checked from the central directory before inflating, and
 * again on the inflated bytes as they stream (headers can lie).
 */
export interface ZipLimits {
  /** Most bytes the archive's entries may inflate to, in total (IMPORT_ZIP_MAX_BYTES). */
  maxBytes: number;
  /** Highest inflated / compressed ratio of an entry over {@link RATIO_FLOOR_BYTES} (IMPORT_ZIP_MAX_RATIO). */
  maxRatio: number;
}

/** 4 GiB (a national extract inflates to about 750 MB) and 100 (text compresses about 5 to 10 times). */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxBytes: 4 * 1024 ** 3, maxRatio: 100 };

/** Below this many inflated bytes, the ratio is not checked (a tiny entry may compress well). */
export const RATIO_FLOOR_BYTES = 1 << 20;

/** A zip refused for what it inflates to (a kind of {@link ExtractFormatError}: unusable input). */
export class ZipLimitError extends ExtractFormatError {
  constructor(
    message: string,
    readonly limit: 'IMPORT_ZIP_MAX_BYTES' | 'IMPORT_ZIP_MAX_RATIO' | 'declared size',
  ) {
    super(message);
    this.name = 'ZipLimitError';
  }
}

/**
 * Opens an extract for streaming: a `.txt` file as is, or the single `.txt` entry of a
 * `.zip` (streamed and inflated on the fly; the archive is never loaded in memory, and
 * nothing inflated is written to disk), within `limits`.
 */
export async function openExtract(filePath: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<OpenedExtract> {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.txt') {
    await fs.promises.access(filePath, fs.constants.R_OK);
    return {
      name: path.basename(filePath),
      stream: fs.createReadStream(filePath, { highWaterMark: TXT_READ_CHUNK }),
    };
  }
  if (ext === '.zip') {
    const { zipfile, entry } = await readZipDirectory(filePath, limits);
    return openZipEntry(filePath, zipfile, entry, limits);
  }
  throw new ExtractFormatError(`"${path.basename(filePath)}": an extract must be a .txt or a .zip file`);
}

/**
 * Checks that an extract can be opened, without reading its data: a `.txt` is readable;
 * a `.zip` has one `.txt` entry and its central directory is within `limits`. Returns the
 * file name of the text data, as {@link openExtract} names it (the `.txt`, or the entry
 * inside the zip). Throws as {@link openExtract} does.
 */
export async function inspectExtract(filePath: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<string> {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.txt') {
    await fs.promises.access(filePath, fs.constants.R_OK);
    return path.basename(filePath);
  }
  if (ext !== '.zip') throw new ExtractFormatError(`"${path.basename(filePath)}": an extract must be a .txt or a .zip file`);
  const { zipfile, entry } = await readZipDirectory(filePath, limits);
  zipfile.close();
  return path.posix.basename(entry.fileName);
}

function isTxtEntry(fileName: string): boolean {
  if (fileName.endsWith('/')) return false; // directory
  if (fileName.startsWith('__MACOSX/')) return false; // macOS resource forks
  return fileName.toLowerCase().endsWith('.txt');
}

function mib(n: number): string {
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

function tooBig(zipName: string, what: string, maxBytes: number): ZipLimitError {
  return new ZipLimitError(
    `"${zipName}" ${what}, more than IMPORT_ZIP_MAX_BYTES (${maxBytes} bytes, ${mib(maxBytes)}): refused, nothing read`,
    'IMPORT_ZIP_MAX_BYTES',
  );
}

function tooCompressed(zipName: string, entryName: string, ratio: number, maxRatio: number): ZipLimitError {
  return new ZipLimitError(
    `"${zipName}": entry "${entryName}" inflates ${ratio.toFixed(0)} times its compressed size, ` +
      `more than IMPORT_ZIP_MAX_RATIO (${maxRatio}): refused as a zip bomb, nothing read`,
    'IMPORT_ZIP_MAX_RATIO',
  );
}

/** Walks the central directory (nothing inflated): its single `.txt` entry, within the limits. */
function readZipDirectory(zipPath: string, limits: ZipLimits): Promise<{ zipfile: yauzl.ZipFile; entry: yauzl.Entry }> {
  const zipName = path.basename(zipPath);
  return new Promise((resolve, reject) => {
    // Entry sizes are checked by the counting stream below (with the limits' messages), not by yauzl.
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false, validateEntrySizes: false }, (openErr, zipfile) => {
      if (openErr || !zipfile) {
        const code = (openErr as NodeJS.ErrnoException | null)?.code;
        // A missing / unreadable file stays a plain I/O error; a corrupt archive is a format error.
        if (code) return reject(openErr);
        return reject(new ExtractFormatError(`"${zipName}" is not a readable zip: ${openErr?.message ?? 'unknown error'}`));
      }
      const all: string[] = [];
      const txt: yauzl.Entry[] = [];
      let total = 0;
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        zipfile.close();
        reject(err);
      };
      zipfile.on('error', (err: Error) => fail(new ExtractFormatError(`"${zipName}" is not a readable zip: ${err.message}`)));
      zipfile.on('entry', (entry: yauzl.Entry) => {
        all.push(entry.fileName);
        total += entry.uncompressedSize;
        if (total > limits.maxBytes) return fail(tooBig(zipName, `declares ${total} bytes once inflated`, limits.maxBytes));
        if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > limits.maxRatio * entry.compressedSize) {
          const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
          return fail(tooCompressed(zipName, entry.fileName, ratio, limits.maxRatio));
        }
        if (isTxtEntry(entry.fileName)) txt.push(entry);
        zipfile.readEntry();
      });
      zipfile.on('end', () => {
        if (settled) return;
        if (txt.length !== 1) {
          const listed = (txt.length === 0 ? all : txt.map((e) => e.fileName)).map((n) => `"${n}"`).join(', ');
          return fail(
            new ExtractFormatError(
              txt.length === 0
                ? `"${zipName}" contains no .txt entry (entries: ${listed || 'none'})`
                : `"${zipName}" contains ${txt.length} .txt entries, expected exactly one: ${listed}`,
            ),
          );
        }
        settled = true;
        resolve({ zipfile, entry: txt[0] });
      });
      zipfile.readEntry();
    });
  });
}

/**
 * Streams the entry, inflated on the fly. The inflated bytes are counted as they pass:
 * past the size the header declares, past `maxBytes`, or past `maxRatio` times the
 * compressed size, the stream fails at once with a {@link ZipLimitError}.
 */
function openZipEntry(zipPath: string, zipfile: yauzl.ZipFile, entry: yauzl.Entry, limits: ZipLimits): Promise<OpenedExtract> {
  const zipName = path.basename(zipPath);
  return new Promise<OpenedExtract>((resolve, reject) => {
    zipfile.openReadStream(entry, (streamErr, stream) => {
      if (streamErr || !stream) {
        zipfile.close();
        return reject(new ExtractFormatError(`"${zipName}": cannot read entry "${entry.fileName}": ${streamErr?.message}`));
      }
      // The read stream holds its own reference on the file descriptor: closing the
      // zipfile now lets the fd be released as soon as the stream ends or is destroyed.
      zipfile.close();
      const declared = entry.uncompressedSize;
      const ratioBound = Math.max(RATIO_FLOOR_BYTES, limits.maxRatio * entry.compressedSize);
      let inflated = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          inflated += chunk.length;
          if (inflated > limits.maxBytes) return cb(tooBig(zipName, `inflates past ${limits.maxBytes} bytes`, limits.maxBytes));
          if (inflated > ratioBound) {
            return cb(tooCompressed(zipName, entry.fileName, inflated / Math.max(entry.compressedSize, 1), limits.maxRatio));
          }
          if (inflated > declared) {
            return cb(
              new ZipLimitError(
                `"${zipName}": entry "${entry.fileName}" inflates past the ${declared} bytes its header declares: refused, its headers lie`,
                'declared size',
              ),
            );
          }
          cb(null, chunk);
        },
        flush(cb) {
          if (inflated < declared) {
            return cb(
              new ExtractFormatError(`"${zipName}": entry "${entry.fileName}" ends at ${inflated} of its ${declared} declared bytes`),
            );
          }
          cb();
        },
      });
      stream.on('error', (e) => counter.destroy(e));
      // Destroying the counter (a reader that stops early) releases the entry's stream.
      counter.on('close', () => stream.destroy());
      resolve({ name: path.posix.basename(entry.fileName), stream: stream.pipe(counter) });
    });
  });
}
