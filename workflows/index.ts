// The barrel the worker's workflowsPath points at: one export line per workflow file.
export { computeIndicators } from './compute-indicators.ts';
export { backfill } from './backfill.ts';
export { nightly } from './nightly.ts';
export { monthlyReport } from './monthly-report.ts';
export { importData } from './import-data.ts';
export { ingest } from './ingest.ts';
export { replay } from './replay.ts';
