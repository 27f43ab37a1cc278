import { writeFile } from 'node:fs/promises';
import { MailingError } from '../mailing.errors';
import type { ManifestRow } from './letter-pdf-writer';

/**
 * The postal manifest of a batch as CSV (RFC 4180: CRLF line ends, a field holding the
 * separator, a quote, a line end or an edge space is quoted, its quotes doubled), UTF-8,
 * a header row first. It holds what the mail room needs to follow the letters, never a
 * code nor a card number: the columns are ManifestRow's.
 *
 * A field a spreadsheet would take for a formula (starting with = + - @, a tab or a CR) is
 * written after a ' (OWASP's advice against CSV injection): an address comes from the registry.
 */

export const MANIFEST_COLUMNS = ['batchNumber', 'sequence', 'kind', 'page', 'addressee', 'postalCode'] as const;
export type ManifestSeparator = ';' | ',';

function field(v: string | number, separator: ManifestSeparator): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return s.includes(separator) || /["\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The manifest as CSV text, `;` between fields unless told (the French spreadsheets' default). */
export function manifestCsv(rows: readonly ManifestRow[], separator: ManifestSeparator = ';'): string {
  const lines = [MANIFEST_COLUMNS.join(separator)];
  for (const row of rows) lines.push(MANIFEST_COLUMNS.map((c) => field(row[c], separator)).join(separator));
  return `${lines.join('\r\n')}\r\n`;
}

/** Writes the manifest to a new file `path` (mode 0600; an existing file is never overwritten). */
export async function writeManifestCsv(path: string, rows: readonly ManifestRow[], separator: ManifestSeparator = ';'): Promise<void> {
  try {
    await writeFile(path, manifestCsv(rows, separator), { encoding: 'utf8', flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new MailingError('letter_file_exists', `${path} already exists: the manifest is never written over a file`, 409);
    }
    throw err;
  }
}
