// importData: writes CSV rows the CLI has already validated, through an activity, so that the write
// happens in the worker process, which owns the store (an embedded chDB allows one process only).
import { proxyActivities } from '@temporalio/workflow';
import type { ImportRequest, ImportResult } from './activities/indicators.ts';
import type { Activities } from './activities/index.ts';

const { importRows } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export async function importData(req: ImportRequest): Promise<ImportResult> {
  return importRows(req);
}
