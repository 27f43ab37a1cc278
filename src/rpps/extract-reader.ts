/**
 * Reading layer of the RPPS / ADELI public extraction ("PS_LibreAcces").
 *
 * Pure code: no Nest, no database. It turns a `.txt` or `.zip` extract into lines,
 * maps headers by their (normalised) names, and parses each data line into a record
 * or a per-line reject reason. Format notes: docs `rpps-extract-format.md`.
 *
 * - A file that cannot be used at all (no header, missing required column, unknown
 *   layout, zip without exactly one `.txt` entry) throws {@link ExtractFormatError}.
 * - A bad data line is not an exception: the parse functions return
 *   `{ ok: false, reason }` and the import goes on.
 */

import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
import { checkFiness, checkNationalId, checkSiren, checkSiret } from './identifiers';

/** The extract is unusable as a whole (as opposed to a per-line reject). */
export class ExtractFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractFormatError';
  }
}

// ---------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------

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

export type ExtractFileKind = 'personne-activite' | 'savoir-faire' | 'unknown';

export interface ExtractStart {
  /** The first line (header). */
  header: ExtractLine;
  kind: ExtractFileKind;
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
export async function readHeader(stream: NodeJS.ReadableStream, options: ReadLinesOptions = {}): Promise<ExtractStart> {
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
  return { header, kind: detectFileKind(header.text), batches: batches(), close };
}

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

const COMBINING_MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;

/**
 * Normalises a column name for matching: lower case, no accents, punctuation
 * (apostrophes, dots, parentheses, hyphens...) as spaces, whitespace collapsed.
 * `Nom d'exercice`, `NOM D’EXERCICE` and `nom  d exercice` all give `nom d exercice`.
 */
export function normalizeHeaderName(s: string): string {
  return s.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase().replace(NOT_LETTER_OR_DIGIT, ' ').trim();
}

/** Splits a header line into its column names, without the trailing empty field. */
export function splitHeader(line: string): { names: string[]; trailingDelimiter: boolean } {
  const names = line.split('|');
  const trailingDelimiter = names.length > 1 && names[names.length - 1].trim() === '';
  if (trailingDelimiter) names.pop();
  return { names, trailingDelimiter };
}

const PERSONNE_ACTIVITE_REQUIRED = {
  idType: "Type d'identifiant PP",
  identifier: 'Identifiant PP',
  nationalId: 'Identification nationale PP',
  civilityPracticeCode: "Code civilité d'exercice",
  civilityCode: 'Code civilité',
  lastName: "Nom d'exercice",
  firstName: "Prénom d'exercice",
  professionCode: 'Code profession',
  categoryCode: 'Code catégorie professionnelle',
  modeCode: 'Code mode exercice',
  siret: 'Numéro SIRET site',
  siren: 'Numéro SIREN site',
  finessSite: 'Numéro FINESS site',
  finessLegal: 'Numéro FINESS établissement juridique',
  structureId: 'Identifiant technique de la structure',
  siteName: 'Raison sociale site',
  streetNumber: 'Numéro Voie (coord. structure)',
  streetTypeLabel: 'Libellé type de voie (coord. structure)',
  streetLabel: 'Libellé Voie (coord. structure)',
  postalCode: 'Code postal (coord. structure)',
  city: 'Libellé commune (coord. structure)',
  cedex: 'Bureau cedex (coord. structure)',
  sectorCode: "Code secteur d'activité",
  registrationAuthority: "Autorité d'enregistrement",
} as const;

const PERSONNE_ACTIVITE_OPTIONAL = {
  specialtyTypeCode: 'Code type savoir-faire',
  specialtyCode: 'Code savoir-faire',
} as const;

/** Columns that mark the 56-column layout. */
const LAYOUT_56_MARKERS = ['Code fonction', "Code genre d'activité"];

const SAVOIR_FAIRE_REQUIRED = {
  nationalId: 'Identification nationale PP',
  professionCode: 'Code profession',
  specialtyTypeCode: 'Code type savoir-faire',
  specialtyCode: 'Code savoir-faire',
} as const;

export type PersonneActiviteColumn = keyof typeof PERSONNE_ACTIVITE_REQUIRED | keyof typeof PERSONNE_ACTIVITE_OPTIONAL;
export type SavoirFaireColumn = keyof typeof SAVOIR_FAIRE_REQUIRED;

export type PersonneActiviteLayout = 'personne-activite-52' | 'personne-activite-56';

interface HeaderBase {
  /** Column names as spelled in the file (without the trailing empty field). */
  names: string[];
  /** Number of real columns (the trailing empty field is not counted). */
  fieldCount: number;
  /** Whether the header line ends with `|` (so data lines are expected to as well). */
  trailingDelimiter: boolean;
}

export interface PersonneActiviteHeader extends HeaderBase {
  kind: 'personne-activite';
  layout: PersonneActiviteLayout;
  /** 0-based index of each needed column; -1 for an absent optional column. */
  columns: Record<PersonneActiviteColumn, number>;
  /**
   * The 56-column layout as published: its header names 52 columns (no savoir-faire
   * columns) while its data lines still carry the 4 savoir-faire fields, empty, after
   * the category. This is the header with those 4 slots put back, used for such lines.
   */
  withSavoirFaireSlots?: PersonneActiviteHeader;
}

export interface SavoirFaireHeader extends HeaderBase {
  kind: 'savoir-faire';
  layout: 'savoir-faire';
  columns: Record<SavoirFaireColumn, number>;
}

/** Map from normalised name to first index; names used twice are reported. */
export function indexNames(names: string[]): { index: Map<string, number>; duplicates: Set<string> } {
  const index = new Map<string, number>();
  const duplicates = new Set<string>();
  names.forEach((n, i) => {
    const key = normalizeHeaderName(n);
    if (key === '') return;
    if (index.has(key)) duplicates.add(key);
    else index.set(key, i);
  });
  return { index, duplicates };
}

/** Indexes of the wanted columns by their normalised names; throws naming every missing or doubled one. */
export function mapColumns<K extends string>(
  what: string,
  index: Map<string, number>,
  duplicates: Set<string>,
  required: Record<K, string>,
  optional: Partial<Record<string, string>> = {},
): Record<string, number> {
  const columns: Record<string, number> = {};
  const missing: string[] = [];
  const ambiguous: string[] = [];
  const all: [string, string, boolean][] = [
    ...Object.entries<string>(required).map(([k, n]): [string, string, boolean] => [k, n, true]),
    ...Object.entries(optional).map(([k, n]): [string, string, boolean] => [k, n as string, false]),
  ];
  for (const [key, name, isRequired] of all) {
    const norm = normalizeHeaderName(name);
    const i = index.get(norm);
    if (i === undefined) {
      if (isRequired) missing.push(name);
      columns[key] = -1;
      continue;
    }
    if (duplicates.has(norm)) ambiguous.push(name);
    columns[key] = i;
  }
  if (missing.length > 0) {
    throw new ExtractFormatError(`${what}: missing required column(s): ${missing.map((n) => `"${n}"`).join(', ')}`);
  }
  if (ambiguous.length > 0) {
    throw new ExtractFormatError(`${what}: column(s) present more than once: ${ambiguous.map((n) => `"${n}"`).join(', ')}`);
  }
  return columns;
}

/**
 * Maps a `PS_LibreAcces_Personne_activite` header by column names (never by
 * position). Throws {@link ExtractFormatError} naming every missing required column,
 * or when the layout is neither the 52-column one (savoir-faire columns) nor the
 * 56-column one (`Code fonction` / `Code genre d'activité`).
 */
export function parsePersonneActiviteHeader(line: string): PersonneActiviteHeader {
  if (line.trim() === '') throw new ExtractFormatError('Personne_activite: empty header line');
  const { names, trailingDelimiter } = splitHeader(line);
  const { index, duplicates } = indexNames(names);
  const columns = mapColumns(
    'Personne_activite header',
    index,
    duplicates,
    PERSONNE_ACTIVITE_REQUIRED,
    PERSONNE_ACTIVITE_OPTIONAL,
  ) as Record<PersonneActiviteColumn, number>;
  const has56Markers = LAYOUT_56_MARKERS.some((n) => index.has(normalizeHeaderName(n)));
  const hasSavoirFaire = columns.specialtyTypeCode >= 0 && columns.specialtyCode >= 0;
  let layout: PersonneActiviteLayout;
  if (has56Markers) layout = 'personne-activite-56';
  else if (hasSavoirFaire) layout = 'personne-activite-52';
  else {
    throw new ExtractFormatError(
      'Personne_activite header: unknown layout: neither the savoir-faire columns (52-column layout) ' +
        `nor ${LAYOUT_56_MARKERS.map((n) => `"${n}"`).join(' / ')} (56-column layout)`,
    );
  }
  const header: PersonneActiviteHeader = { kind: 'personne-activite', layout, names, fieldCount: names.length, trailingDelimiter, columns };
  if (layout === 'personne-activite-56' && !hasSavoirFaire) {
    const category = index.get(normalizeHeaderName('Libellé catégorie professionnelle')) ?? columns.categoryCode;
    const slotted = [
      ...names.slice(0, category + 1),
      'Code type savoir-faire',
      'Libellé type savoir-faire',
      'Code savoir-faire',
      'Libellé savoir-faire',
      ...names.slice(category + 1),
    ];
    const trailer = trailingDelimiter ? '|' : '';
    header.withSavoirFaireSlots = parsePersonneActiviteHeader(slotted.join('|') + trailer);
  }
  return header;
}

/** Maps a `PS_LibreAcces_SavoirFaire` header by column names. */
export function parseSavoirFaireHeader(line: string): SavoirFaireHeader {
  if (line.trim() === '') throw new ExtractFormatError('SavoirFaire: empty header line');
  const { names, trailingDelimiter } = splitHeader(line);
  const { index, duplicates } = indexNames(names);
  const columns = mapColumns('SavoirFaire header', index, duplicates, SAVOIR_FAIRE_REQUIRED) as Record<SavoirFaireColumn, number>;
  return { kind: 'savoir-faire', layout: 'savoir-faire', names, fieldCount: names.length, trailingDelimiter, columns };
}

/** Tells a Personne_activite header from a SavoirFaire one (anything else: 'unknown'). */
export function detectFileKind(headerLine: string): ExtractFileKind {
  const { names } = splitHeader(headerLine);
  const set = new Set(names.map(normalizeHeaderName));
  const has = (n: string): boolean => set.has(normalizeHeaderName(n));
  if (has('Identification nationale PP') && has('Code mode exercice') && has("Nom d'exercice")) {
    return 'personne-activite';
  }
  if (has('Identification nationale PP') && has('Code savoir-faire') && has('Code type savoir-faire')) {
    return 'savoir-faire';
  }
  return 'unknown';
}

// ---------------------------------------------------------------------------
// Data lines
// ---------------------------------------------------------------------------

export interface PersonneActiviteRecord {
  lineNo: number;
  nationalId: string;
  idType: string;
  identifier: string;
  civilityPracticeCode: string;
  civilityCode: string;
  lastName: string;
  firstName: string;
  professionCode: string;
  categoryCode: string;
  /** Empty string when absent (56-column layout: see the SavoirFaire file). */
  specialtyTypeCode: string;
  specialtyCode: string;
  modeCode: string;
  siret: string;
  siren: string;
  finessSite: string;
  finessLegal: string;
  structureId: string;
  siteName: string;
  streetNumber: string;
  streetTypeLabel: string;
  streetLabel: string;
  postalCode: string;
  city: string;
  cedex: string;
  sectorCode: string;
  registrationAuthority: string;
  /** The line as read, for audit. */
  raw: string;
}

export interface SavoirFaireRecord {
  lineNo: number;
  nationalId: string;
  professionCode: string;
  specialtyTypeCode: string;
  specialtyCode: string;
  raw: string;
}

export type LineReject = { ok: false; lineNo: number; reason: string };
export type LineResult<R> = { ok: true; record: R } | LineReject;

/** Longest accepted field, in characters. */
export const MAX_FIELD_LENGTH = 500;

/** C0 controls, DEL and U+FFFD (left by a bad decoding). Tab is a control too. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f\ufffd]/;
/** A text free of {@link CONTROL_CHARS} (this anchored form runs about 2x faster). */
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f\ufffd]*$/;

