// The Operations row of the Grafana dashboard reads only metrics that chiso's registry defines: every
// chiso_* name in a Prometheus query is a metric (or a histogram's _bucket/_count/_sum) of the registry.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../connectors/metrics.ts';
import '../../services/all-in-one/http-metrics.ts';
import { enableProcessMetrics, metricsRegistry } from '../../lib/metrics.ts';
import '../../services/sink/metrics.ts';
import '../../services/worker/activity-metrics.ts';

interface Panel {
  type: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string }[];
}

describe('Grafana operations row', () => {
  it('queries only metrics the registry defines, through the datasource uid prometheus', async () => {
    enableProcessMetrics();
    const names = new Set<string>();
    for (const m of await metricsRegistry.getMetricsAsJSON()) {
      names.add(m.name);
      if (String(m.type) === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(`${m.name}${s}`);
    }
    const dashboard = JSON.parse(readFileSync(new URL('../../infra/grafana/chiso-dashboard.json', import.meta.url), 'utf8')) as { panels: Panel[] };
    const prom = dashboard.panels.filter((p) => p.datasource?.type === 'prometheus');
    expect(prom.length).toBeGreaterThanOrEqual(6);
    const used = prom.flatMap((p) => (p.targets ?? []).flatMap((t) => [...(t.expr ?? '').matchAll(/\bchiso_[a-z0-9_]+/g)].map((m) => m[0])));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((n) => !names.has(n))).toEqual([]);
    expect(new Set(prom.map((p) => p.datasource?.uid))).toEqual(new Set(['prometheus']));
  });
});
