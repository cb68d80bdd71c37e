import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one beacon process, served at /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'tagward_beacon_requests_total',
      help: 'Collect requests by HTTP status and outcome code (accepted, duplicate or the rejection code).',
      labelNames: ['status', 'code'] as const,
      registers: [registry],
    }),
    verdicts: new Counter({
      name: 'tagward_beacon_verdicts_total',
      help: 'Stored events by verdict.',
      labelNames: ['verdict'] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'tagward_beacon_batch_size',
      help: 'Events per group-commit insert.',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    flushSeconds: new Histogram({
      name: 'tagward_beacon_flush_seconds',
      help: 'Latency of one group-commit insert.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    revisions: new Counter({
      name: 'tagward_beacon_revisions_total',
      help: 'Stored events re-scored in hindsight (a later beacon showed a burst or a timer they were part of), by new verdict.',
      labelNames: ['verdict'] as const,
      registers: [registry],
    }),
    dbErrors: new Counter({
      name: 'tagward_beacon_db_errors_total',
      help: 'Failed database writes (events, rollups or hindsight revisions).',
      registers: [registry],
    }),
  };
}

export type BeaconMetrics = ReturnType<typeof createMetrics>;
