import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The server's Prometheus metrics, one registry per app (tests start several apps in one
 * process). Labels are bounded: routes are patterns, models and codes come from small sets.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'vibhava_http_requests_total',
    help: 'HTTP requests by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'vibhava_http_request_duration_seconds',
    help: 'Time to the response head (for streams: until the stream starts).',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly timeToFirstToken = new Histogram({
    name: 'vibhava_time_to_first_token_seconds',
    help: 'From the model call to its first text.',
    labelNames: ['provider', 'model'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'vibhava_tokens_total',
    help: 'Tokens by provider, model and kind (input, cached_input, output).',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [this.registry],
  });
  readonly cost = new Counter({
    name: 'vibhava_cost_usd_total',
    help: 'Cost in USD from the price table.',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: 'vibhava_refusals_total',
    help: 'Requests refused by a rate limit or a budget.',
    labelNames: ['kind', 'rule'] as const,
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'vibhava_upstream_errors_total',
    help: 'Model calls that failed, by provider and error code.',
    labelNames: ['provider', 'code'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'vibhava_' });
  }
}
