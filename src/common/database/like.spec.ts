import { likePrefix } from './like';

describe(likePrefix.name, () => {
  it('escapes the wildcards and the escape character, and matches the start', () => {
    expect(likePrefix('DU')).toBe('DU%');
    expect(likePrefix('50%_A\\B')).toBe('50\\%\\_A\\\\B%');
  });
});
