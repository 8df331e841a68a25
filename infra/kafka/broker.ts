// A single-node Apache Kafka broker in KRaft mode (broker + controller in one JVM) on loopback
// ports, its storage formatted once under the data directory.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Config } from '../../schemas/config.ts';
import { InfraError } from '../../lib/errors.ts';
import { stackPaths } from '../paths.ts';
import { isAlive, runningPid, startDetached, stopManaged, tailOf, waitUntil } from '../process.ts';
import type { Progress } from '../tools.ts';
import { requireTool, runWithProgress } from '../tools.ts';
import { ensureKafkaLibs, KAFKA_VERSION } from './obtain.ts';

function serverProperties(cfg: Config, logDirs: string): string {
  const h = cfg.bindHost;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=${h}:${cfg.kafka.controllerPort}`,
    `listeners=PLAINTEXT://${h}:${cfg.kafka.port},CONTROLLER://${h}:${cfg.kafka.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${h}:${cfg.kafka.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDirs}`,
    'num.partitions=3',
    // Topics are created explicitly with their partition counts; a typo must not create one.
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=720',
    '',
  ].join('\n');
}

const LOG4J = `status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
`;

/** True when the brokers answer a metadata request. */
export async function kafkaReady(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    const c = await admin.describeCluster();
    return c.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface BrokerInfo {
  brokers: string[];
  pid: number;
  version: string;
  started: boolean;
}

/** Starts the local broker unless it already runs; resolves when it answers metadata requests. */
export async function startBroker(cfg: Config, progress: Progress): Promise<BrokerInfo> {
  const p = stackPaths(cfg).kafka;
  const running = runningPid(p);
  if (running !== undefined && (await kafkaReady(cfg.kafka.brokers))) {
    return { brokers: cfg.kafka.brokers, pid: running, version: KAFKA_VERSION, started: false };
  }
  if (running !== undefined) await stopManaged(p);
  const libs = await ensureKafkaLibs(cfg, progress);
  requireTool('java');
  mkdirSync(p.logDirs, { recursive: true });
  writeFileSync(p.properties, serverProperties(cfg, p.logDirs));
  writeFileSync(p.log4j, LOG4J);
  const classpath = `${libs}/*`;
  if (!existsSync(join(p.logDirs, 'meta.properties'))) {
    // A base64url id may start with '-': passed as --cluster-id=<id> so argparse cannot take it for an option.
    const clusterId = randomBytes(16).toString('base64url');
    await runWithProgress(
      `Formatting Kafka storage in ${p.logDirs}`,
      'java',
      ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '--standalone', `--cluster-id=${clusterId}`, '-c', p.properties],
      { progress },
    );
  }
  const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${p.log4j}`, '-Djava.awt.headless=true'];
  const pid = startDetached(p, 'java', [...jvm, '-cp', classpath, 'kafka.Kafka', p.properties]);
  progress(`Kafka ${KAFKA_VERSION} starting on ${cfg.kafka.brokers.join(',')} (pid ${pid}, log ${p.logFile})`);
  try {
    await waitUntil('Kafka broker', () => kafkaReady(cfg.kafka.brokers), {
      timeoutMs: 90_000,
      intervalMs: 500,
      abortIf: () => (isAlive(pid) ? undefined : `the broker exited at start-up; its log ends with:\n${tailOf(p.logFile)}`),
    });
  } catch (e) {
    await stopManaged(p);
    throw e instanceof InfraError ? e : new InfraError(String(e), 'KAFKA_START_FAILED');
  }
  return { brokers: cfg.kafka.brokers, pid, version: KAFKA_VERSION, started: true };
}

export async function stopBroker(cfg: Config): Promise<boolean> {
  // A broker shuts down cleanly on TERM (controlled shutdown); give it time before KILL.
  return stopManaged(stackPaths(cfg).kafka, 30_000);
}
