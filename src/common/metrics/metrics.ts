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

export const scheduleNextRun = new Gauge({
  name: 'cps_schedule_next_run_timestamp_seconds',
  help: 'Next run of each daily schedule (BullMQ job scheduler) as Redis holds it (Unix time); 0: the schedule is missing from Redis',
  labelNames: ['schedule'] as const,
  registers: [registry],
});
