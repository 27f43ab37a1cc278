import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COMMON_TITLES, DomainError } from './common/errors/domain-error';
import { DOMAIN_ERRORS } from './domain-errors';

const classNames = DOMAIN_ERRORS.map((e) => e.errorClass.name);

/** The TypeScript sources of src (not the tests). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sources(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.spec.ts') && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Every class of src that extends DomainError (directly or through another class of src),
 * found in the text of the sources, with the file that declares it: a new error class is
 * found here without anyone listing it.
 */
function domainErrorClassesOfSrc(): Array<{ name: string; file: string }> {
  const parentOf = new Map<string, string>();
  const fileOf = new Map<string, string>();
  for (const file of sources(__dirname)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bclass\s+(\w+)\s*(?:<[^>{]*>)?\s+extends\s+(\w+)/g)) {
      parentOf.set(m[1], m[2]);
      fileOf.set(m[1], file);
    }
  }
  const descends = (name: string): boolean => {
    for (let p = parentOf.get(name), hops = 0; p && hops < 20; p = parentOf.get(p), hops++) if (p === 'DomainError') return true;
    return false;
  };
  return [...parentOf.keys()].filter(descends).map((name) => ({ name, file: fileOf.get(name) as string }));
}

describe('the titles of domain errors', () => {
  const cases = DOMAIN_ERRORS.flatMap(({ errorClass, codes }) => codes.map((code) => [errorClass.name, code, errorClass] as const));

  it.each(cases)('%s gives %s a title that is a sentence', (_name, code, errorClass) => {
    const title = errorClass.titles[code] ?? (COMMON_TITLES as Record<string, string>)[code];
    expect(title).toEqual(expect.any(String));
    expect(title).toMatch(/^[A-Z](?![A-Z_])/); // a capital, not UPPER_SNAKE nor a status constant (BAD_REQUEST)
    expect(title).not.toMatch(/^[A-Z0-9_]+$/);
    expect(title).not.toMatch(/\b[a-z]+_[a-z_]+\b/); // no code in it either
    for (const name of classNames) expect(title).not.toContain(name);
    expect(title).not.toMatch(/Error\b/);
  });

  it('declares no title for a code the class does not throw', () => {
    for (const { errorClass, codes } of DOMAIN_ERRORS) {
      expect(Object.keys(errorClass.titles).filter((c) => !codes.includes(c))).toEqual([]);
    }
  });

  it('lists every DomainError subclass of src (a subclass of a listed class may take its titles, if it declares none)', async () => {
    const found = domainErrorClassesOfSrc();
    // the scan sees what is listed (a scan that finds nothing would prove nothing)
    for (const name of classNames) expect(found.map((c) => c.name)).toContain(name);
    const listed = new Set<unknown>(DOMAIN_ERRORS.map((e) => e.errorClass));
    const unlisted: string[] = [];
    for (const { name, file } of found) {
      const where = `${name} (${relative(__dirname, file)})`;
      const cls: unknown = (await import(file))[name];
      if (typeof cls !== 'function' || !(cls.prototype instanceof DomainError)) {
        unlisted.push(`${where}: not exported, so it cannot be listed`);
        continue;
      }
      if (listed.has(cls)) continue;
      // A subclass that declares no titles of its own takes a listed ancestor's, for codes listed there.
      let ancestor = Object.getPrototypeOf(cls);
      while (ancestor !== DomainError && !listed.has(ancestor)) ancestor = Object.getPrototypeOf(ancestor);
      if (ancestor === DomainError || Object.hasOwn(cls, 'titles')) unlisted.push(`${where}: not in DOMAIN_ERRORS (src/domain-errors.ts)`);
    }
    expect(unlisted).toEqual([]);
  });
});
