import { Clock, parisDate, parisDayEnd, parisDayStart, parisWallTime } from './clock';

describe(parisDate.name, () => {
  it.each([
    // midnight in Paris, winter (UTC+1)
    ['2026-11-30T22:59:59.999Z', '2026-11-30'],
    ['2026-11-30T23:00:00.000Z', '2026-12-01'],
    ['2026-11-30T23:30:00.000Z', '2026-12-01'],
    // midnight in Paris, summer (UTC+2)
    ['2026-07-14T21:59:59.999Z', '2026-07-14'],
    ['2026-07-14T22:00:00.000Z', '2026-07-15'],
    // the year's end
    ['2026-12-31T22:59:59Z', '2026-12-31'],
    ['2026-12-31T23:00:00Z', '2027-01-01'],
    // last Sunday of March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC
    ['2026-03-28T22:59:59Z', '2026-03-28'],
    ['2026-03-28T23:00:00Z', '2026-03-29'],
    ['2026-03-29T00:59:59Z', '2026-03-29'],
    ['2026-03-29T01:00:00Z', '2026-03-29'],
    ['2026-03-29T21:59:59Z', '2026-03-29'],
    ['2026-03-29T22:00:00Z', '2026-03-30'],
    // last Sunday of October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC
    ['2026-10-24T21:59:59Z', '2026-10-24'],
    ['2026-10-24T22:00:00Z', '2026-10-25'],
    ['2026-10-25T00:30:00Z', '2026-10-25'],
    ['2026-10-25T01:30:00Z', '2026-10-25'],
    ['2026-10-25T22:59:59Z', '2026-10-25'],
    ['2026-10-25T23:00:00Z', '2026-10-26'],
  ])('puts %s on the Paris day %s', (instant, day) => {
    expect(parisDate(new Date(instant))).toBe(day);
  });

  it('is 25 hours long on the last Sunday of October and 23 on the last Sunday of March', () => {
    const hoursOn = (day: string) => {
      let n = 0;
      for (let t = Date.parse(`${day}T00:00:00Z`) - 3 * 3600_000; t < Date.parse(`${day}T00:00:00Z`) + 27 * 3600_000; t += 1800_000) {
        if (parisDate(new Date(t)) === day) n += 0.5;
      }
      return n;
    };
    expect(hoursOn('2026-03-29')).toBe(23);
    expect(hoursOn('2026-10-25')).toBe(25);
    expect(hoursOn('2026-11-30')).toBe(24);
  });

  it('refuses an invalid date', () => {
    expect(() => parisDate(new Date('nonsense'))).toThrow(/invalid date/);
  });
});

describe(Clock.name, () => {
  it('gives the Paris day, not the UTC one, at 23:30 UTC', () => {
    const clock = Clock.startingAt('2026-11-30T23:30:00Z');
    expect(clock.now().toISOString().slice(0, 10)).toBe('2026-11-30');
    expect(clock.today()).toBe('2026-12-01');
  });

  it('runs on from the instant it is set to', async () => {
    const clock = Clock.startingAt(new Date('2026-03-29T00:59:59.900Z'));
    const first = clock.now().getTime();
    expect(Math.abs(first - Date.parse('2026-03-29T00:59:59.900Z'))).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now().getTime()).toBeGreaterThan(first);
  });

  it('reads the system time when not set', () => {
    const before = Date.now();
    const now = Clock.system().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    expect(Clock.system().today()).toBe(parisDate(new Date()));
  });

  it('refuses a time that is not one', () => {
    expect(() => Clock.startingAt('tomorrow')).toThrow(/"tomorrow" is not a time/);
  });
});

describe(parisDayStart.name, () => {
  it('is midnight in Paris: 23:00 UTC the day before in winter, 22:00 UTC in summer', () => {
    expect(parisDayStart('2026-11-30').toISOString()).toBe('2026-11-29T23:00:00.000Z');
    expect(parisDayStart('2026-07-14').toISOString()).toBe('2026-07-13T22:00:00.000Z');
  });

  it('refuses what is not a day', () => {
    expect(() => parisDayStart('2026-11-30T10:00')).toThrow(/not a day/);
  });
});

describe(parisDayEnd.name, () => {
  it('is the next Paris midnight, on days of 24, 23 and 25 hours', () => {
    expect(parisDayEnd('2026-11-30').toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(parisDayEnd('2026-03-29').getTime() - parisDayStart('2026-03-29').getTime()).toBe(23 * 3_600_000);
    expect(parisDayEnd('2026-10-25').getTime() - parisDayStart('2026-10-25').getTime()).toBe(25 * 3_600_000);
    expect(parisDayEnd('2026-12-31').toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });
});

describe(parisWallTime.name, () => {
  it('reads a time without offset as Paris time, in winter and in summer', () => {
    expect(parisWallTime('2026-11-30T10:15').toISOString()).toBe('2026-11-30T09:15:00.000Z');
    expect(parisWallTime('2026-07-14T10:15:30.250').toISOString()).toBe('2026-07-14T08:15:30.250Z');
    expect(parisWallTime('2026-10-25T12:00:00').toISOString()).toBe('2026-10-25T11:00:00.000Z');
  });
});
