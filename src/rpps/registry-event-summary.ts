import { professionLabel } from './professions';

/**
 * What a registry event changed, in a few words (English, as the API speaks; the console
 * says it in French from `kind` and `details`), from what the import recorded with it
 * (registry-diff.sql.ts, identifier-migrations.service.ts).
 *
 * Pure code: no framework, no database.
 */
export function registryEventSummary(e: { kind: string; professionCode: string | null; details: Record<string, unknown> }): string {
  const d = e.details ?? {};
  switch (e.kind) {
    case 'NEW_PROFESSIONAL':
      return withProfessions('entered the registry', d.professions);
    case 'CEASED':
      return withProfessions(
        d.after === 'migration candidate rejected' ? 'left the registry (identifier migration rejected)' : 'left the registry',
        d.professions,
      );
    case 'PROFESSION_ADDED':
      return `profession ${profession(e.professionCode)} added`;
    case 'PROFESSION_REMOVED':
      return `profession ${profession(e.professionCode)} removed`;
    case 'SITUATION_CHANGED':
      return 'practice situations changed';
    case 'IDENTITY_CHANGED':
      return identityChanges(d).join('; ') || 'identity changed';
    case 'IDENTIFIER_MIGRATED': {
      const from = typeof d.fromNationalId === 'string' ? ` from ${d.fromNationalId}` : '';
      const how =
        d.source === 'candidate' ? ' (candidate confirmed by an operator)' : d.source === 'correspondence' ? ' (correspondence file)' : '';
      return `identifier migrated${from}${how}`;
    }
    default:
      return e.kind;
  }
}

/** "10 Médecin", or the code alone when it is not listed. */
function profession(code: unknown): string {
  if (typeof code !== 'string') return '?';
  const label = professionLabel(code);
  return label ? `${code} ${label}` : code;
}

function withProfessions(what: string, professions: unknown): string {
  const codes = Array.isArray(professions) ? professions.filter((p): p is string => typeof p === 'string') : [];
  return codes.length ? `${what}: ${codes.length === 1 ? 'profession' : 'professions'} ${codes.map(profession).join(', ')}` : what;
}

const IDENTITY_FIELDS: Array<[string, string]> = [
  ['lastName', 'name of practice'],
  ['firstName', 'first name'],
  ['civilityPracticeCode', 'civility of practice'],
  ['civilityCode', 'civility'],
];
const PROFESSION_FIELDS: Array<[string, string]> = [
  ['categoryCode', 'category'],
  ['specialtyTypeCode', 'specialty type'],
  ['specialtyCode', 'specialty'],
];

/** "name of practice DUPONT → DURAND", "profession 10 Médecin: specialty SM26 → SM54", for each field that changed. */
function identityChanges(d: Record<string, unknown>): string[] {
  const out = changes(d.before, d.after, IDENTITY_FIELDS);
  for (const p of Array.isArray(d.professions) ? d.professions : []) {
    if (!p || typeof p !== 'object') continue;
    const { professionCode, before, after } = p as Record<string, unknown>;
    const what = changes(before, after, PROFESSION_FIELDS);
    if (what.length) out.push(`profession ${profession(professionCode)}: ${what.join(', ')}`);
  }
  return out;
}

function changes(before: unknown, after: unknown, fields: Array<[string, string]>): string[] {
  if (!before || !after || typeof before !== 'object' || typeof after !== 'object') return [];
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return fields.filter(([k]) => b[k] !== a[k]).map(([k, label]) => `${label} ${shown(b[k])} → ${shown(a[k])}`);
}

function shown(v: unknown): string {
  return v === '' || v === null || v === undefined ? '(none)' : String(v);
}
