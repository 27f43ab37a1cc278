/**
 * What a benchmark measures of its own process while a piece of work runs in it: peak
 * memory and the longest event-loop stall. Started before the work, stopped after it.
 *
 * - memory: the resident set sampled every `sampleMs` (process.memoryUsage.rss(), cheap),
 *   and the kernel's own high-water mark (VmHWM of /proc/self/status, Linux), which no
 *   sampling can miss but which covers the whole life of the process;
 * - the event loop: perf_hooks.monitorEventLoopDelay (a timer every `resolutionMs`: its
 *   largest delay is the longest gap between two turns of the loop, give or take one
 *   resolution), and a setInterval probe of our own (how late its longest tick came);
 * - the main thread's garbage collections (PerformanceObserver 'gc'): their longest pause,
 *   one cause of a stall.
 *
 * Worker threads share the process's memory (counted) but not its event loop (not probed).
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';

export interface ProcessProbeFigures {
  /** wall time between start and stop, seconds */
  seconds: number;
  /** CPU of the whole process (all threads) between start and stop, seconds */
  cpuSeconds: number;
  /** resident set when the probe started, MiB */
  rssAtStartMb: number;
  /** highest resident set sampled while the probe ran (at start, every `sampleMs`, at stop), MiB */
  sampledPeakRssMb: number;
  /** how many times the interval sampled it (the readings at start and stop not counted) */
  samples: number;
  /** VmHWM: the highest resident set of the process since it started, MiB (null off Linux) */
  processPeakRssMb: number | null;
  /** monitorEventLoopDelay's largest delay, ms */
  eventLoopDelayMaxMs: number;
  eventLoopDelayP99Ms: number;
  /** how late the probe's own interval's latest tick came, ms */
  intervalLateMaxMs: number;
  /** the larger of the two above: the longest stall of the event loop, ms */
  maxEventLoopStallMs: number;
  /** the longest garbage collection pause of the main thread, ms, and how many there were */
  longestGcPauseMs: number;
  gcCount: number;
}

export interface ProcessProbeOptions {
  /** period of the memory sampling, ms (default 50) */
  sampleMs?: number;
  /** resolution of monitorEventLoopDelay and period of the interval probe, ms (default 10) */
  resolutionMs?: number;
}

const MiB = 1024 * 1024;
const r1 = (x: number) => Math.round(x * 10) / 10;

/** VmHWM of this process in MiB, or null where /proc is not there. */
export function processPeakRssMb(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? r1(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export interface ProcessProbe {
  stop(): ProcessProbeFigures;
}

export function startProcessProbe(o: ProcessProbeOptions = {}): ProcessProbe {
  const sampleMs = o.sampleMs ?? 50;
  const resolutionMs = o.resolutionMs ?? 10;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const rssAtStart = process.memoryUsage.rss();
  let peakRss = rssAtStart;
  let samples = 0;
  const sampler = setInterval(() => {
    samples++;
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  }, sampleMs);

  const eld = monitorEventLoopDelay({ resolution: resolutionMs });
  eld.enable();
  let lastTick = performance.now();
  let lateMax = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    const late = now - lastTick - resolutionMs;
    if (late > lateMax) lateMax = late;
    lastTick = now;
  }, resolutionMs);

  let gcMax = 0;
  let gcCount = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++;
      if (e.duration > gcMax) gcMax = e.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });

  let stopped: ProcessProbeFigures | null = null;
  return {
    stop(): ProcessProbeFigures {
      if (stopped) return stopped;
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
      clearInterval(sampler);
      clearInterval(ticker);
      eld.disable();
      gc.disconnect();
      const cpu = process.cpuUsage(cpu0);
      const eldMax = eld.max / 1e6;
      stopped = {
        seconds: Math.round(performance.now() - t0) / 1000,
        cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
        rssAtStartMb: r1(rssAtStart / MiB),
        sampledPeakRssMb: r1(peakRss / MiB),
        samples,
        processPeakRssMb: processPeakRssMb(),
        eventLoopDelayMaxMs: r1(eldMax),
        eventLoopDelayP99Ms: r1(eld.percentile(99) / 1e6),
        intervalLateMaxMs: r1(lateMax),
        maxEventLoopStallMs: r1(Math.max(eldMax, lateMax)),
        longestGcPauseMs: r1(gcMax),
        gcCount,
      };
      return stopped;
    },
  };
}