/**
 * Field boundaries of the line being parsed: field i is text[starts[i], ends[i]).
 * Module-level scratch (parsing is synchronous), grown on demand: no per-line array.
 */
let starts = new Int32Array(64);
let ends = new Int32Array(64);

/**
 * Finds the field boundaries of a data line (into `starts` / `ends`) and checks what
 * every line must satisfy: the field count, no control character, no field longer
 * than {@link MAX_FIELD_LENGTH}. Returns null when fine, else the reject reason.
 * (`indexOf` + one anchored regex is about twice as fast as `split('|')` + a search.)
 */
function scanLine(text: string, header: HeaderBase): string | null {
  const expected = header.fieldCount;
  if (starts.length < expected + 2) {
    starts = new Int32Array(expected + 2);
    ends = new Int32Array(expected + 2);
  }
  const capacity = expected + 2;
  let n = 0;
  let from = 0;
  for (;;) {
    const bar = text.indexOf('|', from);
    const end = bar === -1 ? text.length : bar;
    if (n < capacity) {
      starts[n] = from;
      ends[n] = end;
    }
    n++;
    if (bar === -1) break;
    from = bar + 1;
  }
  // n is the number of `|`-separated pieces; the last one is empty when the line ends with `|`.
  const lastEmpty = text.length === 0 || text.charCodeAt(text.length - 1) === 124;
  if (!(n === expected + 1 && lastEmpty) && !(n === expected && (!lastEmpty || !header.trailingDelimiter))) {
    // A line without its trailing `|` is accepted when the count then matches; but when
    // the file uses trailing delimiters, a line ending with `|` has lost a field.
    return `expected ${expected} fields, found ${lastEmpty && n > 1 ? n - 1 : n}`;
  }
  if (!NO_CONTROL_CHARS.test(text)) {
    for (let i = 0; i < expected; i++) {
      if (CONTROL_CHARS.test(text.slice(starts[i], ends[i]))) {
        return `binary or control characters in field "${header.names[i]}"`;
      }
    }
  }
  if (text.length > MAX_FIELD_LENGTH) {
    for (let i = 0; i < expected; i++) {
      const length = ends[i] - starts[i];
      if (length > MAX_FIELD_LENGTH) {
        return `field "${header.names[i]}" is ${length} characters long (max ${MAX_FIELD_LENGTH})`;
      }
    }
  }
  return null;
}

