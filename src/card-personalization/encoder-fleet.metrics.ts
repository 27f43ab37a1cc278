import { Gauge } from 'prom-client';
import { registry } from '../common/metrics/metrics';
import { METRICS_REFRESH_MS } from '../common/metrics/metrics-refresher';
import { EncoderFleetService } from './encoder-fleet.service';
import { ENCODER_STATES, EncoderState } from './encoder-station.entity';

/**
 * `cps_encoder_stations{state}`: the stations of every worker process, by state as
 * GET /api/v1/encoders shows it (offline computed from the heartbeats). Labelled by state
 * only: never a reader, a host or an order. Read from the database at most every
 * METRICS_REFRESH_MS (/metrics is public: a flood of scrapes must not reach the database);
 * scrapes meanwhile share the last counts. Registered once per process.
 */
export function registerEncoderMetrics(fleet: Pick<EncoderFleetService, 'countByState'>): void {
  if (registry.getSingleMetric('cps_encoder_stations')) return;
  let counts: Record<EncoderState, number> | null = null;
  let readAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    if (inFlight) return inFlight;
    if (Date.now() - readAt < METRICS_REFRESH_MS) return Promise.resolve();
    inFlight = fleet
      .countByState()
      .then((c) => {
        counts = c;
      })
      .catch(() => {
        counts = null; // the database being down must not hide the other metrics, nor show old counts as current
      })
      .finally(() => {
        readAt = Date.now();
        inFlight = null;
      });
    return inFlight;
  };
  new Gauge({
    name: 'cps_encoder_stations',
    help: 'Encoder stations by state (idle, waiting-card, writing, error, offline: no process or no heartbeat for 3 heartbeats)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      this.reset();
      if (counts) for (const state of ENCODER_STATES) this.set({ state }, counts[state]);
    },
  });
}
