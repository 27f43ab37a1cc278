/**
 * PostgreSQL COPY text format: one row per line, fields separated by tabs,
 * `\N` for NULL, and backslash, tab, newline and carriage return escaped.
 * NUL cannot be stored in a text column: it is written as U+FFFD.
 */
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;

export function copyField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  if (!NEEDS_ESCAPE.test(v)) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') out += '\\\\';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\0') out += '\uFFFD';
    else out += c;
  }
  return out;
}

/** A row whose fields are known to hold no tab, newline, carriage return or NUL: only a backslash needs care. */
export function copyRowClean(fields: Array<string | number>): string {
  const s = fields.join('\t');
  return s.indexOf('\\') === -1 ? `${s}\n` : copyRow(fields);
}

export function copyRow(fields: Array<string | number | null | undefined>): string {
  let s = copyField(fields[0]);
  for (let i = 1; i < fields.length; i++) s += `\t${copyField(fields[i])}`;
  return `${s}\n`;
}
