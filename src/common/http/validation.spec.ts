import { AuditQuery } from '../dto/common.dto';
import { describeIssues, isoDayOrTime } from './validation';

describe('isoDayOrTime', () => {
  it.each(['2026-02-28', '2024-02-29', '2026-02-28T10:00', '2026-02-28T10:00:00Z', '2026-02-28T10:00:00.123+01:00'])('takes %s', (v) => {
    expect(isoDayOrTime.safeParse(v).success).toBe(true);
  });

  it.each(['2026-02-30', '2100-02-29', '2026-13-01', '2026-04-31T10:00', '2026-02-30T00:00:00Z', '2026-02-28T25:00', '06/01/2026'])(
    'refuses %s (a day that does not exist is not rolled over)',
    (v) => {
      expect(isoDayOrTime.safeParse(v).success).toBe(false);
    },
  );
});

describe('the audit query', () => {
  it('refuses from/to days that do not exist, naming each field', () => {
    const r = AuditQuery.schema.safeParse({ from: '2026-02-30', to: '2026-04-31' });
    expect(r.success).toBe(false);
    const detail = describeIssues(r.error);
    expect(detail).toMatch(/^from: expected an existing date YYYY-MM-DD/);
    expect(detail).toMatch(/; to: expected an existing date YYYY-MM-DD/);
  });
});
