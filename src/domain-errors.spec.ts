import { COMMON_TITLES } from './common/errors/domain-error';
import { DOMAIN_ERRORS } from './domain-errors';

const classNames = DOMAIN_ERRORS.map((e) => e.errorClass.name);

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
});
