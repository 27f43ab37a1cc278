import { setTimeout as sleep } from 'node:timers/promises';
import { processPeakRssMb, startProcessProbe } from './process-probe';

describe('startProcessProbe (the mailing benchmark measures its own process with it)', () => {
  it('sees a stall of the event loop, memory taken meanwhile, and the garbage collections', async () => {
    const probe = startProcessProbe({ sampleMs: 20, resolutionMs: 10 });
    await sleep(60);
    const until = Date.now() + 150;
    while (Date.now() < until); // the loop held for 150 ms
    const held = Buffer.alloc(64 * 1024 * 1024).fill(1); // written, so resident
    // What the process holds while the sampler runs: in a jest worker that ran other files, pages
    // freed earlier may be reused (the growth from the start is not a fixed 64 MB) and a later
    // collection may hand pages back (so no single reading is a floor for later samples). Nothing
    // allocates during this sleep: the sampler, firing at least twice in it, must see about this.
    const rssBeforeMb = process.memoryUsage().rss / (1024 * 1024);
    await sleep(60);
    const rssHeldMb = Math.min(rssBeforeMb, process.memoryUsage().rss / (1024 * 1024));
    let garbage: number[][] = [];
    for (let i = 0; i < 200_000; i++) garbage.push([i, i + 1]);
    garbage = [];
    await sleep(100);
    const f = probe.stop();
    expect(held.length + garbage.length).toBe(64 * 1024 * 1024);

    expect(f.maxEventLoopStallMs).toBeGreaterThanOrEqual(140);
    expect(f.maxEventLoopStallMs).toBeLessThan(2000);
    expect(f.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(140);
    expect(f.intervalLateMaxMs).toBeGreaterThanOrEqual(120);
    // the p99 of the loop's delays is not the stall: most turns came on time
    expect(f.eventLoopDelayP99Ms).toBeLessThanOrEqual(f.eventLoopDelayMaxMs);
    expect(f.sampledPeakRssMb).toBeGreaterThanOrEqual(rssHeldMb - 8);
    // the interval sampled (stop's own reading alone would satisfy the line above): 20 ms over ≥ 370 ms,
    // the loop held for 150 of them
    expect(f.samples).toBeGreaterThanOrEqual(5);
    expect(f.gcCount).toBeGreaterThan(0);
    expect(f.longestGcPauseMs).toBeGreaterThan(0);
    expect(f.seconds).toBeGreaterThanOrEqual(0.3);
    expect(f.cpuSeconds).toBeGreaterThanOrEqual(0.14);
    if (process.platform === 'linux') expect(f.processPeakRssMb).toBeGreaterThanOrEqual(f.sampledPeakRssMb);
    // stopped once: a second stop gives the same figures
    expect(probe.stop()).toBe(f);
  });

  it('reads the high-water mark of the process where /proc is there', () => {
    const mb = processPeakRssMb();
    if (process.platform === 'linux') expect(mb).toBeGreaterThan(10);
    else expect(mb).toBeNull();
  });
});
