// Lint: type-aware TypeScript rules everywhere (no floating promises), and determinism for Temporal
// workflow code: workflows may not import Node built-ins or I/O libraries, only `import type` activities.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import chiso from './lint/floors.js';

const workflowFiles = ['workflows/**/*.ts', 'test/**/fixtures/*-workflows.ts'];
const nodeBuiltins = ['assert', 'buffer', 'child_process', 'crypto', 'dns', 'events', 'fs', 'fs/promises', 'http', 'https', 'net', 'os', 'path', 'process', 'stream', 'timers', 'timers/promises', 'url', 'util', 'worker_threads', 'zlib'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'test/artifacts/**', 'bench/results/**', 'services/ioc-api/public/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'lint/*.js', 'infra/npm/*.mjs', 'services/ioc-api/public/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The floor plan (lint/floors.js, docs/architecture.md): no upward import, no cycle.
    files: ['{lib,schemas,infra,connectors,indicators,workflows,services}/**/*.ts', 'bin/*.js'],
    plugins: { chiso },
    rules: { 'chiso/floors': 'error', 'chiso/no-cycle': 'error' },
  },
  {
    files: workflowFiles,
    // Activities run in the worker, not the workflow sandbox: they may do I/O.
    ignores: ['workflows/activities/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins; do I/O in an activity.' })),
            ...['kafkajs', '@clickhouse/client', 'chdb', 'pino', 'fastify', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'].map((name) => ({
              name,
              message: 'Workflow code must be deterministic: no I/O libraries; call an activity.',
            })),
          ],
          patterns: [{ group: ['**/activities', '**/activities/**', '**/*-activities*'], allowTypeImports: true, message: 'Workflows only `import type` their activities.' }],
        },
      ],
    },
  },
  {
    files: ['bin/*.js', 'infra/npm/*.mjs', 'services/cli/**/*.ts', 'test/support/source-simulator/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
