// The demo units and targets that go with the bundled samples: `chiso start` loads them through the
// worker (the process that owns the store), each only into an empty table, so that units or targets
// an operator imported are never written over, at this start or any later one.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../../schemas/config.ts';
import { demoReferenceRows } from '../../../indicators/load.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { ImportResult } from '../../../workflows/activities/indicators.ts';
import { requireWorker, withTemporal } from '../../../infra/temporal/client.ts';

export async function loadDemoReference(cfg: Config, log: Logger, say: (line: string) => void): Promise<Record<'units' | 'targets', ImportResult>> {
  const demo = demoReferenceRows(log);
  return withTemporal(cfg, async (client) => {
    await requireWorker(client, cfg);
    const results = {} as Record<'units' | 'targets', ImportResult>;
    for (const kind of ['units', 'targets'] as const) {
      const r: ImportResult = await client.workflow.execute('importData', {
        taskQueue: cfg.temporal.taskQueue,
        workflowId: `chiso-demo-${kind}-${randomBytes(4).toString('hex')}`,
        args: [{ kind, rows: demo[kind], onlyIntoEmpty: true }],
      });
      const label = kind === 'units' ? 'đơn vị / units' : 'chỉ tiêu / targets';
      say(r.kept ? `  ${label}: giữ nguyên dữ liệu đã có / kept those already in the store (demo ones not loaded)` : `  ${label}: nạp ${r.written} dòng mẫu / ${r.written} demo rows loaded`);
      results[kind] = r;
    }
    return results;
  });
}
