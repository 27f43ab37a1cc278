/**
 * The flood client of the `crl` benchmark, in a process of its own (so that its load
 * generation does not share an event loop with the measured client): autocannon on
 * `GET /api/v1/cards/:cardNumber/status` with a new invalid token on every request, until
 * the parent says stop. Most tokens are well formed (`cps_` + 43 base64url characters,
 * random, so never known to the API and never in its cache); one in ten is malformed
 * (too short, a character outside base64url, a wrong prefix). All come with the Bearer
 * scheme, so the API counts each as a failed authentication of the client's address.
 *
 * Parent side: `startFlood(url, connections)` forks this file, resolves once autocannon has
 * started, and `stop()` resolves with the flood's result (status code counts, answered
 * requests per second).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BenchFailure } from './harness';
import { type AcResult, autocannon } from './http-load';

/** Longest the child floods if the parent never says stop (or is gone without a word). */
const MAX_SECONDS = 600;

/** The n-th token of the flood: well formed and random, or (one in ten) malformed. */
export function invalidToken(n: number): string {
  const wellFormed = `cps_${randomBytes(32).toString('base64url')}`; // 32 bytes → 43 characters
  switch (n % 30) {
    case 9:
      return wellFormed.slice(0, 20); // too short
    case 19:
      return `${wellFormed.slice(0, 40)}!${wellFormed.slice(41)}`; // a character outside base64url
    case 29:
      return `tok_${wellFormed.slice(4)}`; // wrong prefix
    default:
      return wellFormed;
  }
}

/** A random card number of the bench's ranges or not: the route is refused before the card matters. */
function anyCard(): string {
  return String(4_000_000_000 + Math.floor(Math.random() * 3_000_000_000)).padStart(10, '0');
}

export interface FloodResult {
  connections: number;
  seconds: number;
  /** answers received, by status code */
  statusCodes: Record<string, number>;
  answered: number;
  answeredPerSecond: number;
  errors: number;
  timeouts: number;
  p99Ms: number;
}

type FromChild = { started: true } | { result: FloodResult } | { error: string };

export interface RunningFlood {
  pid: number;
  /** Stops the flood; resolves with its result once the child has reported it. */
  stop(): Promise<FloodResult>;
}

/** Forks the flood client against `url` with `connections` connections; resolves once it is sending. */
export function startFlood(url: string, connections: number, timeoutMs = 30_000): Promise<RunningFlood> {
  const child = fork(__filename, [url, String(connections)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let result: Promise<FloodResult> | null = null;
  const done = new Promise<FloodResult>((resolve, reject) => {
    child.on('message', (m: FromChild) => {
      if ('result' in m) resolve(m.result);
      if ('error' in m) reject(new BenchFailure(`the flood client failed: ${m.error}`));
    });
    child.once('exit', (code, signal) => reject(new BenchFailure(`the flood client exited (${code ?? signal}) without a result`)));
  });
  done.catch(() => undefined); // observed by stop()
  return new Promise<RunningFlood>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new BenchFailure(`the flood client did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    done.catch((e: unknown) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('message', (m: FromChild) => {
      if (!('started' in m)) return;
      clearTimeout(timer);
      resolve({
        pid: child.pid ?? 0,
        stop: () => {
          if (!result) {
            result = done;
            if (child.connected) child.send('stop');
          }
          return result;
        },
      });
    });
  });
}

function summary(res: AcResult, connections: number): FloodResult {
  const statusCodes = Object.fromEntries(Object.entries(res.statusCodeStats).map(([k, v]) => [k, v.count]));
  const answered = Object.values(statusCodes).reduce((s, n) => s + n, 0);
  return {
    connections,
    seconds: res.duration,
    statusCodes,
    answered,
    answeredPerSecond: res.duration > 0 ? Math.round(answered / res.duration) : 0,
    errors: res.errors,
    timeouts: res.timeouts,
    p99Ms: res.latency.p99,
  };
}

/** The child: floods until told to stop (or the parent is gone), then sends its result. */
function main(url: string, connections: number): void {
  const send = (m: FromChild, then?: () => void): void => {
    if (process.connected && process.send) process.send(m, undefined, undefined, () => then?.());
    else then?.();
  };
  let n = 0;
  const instance = autocannon(
    {
      url,
      connections,
      duration: MAX_SECONDS,
      timeout: 10,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => ({
            ...req,
            path: `/api/v1/cards/${anyCard()}/status`,
            headers: { authorization: `Bearer ${invalidToken(n++)}` },
          }),
        },
      ],
    },
    (err, res) => send(err ? { error: err.message } : { result: summary(res, connections) }, () => process.exit(0)),
  ) as { stop(): void; once(event: 'start', cb: () => void): void };
  instance.once('start', () => send({ started: true }));
  process.on('message', (m) => {
    if (m === 'stop') instance.stop();
  });
  process.once('disconnect', () => instance.stop());
}

if (require.main === module) {
  const [url, connections] = process.argv.slice(2);
  if (!url || !(Number(connections) > 0)) {
    process.stderr.write('usage: status-flood-process URL CONNECTIONS (forked by the crl benchmark)\n');
    process.exit(2);
  }
  main(url, Number(connections));
}
