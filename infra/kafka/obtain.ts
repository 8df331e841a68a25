// Obtains Apache Kafka's jars once, from Maven Central into the cache (never into the repo),
// or reuses an existing installation named by KAFKA_HOME.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../schemas/config.ts';
import { InfraError } from '../../lib/errors.ts';
import { fetchMavenLibs } from '../maven.ts';
import type { Progress } from '../tools.ts';

export const KAFKA_VERSION = '4.1.1';
const POM = join(dirname(fileURLToPath(import.meta.url)), 'pom.xml');

/** The directory whose jars form the broker's classpath. */
export async function ensureKafkaLibs(cfg: Config, progress: Progress): Promise<string> {
  if (cfg.kafka.home) {
    const libs = join(cfg.kafka.home, 'libs');
    if (!existsSync(libs) || !readdirSync(libs).some((f) => f.startsWith('kafka_'))) {
      throw new InfraError(`KAFKA_HOME=${cfg.kafka.home} has no libs/kafka_*.jar: expected an unpacked Apache Kafka 4.x distribution`, 'KAFKA_HOME_INVALID', {}, { retriable: false });
    }
    return libs;
  }
  return fetchMavenLibs(join(cfg.cacheDir, 'kafka', KAFKA_VERSION), POM, `Apache Kafka ${KAFKA_VERSION}`, progress);
}
