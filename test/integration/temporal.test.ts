// A workflow with an activity runs on the project's Temporal dev server; a one-day sleep finishes in
// seconds on the time-skipping test server obtained by the project (never downloaded by the SDK).
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { randomName, testConfig } from '../support/env.ts';
import { createHelloActivities } from './fixtures/hello-activities.ts';

const workflowsPath = fileURLToPath(new URL('./fixtures/hello-workflows.ts', import.meta.url));
Runtime.install({ logger: new DefaultLogger('WARN') });

describe('Temporal', () => {
  it('runs a workflow with an activity on the local dev server', async () => {
    const cfg = testConfig();
    const taskQueue = randomName('tq');
    const connection = await Connection.connect({ address: cfg.temporal.address });
    const client = new Client({ connection, namespace: cfg.temporal.namespace });
    const worker = await Worker.create({
      connection: await (await import('@temporalio/worker')).NativeConnection.connect({ address: cfg.temporal.address }),
      namespace: cfg.temporal.namespace,
      taskQueue,
      workflowsPath,
      activities: createHelloActivities({ greeting: 'Xin chào' }),
    });
    const result = await worker.runUntil(
      client.workflow.execute('helloWorkflow', { taskQueue, workflowId: randomName('wf'), args: ['Phường Trần Phú'] }),
    );
    expect(result).toBe('Xin chào, Phường Trần Phú');
    await connection.close();
  });

  it('skips a one-day sleep on the time-skipping server', async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('timeSkippingServer') } },
    });
    try {
      const taskQueue = randomName('tq');
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowsPath,
        activities: createHelloActivities({ greeting: 'unused' }),
      });
      const result = await worker.runUntil(env.client.workflow.execute('sleepADay', { taskQueue, workflowId: randomName('wf') }));
      expect(result).toBe('woke up');
    } finally {
      await env.teardown();
    }
  });
});
