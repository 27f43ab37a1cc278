import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { checkAdeli, checkRpps } from './identifiers';

export interface Correspondence {
  adeliNationalId: string;
  rppsNationalId: string;
}

/**
 * Parses one line of an ADELI → RPPS correspondence file (`adeli;rpps`). Each side may be
 * the bare number (9 or 11 digits) or the national identifier (`0` + ADELI, `8` + RPPS).
 * Returns the pair or a reason.
 */
export function parseCorrespondenceLine(line: string): Correspondence | string {
  const parts = line.split(';').map((s) => s.trim());
  if (parts.length === 3 && parts[2] === '') parts.pop();
  if (parts.length !== 2) return `expected "adeli;rpps", found ${parts.length} field(s)`;
  let [adeli, rpps] = parts;
  if (adeli.length === 10 && adeli.startsWith('0')) adeli = adeli.slice(1);
  if (rpps.length === 12 && rpps.startsWith('8')) rpps = rpps.slice(1);
  const bad = checkAdeli(adeli) ?? checkRpps(rpps);
  if (bad) return bad;
  return { adeliNationalId: `0${adeli}`, rppsNationalId: `8${rpps}` };
}

export interface CorrespondenceFile {
  pairs: Correspondence[];
  errors: Array<{ line: number; reason: string }>;
}

/** Reads a whole correspondence file (small: one line per migrated professional). */
export async function readCorrespondenceFile(path: string): Promise<CorrespondenceFile> {
  const pairs: Correspondence[] = [];
  const errors: Array<{ line: number; reason: string }> = [];
  const seen = new Map<string, number>();
  const rl = createInterface({ input: createReadStream(path, { encoding: 'latin1' }), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of rl) {
    n += 1;
    const line = raw.replace(/^\uFEFF|^\u00ef\u00bb\u00bf/, '').trim();
    if (!line || line.startsWith('#')) continue;
    if (n === 1 && /adeli/i.test(line)) continue; // header
    const r = parseCorrespondenceLine(line);
    if (typeof r === 'string') {
      errors.push({ line: n, reason: r });
      continue;
    }
    const prev = seen.get(r.adeliNationalId);
    if (prev !== undefined) {
      errors.push({ line: n, reason: `ADELI ${r.adeliNationalId} already mapped on line ${prev}` });
      continue;
    }
    seen.set(r.adeliNationalId, n);
    pairs.push(r);
  }
  return { pairs, errors };
}
