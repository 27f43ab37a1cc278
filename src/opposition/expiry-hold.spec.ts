import { expiryScope, heldReason } from './expiry-hold';

describe(expiryScope.name, () => {
  it('holds a sweep past the share of the valid cards, not one at it', () => {
    expect(expiryScope(10, 1000, 0.01).massChange).toBe(false);
    expect(expiryScope(11, 1000, 0.01)).toEqual({ cardsDue: 11, validCards: 1000, share: 0.011, maxShare: 0.01, massChange: true });
    expect(expiryScope(0, 0, 0.01).massChange).toBe(false);
    expect(expiryScope(1, 2, 1).massChange).toBe(false);
  });

  it('says why it is held and how to confirm it', () => {
    expect(heldReason('2026-11-30', expiryScope(120, 150, 0.01))).toMatch(
      /would oppose 120 of 150 valid cards \(80\.0%, more than the 1\.0% allowed by EXPIRY_MAX_SHARE\).*expiry:run --as-of 2026-11-30 --confirm-mass-change/,
    );
  });
});
