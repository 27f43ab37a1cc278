import { calendarDay, isBusinessDate, parseBusinessDate, refuseFutureDate } from './business-date';

describe(parseBusinessDate.name, () => {
  it.each(['2026-11-30', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('takes %s', (v) => {
    expect(parseBusinessDate(v, '--as-of')).toBe(v);
  });

  it.each([
    '2026-02-30',
    '2100-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-11-31',
    '06/01/2026',
    '2026-1-6',
    '20261130',
    '2026-11-30T00:00:00Z',
    ' 2026-11-30',
    'tomorrow',
    '',
  ])('refuses %j, naming the option, the value and the form YYYY-MM-DD', (v) => {
    expect(isBusinessDate(v)).toBe(false);
    expect(() => parseBusinessDate(v, '--as-of')).toThrow(
      expect.objectContaining({ code: 'validation_failed', message: expect.stringMatching(/^--as-of ".*": .*YYYY-MM-DD/) }),
    );
  });
});

describe(refuseFutureDate.name, () => {
  it('takes today and earlier days', () => {
    expect(() => refuseFutureDate('2026-11-30', '2026-11-30', '--as-of', 'x')).not.toThrow();
    expect(() => refuseFutureDate('2025-01-01', '2026-11-30', '--as-of', 'x')).not.toThrow();
  });

  it('refuses a later day, naming it and today', () => {
    expect(() => refuseFutureDate('2099-01-01', '2026-11-30', '--as-of', 'an opposition')).toThrow(
      /--as-of 2099-01-01 is after today \(2026-11-30, Europe\/Paris\): an opposition cannot be undone/,
    );
  });
});

describe(isBusinessDate.name, () => {
  it('tells real calendar dates from others (leap years by the Gregorian rule)', () => {
    expect(isBusinessDate('2024-02-29')).toBe(true);
    expect(isBusinessDate('2100-02-29')).toBe(false);
    expect(isBusinessDate('2000-02-29')).toBe(true);
    expect(isBusinessDate('2024-2-29')).toBe(false);
  });
});

describe(calendarDay.name, () => {
  it('gives the year, month and day of a real date, null for another', () => {
    expect(calendarDay('2024-02-29')).toEqual({ y: 2024, m: 2, d: 29 });
    expect(calendarDay('2026-02-30')).toBeNull();
    expect(calendarDay(20240229)).toBeNull();
  });
});
