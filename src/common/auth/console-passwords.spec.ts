import { hashPassword, passwordMatches, passwordProblem, spendPasswordCheck } from './console-passwords';

describe('console passwords', () => {
  const account = { name: 'Claire Martin', email: 'claire.martin@example.fr' };

  it('take 12 to 128 characters, counted as characters (not bytes)', () => {
    expect(passwordProblem('elevenchars', account)).toBe('password: at least 12 characters (this one has 11)');
    expect(passwordProblem('twelve chars', account)).toBeNull();
    expect(passwordProblem('é'.repeat(12), account)).toBeNull();
    expect(passwordProblem('😀'.repeat(11), account)).toMatch(/at least 12/);
    expect(passwordProblem('x'.repeat(128), account)).toBeNull();
    expect(passwordProblem('x'.repeat(129), account)).toBe('password: at most 128 characters (this one has 129)');
  });

  it("are never the account's name or email, whatever the case", () => {
    expect(passwordProblem('claire martin', { name: 'Claire Martin Dupont', email: null })).toBeNull();
    expect(passwordProblem('CLAIRE MARTIN DUPONT', { name: 'Claire Martin Dupont', email: null })).toBe(
      "password: must not be the account's name",
    );
    expect(passwordProblem('Claire.Martin@Example.fr', account)).toBe("password: must not be the account's email");
  });

  it('are hashed with argon2id, salted, and match only themselves (NFC and NFD typing alike)', async () => {
    const h1 = await hashPassword('Crème brûlée 42');
    const h2 = await hashPassword('Crème brûlée 42');
    expect(h1).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(h1).not.toBe(h2);
    expect(h1).not.toContain('brûlée');
    expect(await passwordMatches(h1, 'Crème brûlée 42')).toBe(true);
    expect(await passwordMatches(h1, 'Crème brûlée 42'.normalize('NFD'))).toBe(true);
    expect(await passwordMatches(h1, 'creme brulee 42')).toBe(false);
    expect(await passwordMatches('not a hash', 'Crème brûlée 42')).toBe(false);
    expect(await spendPasswordCheck('Crème brûlée 42')).toBe(false);
  });
});