/** White space that `String.prototype.trim` removes (controls are already rejected). */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 0xa0 &&
      (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff))
  );
}

/** Trimmed field `i` of the line last scanned; '' for an absent column (i < 0). */
function field(text: string, i: number): string {
  if (i < 0) return '';
  let a = starts[i];
  let b = ends[i];
  while (a < b && isSpace(text.charCodeAt(a))) a++;
  while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
  return a === b ? '' : text.slice(a, b);
}

function isTwoDigits(s: string): boolean {
  if (s.length !== 2) return false;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(1);
  return a >= 48 && a <= 57 && b >= 48 && b <= 57;
}

function reject(lineNo: number, reason: string): LineReject {
  return { ok: false, lineNo, reason };
}

/** Appends `field "<name>": <problem>` when a non-empty value fails its check. */
function withProblem(problems: string[] | null, problem: string): string[] {
  if (problems === null) return [problem];
  problems.push(problem);
  return problems;
}

function checkOptional(problems: string[] | null, value: string, name: string, check: (s: string) => string | null): string[] | null {
  if (value === '') return problems;
  const p = check(value);
  if (p === null) return problems;
  return withProblem(problems, `field "${name}": ${p}`);
}

/**
 * Parses one `Personne_activite` data line. Returns the record, or a reject reason
 * (field count, control characters, over-long field, malformed identifiers, empty
 * name, bad profession code, bad SIRET / SIREN / FINESS); several identifier problems
 * are joined with `; `.
 */
