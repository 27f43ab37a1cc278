/**
 * The lines of an ANS extract: encoding detection (UTF-8, BOM, Latin-1), LF / CRLF line
 * ends, batching, and the header line. Pure code: no Nest, no database. Shared by the
 * registry import and the card base reader.
 */
import { isUtf8 } from 'node:buffer';
import { ExtractFormatError } from './extract.errors';

export type LineEncoding = 'utf8' | 'latin1';

export interface ExtractLine {
  /** 1-based physical line number in the file (the header is line 1). */
  lineNo: number;
  /** The line without its end-of-line (`\n` or `\r\n`) and without a leading BOM. */
  text: string;
  /** How this line was decoded. */
  encoding: LineEncoding;
}

export interface ReadLinesOptions {
  /** Bytes examined at the start to choose the file's encoding (default 1 MiB). */
  sniffBytes?: number;
  /** A line longer than this (in bytes) makes the file unusable (default 16 MiB). */
  maxLineBytes?: number;
  /**
   * Chunks smaller than this are gathered before being split (default 256 KiB): fewer,
   * bigger decode / split / yield steps on small-chunk streams such as a zip entry.
   */
  gatherBytes?: number;
}

export const DEFAULT_SNIFF_BYTES = 1 << 20;
export const DEFAULT_MAX_LINE_BYTES = 16 << 20;

export const DEFAULT_GATHER_BYTES = 256 << 10;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Length of `buf` once a UTF-8 multi-byte sequence cut by the end of the buffer is
 * dropped (so that a sniff window ending mid-character is not taken for Latin-1).
 */
function withoutCutUtf8Tail(buf: Buffer): number {
  const len = buf.length;
  for (let back = 1; back <= 3 && back <= len; back++) {
    const b = buf[len - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    let need = 0;
    if ((b & 0xe0) === 0xc0) need = 2;
    else if ((b & 0xf0) === 0xe0) need = 3;
    else if ((b & 0xf8) === 0xf0) need = 4;
    return need > back ? len - back : len;
  }
  return len;
}

/** Chooses the encoding of the whole file from its first bytes. */
function sniffEncoding(sample: Buffer, wholeFile: boolean): LineEncoding {
  const usable = wholeFile ? sample : sample.subarray(0, withoutCutUtf8Tail(sample));
  return isUtf8(usable) ? 'utf8' : 'latin1';
}

function toBuffer(chunk: string | Buffer | Uint8Array): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Splits a byte stream into lines, yielded in batches (one batch per chunk read, so a
 * few thousand lines at most). See {@link readLines} for the rules.
 */
export async function* readLineBatches(
  stream: NodeJS.ReadableStream,
  options: ReadLinesOptions = {},
): AsyncGenerator<ExtractLine[], void, undefined> {
  const sniffBytes = options.sniffBytes ?? DEFAULT_SNIFF_BYTES;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const gatherBytes = options.gatherBytes ?? DEFAULT_GATHER_BYTES;
  const iterator = (stream as AsyncIterable<string | Buffer>)[Symbol.asyncIterator]();

  // --- 1. sniff: gather the first `sniffBytes` (or the whole, smaller, file).
  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < sniffBytes + 3) {
    const r = await iterator.next();
    if (r.done) {
      ended = true;
      break;
    }
    const b = toBuffer(r.value);
    if (b.length === 0) continue;
    head.push(b);
    headLength += b.length;
  }
  const first = head.length === 1 ? head[0] : Buffer.concat(head, headLength);
  head.length = 0;
  const bomLength = first.length >= 3 && first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? 3 : 0;
  const sample = first.subarray(bomLength, bomLength + sniffBytes);
  const fileEncoding = sniffEncoding(sample, ended && first.length - bomLength <= sniffBytes);

  // --- 2. split.
  let lineNo = 0;
  let carry: Buffer | null = null; // bytes of a line not yet terminated
  // Empty lines (pendingEmptyCount of them, ending at lineNo) are emitted only if a
  // non-empty line follows: trailing empty lines are dropped.
  let pendingEmptyCount = 0;
  let batch: ExtractLine[] = [];

  const push = (text: string, encoding: LineEncoding): void => {
    lineNo++;
    if (text.length === 0) {
      pendingEmptyCount++;
      return;
    }
    if (pendingEmptyCount > 0) {
      for (let n = lineNo - pendingEmptyCount; n < lineNo; n++) batch.push({ lineNo: n, text: '', encoding });
      pendingEmptyCount = 0;
    }
    batch.push({ lineNo: lineNo, text, encoding });
  };

  /** One line held in buf[start, end) (end excludes the LF). */
  const pushBytes = (buf: Buffer, start: number, end: number): void => {
    if (end > start && buf[end - 1] === CR) end--;
    let encoding: LineEncoding = fileEncoding;
    if (encoding === 'utf8' && !isUtf8(buf.subarray(start, end))) encoding = 'latin1';
    push(buf.toString(encoding, start, end), encoding);
  };

  /** Several complete lines: buf[start, end) where buf[end] is a LF. */
  const pushRegion = (buf: Buffer, start: number, end: number): void => {
    const encoding: LineEncoding = fileEncoding;
    if (encoding === 'utf8' && !isUtf8(buf.subarray(start, end))) {
      // Some line in there is not UTF-8: decode line by line.
      let p = start;
      while (p <= end) {
        let nl = buf.indexOf(LF, p);
        if (nl === -1 || nl > end) nl = end;
        pushBytes(buf, p, nl);
        p = nl + 1;
      }
      return;
    }
    const parts = buf.toString(encoding, start, end).split('\n');
    for (let i = 0; i < parts.length; i++) {
      const t = parts[i];
      push(t.length > 0 && t.charCodeAt(t.length - 1) === CR ? t.slice(0, -1) : t, encoding);
    }
  };

  const tooLong = (): ExtractFormatError =>
    new ExtractFormatError(`line ${lineNo + 1} is longer than ${maxLineBytes} bytes: not a registry extract?`);

  const consume = (buf: Buffer, from: number): void => {
    let pos = from;
    if (carry !== null) {
      const nl = buf.indexOf(LF, pos);
      if (nl === -1) {
        if (carry.length + buf.length - pos > maxLineBytes) throw tooLong();
        carry = Buffer.concat([carry, buf.subarray(pos)]);
        return;
      }
      const line: Buffer = Buffer.concat([carry, buf.subarray(pos, nl)]);
      carry = null;
      if (line.length > maxLineBytes) throw tooLong();
      pushBytes(line, 0, line.length);
      pos = nl + 1;
    }
    const lastNl = buf.lastIndexOf(LF);
    if (lastNl >= pos) {
      pushRegion(buf, pos, lastNl);
      pos = lastNl + 1;
    }
    if (pos < buf.length) {
      if (buf.length - pos > maxLineBytes) throw tooLong();
      carry = Buffer.from(buf.subarray(pos)); // copy: do not pin the whole chunk
    }
  };

  try {
    consume(first, bomLength);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
    if (!ended) {
      // Small chunks (16 KiB from an inflating zip stream) are gathered up to
      // `gatherBytes` first: fewer, bigger decode / split / yield steps.
      const pending: Buffer[] = [];
      let pendingLength = 0;
      for (;;) {
        const r = await iterator.next();
        if (!r.done) {
          const b = toBuffer(r.value);
          if (b.length === 0) continue;
          pending.push(b);
          pendingLength += b.length;
          if (pendingLength < gatherBytes) continue;
        }
        if (pendingLength > 0) {
          consume(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLength), 0);
          pending.length = 0;
          pendingLength = 0;
        }
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        if (r.done) break;
      }
    }
    const rest = carry as Buffer | null;
    if (rest !== null) {
      pushBytes(rest, 0, rest.length);
      carry = null;
    }
    // Trailing empty lines (pendingEmptyCount) are dropped.
    if (batch.length > 0) yield batch;
  } finally {
    // Stopped early (consumer break, error): destroy the stream, releasing its file.
    await iterator.return?.();
  }
}

