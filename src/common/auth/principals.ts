import { EntityManager } from 'typeorm';
import { CommonError } from '../errors/domain-error';
import { PrincipalKind } from './principal.entity';

/** A principal's name: Latin letters (accents allowed), digits, spaces and . _ @ ' -, starting with a letter or digit. */
const PRINCIPAL_NAME = /^[\p{Script=Latin}\p{Nd}][\p{Script=Latin}\p{Nd} ._@'-]{0,199}$/u;

/** The problem with a principal's name (already trimmed), or null. */
export function principalNameProblem(name: string): string | null {
  return PRINCIPAL_NAME.test(name)
    ? null
    : "name: 1 to 200 Latin letters (accents allowed), digits, spaces or . _ @ ' -, starting with a letter or digit";
}

/** A name as it reads: accents, case and spacing dropped. */
export function readsAs(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s._'-]+/g, '');
}

export interface PrincipalRow {
  id: string;
  name: string;
  kind: PrincipalKind;
}

/**
 * The principal of a name seen before (whatever its case), or a new one of `kind`, in the
 * caller's transaction. A new name that reads like an existing one (same letters once
 * accents and case are dropped) would let one person be "another" principal: refused.
 */
export async function principalNamed(
  em: EntityManager,
  name: string,
  kind: PrincipalKind,
): Promise<{ principal: PrincipalRow; created: boolean }> {
  const inserted: PrincipalRow[] = await em.query(
    `INSERT INTO principal (name, kind) VALUES ($1, $2) ON CONFLICT (lower(name)) DO NOTHING RETURNING id, name, kind`,
    [name, kind],
  );
  const created = inserted.length === 1;
  const [principal]: PrincipalRow[] = created
    ? inserted
    : await em.query(`SELECT id, name, kind FROM principal WHERE lower(name) = lower($1)`, [name]);
  if (created) {
    const rows: Array<{ name: string }> = await em.query(`SELECT name FROM principal WHERE id <> $1`, [principal.id]);
    const twin = rows.find((r) => readsAs(r.name) === readsAs(principal.name));
    if (twin) {
      throw new CommonError(
        'validation_failed',
        `name: "${principal.name}" reads like the existing principal "${twin.name}"; use that name`,
      );
    }
  }
  return { principal, created };
}
