import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The process's Prometheus registry and the metrics every module may use. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'cps_' });

export const httpRequests = new Counter({
  name: 'cps_http_requests_total',
  help: 'HTTP requests by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'cps_http_request_duration_seconds',
  help: 'HTTP request duration',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const outboxPending = new Gauge({
  name: 'cps_outbox_pending',
  help: 'Outbox rows not yet relayed to the queues',
  registers: [registry],
});

export const rateLimited = new Counter({
  name: 'cps_rate_limited_total',
  help: 'Requests refused with 429, by limit (auth_failures: bad tokens from one address; oppositions: declarations per principal)',
  labelNames: ['limit'] as const,
  registers: [registry],
});

export const outboxMessages = new Gauge({
  name: 'cps_outbox_messages',
  help: 'Outbox messages not consumed, by queue and state (pending: not relayed; unconsumed: relayed, not consumed; retrying: a delivery failed, relayed again after OUTBOX_REDELIVERY_SECONDS; failed: refused for good)',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
});

export const queueJobs = new Gauge({
  name: 'cps_queue_jobs',
  help: 'BullMQ jobs by queue and state (failed: failed all their attempts and kept for inspection)',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
});

export const queueReachable = new Gauge({
  name: 'cps_queue_reachable',
  help: '1 when the job queues (Redis) answered at the last scrape, 0 otherwise',
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'cps_job_duration_seconds',
  help: 'Duration of the jobs this worker ran, by queue, job name and outcome (completed, failed, interrupted: put back by a shutdown)',
  labelNames: ['queue', 'name', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
  registers: [registry],
});

export const outboxOldestAge = new Gauge({
  name: 'cps_outbox_oldest_pending_age_seconds',
  help: 'Age of the oldest outbox message not consumed nor failed for good (0 when none): relayed late, or its job not done',
  registers: [registry],
});

export const jobRuns = new Gauge({
  name: 'cps_job_runs',
  help: 'Job runs not finished, by kind and state (queued, running, held: a mass change waiting for a person)',
  labelNames: ['kind', 'state'] as const,
  registers: [registry],
});

/** What a pg Pool tells of itself (node-postgres). */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const pools = new Map<string, () => PoolCounts | undefined>();

/** Reports `pool` (read at each scrape) under the name given; a name given again replaces the one before. */
export function watchPool(name: string, pool: () => PoolCounts | undefined): void {
  pools.set(name, pool);
}

function eachPool(f: (name: string, p: PoolCounts) => void): void {
  for (const [name, read] of pools) {
    const p = read();
    if (p) f(name, p);
  }
}

export const dbPoolConnections = new Gauge({
  name: 'cps_db_pool_connections',
  help: "This process's PostgreSQL connections, by pool (main; status: the card status route's own) and state (in_use, idle)",
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
  collect() {
    eachPool((pool, p) => {
      this.set({ pool, state: 'in_use' }, p.totalCount - p.idleCount);
      this.set({ pool, state: 'idle' }, p.idleCount);
    });
  },
});

export const dbPoolWaiting = new Gauge({
  name: 'cps_db_pool_waiting',
  help: 'Queries waiting for a PostgreSQL connection of this process, by pool',
  labelNames: ['pool'] as const,
  registers: [registry],
  collect() {
    eachPool((pool, p) => this.set({ pool }, p.waitingCount));
  },
});
export const scheduleNextRun = new Gauge({
  name: 'cps_schedule_next_run_timestamp_seconds',
  help: 'Next run of each daily schedule (BullMQ job scheduler) as Redis holds it (Unix time); 0: the schedule is missing from Redis',
  labelNames: ['schedule'] as const,
  registers: [registry],
});
