import { execFileSync } from 'node:child_process';
import type { CardLetter, PinLetter } from '../../src/mailing/letters/letter-data';

/**
 * Fake letters (made-up people, numbers and codes) and the poppler tools the letter tests
 * read PDFs with (pdftotext, pdfinfo: Debian's poppler-utils, installed by .ci/services.sh).
 */

export const FAKE_BATCH = '20261130-A';

/** A card letter of `sequence`; its card number, from the sequence, is 10 digits. */
export function fakeCardLetter(sequence: number, over: Partial<CardLetter> = {}): CardLetter {
  return {
    batchNumber: FAKE_BATCH,
    sequence,
    addressLines: [`DR CLAIRE MARTIN ${sequence}`, 'CABINET MEDICAL DES LILAS', '12 BIS RUE DES LILAS', '75019 PARIS'],
    cardType: 'CPS',
    generation: 'CPS4',
    cardNumber: String(2900000000 + sequence),
    validFrom: '2026-11-30',
    validUntil: '2032-11-29',
    holderName: 'Dr Claire MARTIN',
    professionLabel: 'Médecin',
    helpdeskPhone: '0 800 00 12 34',
    letterDate: '2026-11-30',
    ...over,
  };
}

/** A PIN letter of `sequence`, its codes made from the sequence (distinct for every sequence under 1,000). */
export function fakePinLetter(sequence: number, over: Partial<PinLetter> = {}): PinLetter {
  return {
    batchNumber: FAKE_BATCH,
    sequence,
    addressLines: [`DR CLAIRE MARTIN ${sequence}`, '12 BIS RUE DES LILAS', '75019 PARIS'],
    cardType: 'CPS',
    generation: 'CPS4',
    cardLast4: String(1000 + sequence).slice(-4),
    pin: String(5000 + sequence).padStart(4, '0'),
    puk: String(73100000 + sequence * 7),
    helpdeskPhone: '0 800 00 12 34',
    letterDate: '2026-12-03',
    ...over,
  };
}

/** The text of `file` (page `page` only, when given), as pdftotext reads it (UTF-8, reading order). */
export function pdfText(file: string, options: { page?: number; password?: string } = {}): string {
  const args = ['-enc', 'UTF-8'];
  if (options.page) args.push('-f', String(options.page), '-l', String(options.page));
  if (options.password) args.push('-upw', options.password);
  return execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** pdfinfo's fields of `file`. */
export function pdfInfo(file: string, password?: string): Record<string, string> {
  const out = execFileSync('pdfinfo', [...(password ? ['-upw', password] : []), file], { encoding: 'utf8' });
  return Object.fromEntries(
    out.split('\n').flatMap((l) => (l.includes(':') ? [[l.split(':')[0].trim(), l.slice(l.indexOf(':') + 1).trim()]] : [])),
  );
}

/** Every run of digits in `text`, spaces inside a number kept apart (`0 800 00` is three runs). */
export function digitRuns(text: string): string[] {
  return text.match(/\d+/g) ?? [];
}

/** A word pdftotext finds on a page, with its box in points from the top left corner. */
export interface PdfWord {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The words of page `page` of `file` and their boxes (pdftotext -bbox). */
export function pdfWords(file: string, page = 1): PdfWord[] {
  const html = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), file, '-'], {
    encoding: 'utf8',
  });
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    yMax: Number(m[4]),
    text: m[5].replace(/&(amp|lt|gt|quot|apos);|&#(\d+);/g, (_, name, code) =>
      name ? ENTITIES[name] : String.fromCodePoint(Number(code)),
    ),
  }));
}
