// Every activity the chiso worker registers: one factory per family, merged here. Add a family
// with one line.
import type { ActivityDeps } from './deps.ts';
import { createIndicatorActivities } from './indicators.ts';
import { createIngestActivities } from './ingest.ts';
import { createReportActivities } from './report.ts';

export type { ActivityDeps } from './deps.ts';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createIndicatorActivities(deps),
    ...createReportActivities(deps),
    ...createIngestActivities(deps),
  };
}
export type Activities = ReturnType<typeof createActivities>;
