import { massChange, massChangeConfirmed, percent } from './mass-change';

const wording = {
  would: 'the sweep would oppose',
  of: 'valid cards',
  setting: 'EXPIRY_MAX_SHARE',
  nothingDone: 'nothing opposed',
  check: 'Check the date',
  confirmBy: 'someone at the host',
  confirmWith: 'expiry:run --as-of 2026-11-30 --confirm-mass-change',
};

describe(massChange.name, () => {
  it('holds a run past the share of the base, not one at it, nor one on an empty base', () => {
    expect(massChange(10, 1000, 0.01, wording)).toEqual({ share: 0.01, maxShare: 0.01, held: false });
    expect(massChange(11, 1000, 0.01, wording)).toEqual(expect.objectContaining({ share: 0.011, maxShare: 0.01, held: true }));
    expect(massChange(3, 0, 0.01, wording).held).toBe(false);
    expect(massChange(1, 2, 1, wording).held).toBe(false);
  });

  it('agrees with the import guard it replaced (count > floor(base * ratio)) on whole numbers', () => {
    for (const base of [1, 7, 20, 150, 1000, 12345]) {
      for (const ratio of [0.01, 0.05, 0.2]) {
        for (let count = 0; count <= base; count += Math.max(1, Math.floor(base / 50))) {
          expect(massChange(count, base, ratio, wording).held).toBe(count > Math.floor(base * ratio));
        }
      }
    }
  });

  it('says why it is held, with the share, the setting and how to confirm', () => {
    expect(massChange(120, 150, 0.01, wording).reason).toBe(
      'the sweep would oppose 120 of 150 valid cards (80.0%, more than the 1.0% allowed by EXPIRY_MAX_SHARE): held, nothing opposed. ' +
        'Check the date; if the change is real, someone at the host confirms it: expiry:run --as-of 2026-11-30 --confirm-mass-change',
    );
  });
});

describe(percent.name, () => {
  it('shows small shares with 3 decimals', () => {
    expect(percent(0.0005)).toBe('0.050%');
    expect(percent(0.05)).toBe('5.0%');
  });
});

describe(massChangeConfirmed.name, () => {
  it('names who confirmed, and where', () => {
    expect(massChangeConfirmed('mass change', { where: 'host', by: 'host:ops' })).toBe(
      'mass change confirmed at the host by host:ops (--confirm-mass-change)',
    );
    expect(massChangeConfirmed('mass change', { where: 'api', by: 'principal:Alice', heldId: 'x' })).toBe(
      'mass change of held import x confirmed over the API by principal:Alice',
    );
  });
});
