/** Helpers of the extract readers' unit tests: the fixtures, streams, and a minimal zip writer. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { ExtractLine, readLines } from '../../src/common/extract/extract-lines';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const PA_52_DAY1 = path.join(FIXTURES, 'PS_LibreAcces_Personne_activite_202611250600.txt');
export const PA_52_DAY2 = path.join(FIXTURES, 'PS_LibreAcces_Personne_activite_202611260600.txt');
export const PA_56 = path.join(FIXTURES, 'PS_LibreAcces_Personne_activite_202611270600.txt');
export const SAVOIR_FAIRE = path.join(FIXTURES, 'PS_LibreAcces_SavoirFaire_202611270600.txt');
export const PORTEURS = path.join(FIXTURES, 'Porteurs_CPS_CPF_202611250600.txt');

export function fixtureLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

export function streamOf(...chunks: (Buffer | string)[]): Readable {
  return Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}

export function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

export async function collect(stream: NodeJS.ReadableStream, options?: Parameters<typeof readLines>[1]): Promise<ExtractLine[]> {
  const out: ExtractLine[] = [];
  for await (const line of readLines(stream, options)) out.push(line);
  return out;
}

export async function texts(stream: NodeJS.ReadableStream, options?: Parameters<typeof readLines>[1]): Promise<string[]> {
  return (await collect(stream, options)).map((l) => l.text);
}

/** Replaces field `index` of a `|`-delimited line (trailing `|` kept). */
export function setField(line: string, index: number, value: string): string {
  const f = line.split('|');
  f[index] = value;
  return f.join('|');
}

/** Inserts the four savoir-faire columns where the 52-column layout has them. */
export function withSavoirFaireColumns(header56: string): string {
  return header56.replace(
    'Libellé catégorie professionnelle|',
    'Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|',
  );
}

// ---------------------------------------------------------------------------
// Minimal zip writer (test code only), stored or deflated entries.
// ---------------------------------------------------------------------------
export interface ZipEntrySpec {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Already deflated (raw) content: `data` is ignored, and the declared size is `declaredSize`. */
  deflated?: Buffer;
  /** The inflated size the headers declare (default: the real one); a lie makes a bomb. */
  declaredSize?: number;
}

export function makeZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.deflated ?? (e.deflate ? zlib.deflateRawSync(e.data) : e.data);
    const crc = e.deflated ? 0 : zlib.crc32(e.data) >>> 0;
    const method = e.deflate || e.deflated ? 8 : 0;
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The zip tool (Debian package `zip`, installed by .ci/services.sh): a missing tool fails the test, never skips it. */
export function requireZipCli(): void {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error('the `zip` command is needed by this test (apt-get install zip, or bash .ci/services.sh)');
  }
}

// ---------------------------------------------------------------------------

/**
 * Raw deflate of `prefix` then `pattern` repeated, `inflatedBytes` in all (about), made as a stream (the inflated
 * content is never held whole): a zip bomb's body.
 */
export async function deflatedRepeat(pattern: string, inflatedBytes: number, prefix = ''): Promise<Buffer> {
  const unit = Buffer.from(pattern.repeat(Math.max(1, Math.floor((1 << 20) / pattern.length))), 'utf8');
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  if (prefix) deflate.write(Buffer.from(prefix, 'utf8'));
  for (let written = Buffer.byteLength(prefix); written < inflatedBytes; written += unit.length) {
    const chunk = unit.subarray(0, Math.min(unit.length, inflatedBytes - written));
    if (!deflate.write(chunk)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}
