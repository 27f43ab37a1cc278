import { Presets, SingleBar } from 'cli-progress';

export interface ProgressView {
  update(phase: string, done: number, total: number, extra?: string): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal and the output is not --json; otherwise nothing. */
export function progressView(json: boolean): ProgressView {
  if (json || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar(
    { stream: process.stderr, format: ' {phase} |{bar}| {percentage}% {extra}', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(phase, done, total, extra = '') {
      if (!started) {
        bar.start(Math.max(total, 1), done, { phase: phase.padEnd(9), extra });
        started = true;
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { phase: phase.padEnd(9), extra });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
