import { bodyLimitBytes } from './body-errors';

describe('bodyLimitBytes', () => {
  it('reads HTTP_BODY_LIMIT as the body parser does (1 kb = 1024 bytes)', () => {
    expect(bodyLimitBytes('100kb')).toBe(102_400);
    expect(bodyLimitBytes('1MB')).toBe(1_048_576);
    expect(bodyLimitBytes('512b')).toBe(512);
    expect(bodyLimitBytes('512')).toBe(512);
  });

  it('refuses what is not a size, naming the setting', () => {
    expect(() => bodyLimitBytes('1gb')).toThrow(/HTTP_BODY_LIMIT/);
    expect(() => bodyLimitBytes('')).toThrow(/HTTP_BODY_LIMIT/);
  });
});