export function parsePersonneActiviteLine(
  text: string,
  lineNo: number,
  header: PersonneActiviteHeader,
): LineResult<PersonneActiviteRecord> {
  let structural = scanLine(text, header);
  if (structural !== null && header.withSavoirFaireSlots) {
    // A 56-column line: the savoir-faire slots the header does not name.
    const slotted = header.withSavoirFaireSlots;
    const again = scanLine(text, slotted);
    if (again === null || !again.startsWith('expected ')) {
      header = slotted;
      structural = again;
    } else {
      structural = structural.replace(/^expected (\d+) fields/, `expected $1 (or ${slotted.fieldCount}) fields`);
    }
  }
  if (structural !== null) return reject(lineNo, structural);
  const c = header.columns;
  const record: PersonneActiviteRecord = {
    lineNo,
    nationalId: field(text, c.nationalId),
    idType: field(text, c.idType),
    identifier: field(text, c.identifier),
    civilityPracticeCode: field(text, c.civilityPracticeCode),
    civilityCode: field(text, c.civilityCode),
    lastName: field(text, c.lastName),
    firstName: field(text, c.firstName),
    professionCode: field(text, c.professionCode),
    categoryCode: field(text, c.categoryCode),
    specialtyTypeCode: field(text, c.specialtyTypeCode),
    specialtyCode: field(text, c.specialtyCode),
    modeCode: field(text, c.modeCode),
    siret: field(text, c.siret),
    siren: field(text, c.siren),
    finessSite: field(text, c.finessSite),
    finessLegal: field(text, c.finessLegal),
    structureId: field(text, c.structureId),
    siteName: field(text, c.siteName),
    streetNumber: field(text, c.streetNumber),
    streetTypeLabel: field(text, c.streetTypeLabel),
    streetLabel: field(text, c.streetLabel),
    postalCode: field(text, c.postalCode),
    city: field(text, c.city),
    cedex: field(text, c.cedex),
    sectorCode: field(text, c.sectorCode),
    registrationAuthority: field(text, c.registrationAuthority),
    raw: text,
  };

  let problems: string[] | null = null;
  const idProblem = checkNationalId(record.idType, record.identifier, record.nationalId);
  if (idProblem !== null) problems = withProblem(problems, idProblem);
  if (record.lastName === '') problems = withProblem(problems, `field "${header.names[c.lastName]}" is empty`);
  if (!isTwoDigits(record.professionCode)) {
    problems = withProblem(problems, `field "${header.names[c.professionCode]}" must be 2 digits, found "${record.professionCode}"`);
  }
  problems = checkOptional(problems, record.siret, header.names[c.siret], checkSiret);
  problems = checkOptional(problems, record.siren, header.names[c.siren], checkSiren);
  problems = checkOptional(problems, record.finessSite, header.names[c.finessSite], checkFiness);
  problems = checkOptional(problems, record.finessLegal, header.names[c.finessLegal], checkFiness);
  if (problems !== null) return reject(lineNo, problems.join('; '));
  return { ok: true, record };
}

