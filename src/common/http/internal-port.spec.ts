import { routedPath } from './internal-port';

describe('routedPath', () => {
  it('compares paths as Express routes them: lower-cased and percent-decoded', () => {
    expect(routedPath('/METRICS')).toBe('/metrics');
    expect(routedPath('/Api/docs-json')).toBe('/api/docs-json');
    expect(routedPath('/%6Detrics')).toBe('/metrics');
  });
  it('keeps a path that does not decode as sent (lower-cased)', () => {
    expect(routedPath('/Metrics%E0%A4%A')).toBe('/metrics%e0%a4%a');
  });
});
