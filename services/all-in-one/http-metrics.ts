// HTTP request durations by method, route pattern and status: the pattern (/api/v1/units/:code),
// never the raw URL, so that ids and query values never become labels.
import type { FastifyInstance } from 'fastify';
import { Histogram } from 'prom-client';
import { metricsRegistry } from '../../lib/metrics.ts';

const requestSeconds = new Histogram({
  name: 'chiso_http_request_duration_seconds',
  help: 'HTTP requests answered by this process, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export function measureRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    // Requests that matched no route (scanners, typos) share one label value.
    const route = req.routeOptions.url ?? 'unmatched';
    requestSeconds.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
