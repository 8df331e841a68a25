// Temporal activity durations by activity name and outcome, measured around each activity function
// of the worker (the names are the activities map's keys: a small, fixed label set).
import { Histogram } from 'prom-client';
import { metricsRegistry, secondsSince } from '../../lib/metrics.ts';

const activitySeconds = new Histogram({
  name: 'chiso_activity_duration_seconds',
  help: 'Duration of Temporal activity attempts run by this worker, by activity and outcome (success, failure)',
  labelNames: ['activity', 'outcome'],
  buckets: [0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
  registers: [metricsRegistry],
});

/** The same activities, each attempt timed into chiso_activity_duration_seconds. */
export function timedActivities<A extends object>(activities: A): A {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    if (typeof fn !== 'function') {
      out[name] = fn;
      continue;
    }
    out[name] = async (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        const r: unknown = await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        activitySeconds.observe({ activity: name, outcome: 'success' }, secondsSince(t0));
        return r;
      } catch (e) {
        activitySeconds.observe({ activity: name, outcome: 'failure' }, secondsSince(t0));
        throw e;
      }
    };
  }
  return out as A;
}
