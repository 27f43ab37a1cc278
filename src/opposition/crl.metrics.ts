import { Gauge } from 'prom-client';
import { registry } from '../common/metrics/metrics';
import { CrlKind, CrlPublicationView, CrlStore } from './crl-store.service';

const KINDS: CrlKind[] = ['full', 'delta'];

/**
 * Prometheus gauges of the CRLs being served, read from the database at each scrape: a
 * relying party rejects a CRL past its nextUpdate, so alert well before
 * `cps_crl_next_update_timestamp_seconds` comes. Registered once per process (the API).
 */
export function registerCrlMetrics(store: CrlStore): void {
  if (registry.getSingleMetric('cps_crl_next_update_timestamp_seconds')) return;
  const gauge = (name: string, help: string, value: (c: CrlPublicationView) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'] as const,
      registers: [registry],
      async collect() {
        for (const kind of KINDS) {
          const c = await store.current(kind).catch(() => null); // the database being down must not hide other metrics
          if (c) this.set({ kind }, value(c));
        }
      },
    });
  gauge(
    'cps_crl_next_update_timestamp_seconds',
    'nextUpdate of the CRL served, by kind (Unix time)',
    (c) => new Date(c.nextUpdate).getTime() / 1000,
  );
  gauge(
    'cps_crl_this_update_timestamp_seconds',
    'thisUpdate of the CRL served, by kind (Unix time)',
    (c) => new Date(c.thisUpdate).getTime() / 1000,
  );
  gauge('cps_crl_number', 'cRLNumber of the CRL served, by kind', (c) => Number(c.crlNumber));
  gauge('cps_crl_entries', 'entries of the CRL served, by kind', (c) => c.entries);
}
