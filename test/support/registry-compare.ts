import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { registrySnapshot } from './context';

/**
 * The registry of a database in a form two databases can be compared in (an interrupted
 * import run again against an undisturbed one): import-crash e2e and the fault tier. Sorted
 * lists, one string per row (a digest for the big tables).
 */
export type Comparable = Record<'professionals' | 'professions' | 'situations' | 'events' | 'outbox', string[]>;

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

export async function comparable(pg: Client): Promise<Comparable> {
  const ds = { query: async (sql: string, params?: unknown[]) => (await pg.query(sql, params)).rows } as unknown as DataSource;
  const s = await registrySnapshot(ds);
  // (columns come in the snapshot's SELECT order, the same on both sides)
  const row = (r: Record<string, unknown>) => `${String(r.national_id)} ${createHash('sha1').update(JSON.stringify(r)).digest('base64')}`;
  return {
    professionals: s.professionals.map(row).sort(),
    professions: s.professions.map(row).sort(),
    situations: s.situations.map(row).sort(),
    // a multiset of (kind, national_id, profession_code, details): ids, import ids and times left out
    events: s.events.map((e: Record<string, unknown>) => canonical([e.kind, e.national_id, e.profession_code, e.details])).sort(),
    outbox: s.outbox.map((o: Record<string, unknown>) => `${String(o.topic)} ${String(o.kind)}`).sort(),
  };
}

/** What differs, per part of the registry ({} when identical); a few rows of each side for the failure message. */
export function differences(actual: Comparable, expected: Comparable) {
  const out: Record<string, { rows: [number, number]; onlyActual: string[]; onlyExpected: string[] }> = {};
  for (const k of Object.keys(expected) as Array<keyof Comparable>) {
    const a = actual[k];
    const e = expected[k];
    if (a.length === e.length && a.every((x, i) => x === e[i])) continue;
    const n = new Map<string, number>();
    for (const x of a) n.set(x, (n.get(x) ?? 0) + 1);
    for (const x of e) n.set(x, (n.get(x) ?? 0) - 1);
    const side = (sign: 1 | -1) =>
      [...n]
        .filter(([, c]) => c * sign > 0)
        .map(([x]) => x)
        .slice(0, 5);
    out[k] = { rows: [a.length, e.length], onlyActual: side(1), onlyExpected: side(-1) };
  }
  return out;
}
