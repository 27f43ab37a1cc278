/**
 * Opening an ANS extract file (`.txt`, or the single `.txt` entry of a `.zip`) as a
 * byte stream. Pure code: no Nest, no database. Shared by the registry import and the
 * card base reader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
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
 * Opens an extract for streaming: a `.txt` file as is, or the single `.txt` entry of a
 * `.zip` (streamed and inflated on the fly; the archive is never loaded in memory).
 */
export async function openExtract(filePath: string): Promise<OpenedExtract> {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.txt') {
    await fs.promises.access(filePath, fs.constants.R_OK);
    return {
      name: path.basename(filePath),
      stream: fs.createReadStream(filePath, { highWaterMark: TXT_READ_CHUNK }),
    };
  }
  if (ext === '.zip') return openZipEntry(filePath);
  throw new ExtractFormatError(`"${path.basename(filePath)}": an extract must be a .txt or a .zip file`);
}

function isTxtEntry(fileName: string): boolean {
  if (fileName.endsWith('/')) return false; // directory
  if (fileName.startsWith('__MACOSX/')) return false; // macOS resource forks
  return fileName.toLowerCase().endsWith('.txt');
}

function openZipEntry(zipPath: string): Promise<OpenedExtract> {
  const zipName = path.basename(zipPath);
  return new Promise<OpenedExtract>((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (openErr, zipfile) => {
      if (openErr || !zipfile) {
        const code = (openErr as NodeJS.ErrnoException | null)?.code;
        // A missing / unreadable file stays a plain I/O error; a corrupt archive is a format error.
        if (code) return reject(openErr);
        return reject(new ExtractFormatError(`"${zipName}" is not a readable zip: ${openErr?.message ?? 'unknown error'}`));
      }
      const all: string[] = [];
      const txt: yauzl.Entry[] = [];
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
        const entry = txt[0];
        zipfile.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) {
            return fail(new ExtractFormatError(`"${zipName}": cannot read entry "${entry.fileName}": ${streamErr?.message}`));
          }
          settled = true;
          // The read stream holds its own reference on the file descriptor: closing the
          // zipfile now lets the fd be released as soon as the stream ends or is destroyed.
          zipfile.close();
          resolve({ name: path.posix.basename(entry.fileName), stream });
        });
      });
      zipfile.readEntry();
    });
  });
}