/**
 * Streams the lines of an extract, one at a time.
 *
 * - Splits on LF bytes, strips a trailing CR (CRLF files) and a UTF-8 BOM at the start.
 * - A line may span chunks; the last line may lack its newline; trailing empty lines
 *   are skipped (an empty line in the middle is yielded, for the parser to reject).
 * - Encoding: the first `sniffBytes` (1 MiB) decide: not valid UTF-8 → the whole file
 *   is Latin-1. Otherwise UTF-8, but a later line that is not valid UTF-8 is decoded
 *   as Latin-1 on its own (`encoding` tells which).
 */
export async function* readLines(
  stream: NodeJS.ReadableStream,
  options: ReadLinesOptions = {},
): AsyncGenerator<ExtractLine, void, undefined> {
  for await (const batch of readLineBatches(stream, options)) yield* batch;
}

export interface HeaderStart {
  /** The first line (header). */
  header: ExtractLine;
  /** The data lines that follow the header, in batches. */
  batches: AsyncGenerator<ExtractLine[], void, undefined>;
  /**
   * Releases the stream when `batches` will not be read to the end (e.g. the header is
   * refused). Not needed after a complete or interrupted `for await` over `batches`.
   */
  close(): Promise<void>;
}

/**
 * Reads the header line of an extract and hands back the data lines' batches.
 * Throws {@link ExtractFormatError} on an empty file.
 */
export async function readHeaderLine(stream: NodeJS.ReadableStream, options: ReadLinesOptions = {}): Promise<HeaderStart> {
  const source = readLineBatches(stream, options);
  let firstBatch: ExtractLine[] | undefined;
  for (;;) {
    const r = await source.next();
    if (r.done) break;
    if (r.value.length > 0) {
      firstBatch = r.value;
      break;
    }
  }
  if (!firstBatch) throw new ExtractFormatError('empty file: no header line');
  const header = firstBatch[0];
  if (header.lineNo !== 1 || header.text.trim() === '') {
    await source.return(undefined);
    throw new ExtractFormatError('no header line: the first line of the file is empty');
  }
  const restOfFirst = firstBatch.slice(1);
  async function* batches(): AsyncGenerator<ExtractLine[], void, undefined> {
    if (restOfFirst.length > 0) yield restOfFirst;
    yield* source;
  }
  const close = async (): Promise<void> => {
    await source.return(undefined);
  };
  return { header, batches: batches(), close };
}