/** Parses one `SavoirFaire` data line. */
export function parseSavoirFaireLine(text: string, lineNo: number, header: SavoirFaireHeader): LineResult<SavoirFaireRecord> {
  const structural = scanLine(text, header);
  if (structural !== null) return reject(lineNo, structural);
  const c = header.columns;
  const record: SavoirFaireRecord = {
    lineNo,
    nationalId: field(text, c.nationalId),
    professionCode: field(text, c.professionCode),
    specialtyTypeCode: field(text, c.specialtyTypeCode),
    specialtyCode: field(text, c.specialtyCode),
    raw: text,
  };
  const problems: string[] = [];
  const idProblem =
    record.nationalId === ''
      ? `field "${header.names[c.nationalId]}" is empty`
      : checkNationalId(record.nationalId.charAt(0), record.nationalId.slice(1), record.nationalId);
  if (idProblem !== null) problems.push(idProblem);
  if (!isTwoDigits(record.professionCode)) {
    problems.push(`field "${header.names[c.professionCode]}" must be 2 digits, found "${record.professionCode}"`);
  }
  if (record.specialtyTypeCode === '') problems.push(`field "${header.names[c.specialtyTypeCode]}" is empty`);
  if (record.specialtyCode === '') problems.push(`field "${header.names[c.specialtyCode]}" is empty`);
  if (problems.length > 0) return reject(lineNo, problems.join('; '));
  return { ok: true, record };
}
