// The floor plan (lint/floors.js, docs/architecture.md) holds for the whole tree, and its rule says
// no to what it must refuse. `npm run lint` reports the same problems where they are written.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain-JS ESLint plugin without type declarations.
import { floorViolation, importSpecifiers, planProblems } from '../../lint/floors.js';

describe('the floor plan', () => {
  it('has no upward import, no import cycle and no loop between modules in the tree', () => {
    expect(planProblems()).toEqual([]);
  });

  it.each([
    ['lib/errors.ts', 'schemas/config.ts'],
    ['schemas/events.ts', 'infra/clickhouse/store.ts'],
    ['infra/stack.ts', 'services/ioc-api/index.ts'],
    ['connectors/run.ts', 'indicators/counted-days.ts'],
    ['indicators/compute.ts', 'connectors/run.ts'],
    ['workflows/activities/report.ts', 'services/ioc-api/index.ts'],
    ['services/cli/main.ts', 'test/support/env.ts'],
    ['lib/logger.ts', 'bench/run.ts'],
  ])('refuses %s importing %s', (from, to) => {
    expect(floorViolation(from, to)).toMatch(/may not import|side by side/);
  });

  it.each([
    ['schemas/config.ts', 'lib/errors.ts'],
    ['indicators/compute.ts', 'infra/clickhouse/store.ts'],
    ['services/sink/previous.ts', 'indicators/counted-days.ts'],
    ['bin/chiso.js', 'services/cli/main.ts'],
    ['test/unit/x.test.ts', 'services/sink/index.ts'],
  ])('allows %s importing %s', (from, to) => {
    expect(floorViolation(from, to)).toBeUndefined();
  });

  it('reads static, type-only, dynamic and side-effect imports and re-exports, not comments or packages', () => {
    const source = [
      "import { a } from './a.ts';",
      'import type {\n  B,\n} from "../b.ts";',
      "export * from './c.ts';",
      "// import x from './commented.ts'",
      "/* import y from './block.ts' */",
      "const d = await import('./d.ts');",
      "import './e.ts';",
      "import fs from 'node:fs';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts']);
  });
});
