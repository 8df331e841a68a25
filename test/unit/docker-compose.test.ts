// docker-compose.yml is for users' servers (no Docker engine runs here): parse it and check that
// every image is pinned and every chiso service gets the variables it needs, with values the
// configuration schema accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, SERVER_MODE_VARIABLES } from '../../schemas/config.ts';

interface Compose {
  services: Record<string, { image?: string; environment?: Record<string, string | number>; command?: string[] }>;
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as Compose;

/** Resolves ${VAR:-default} the way compose does when VAR is unset. */
function interpolate(v: string | number): string {
  return String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  it('pins every image to a version', () => {
    const images = Object.entries(compose.services).map(([name, s]) => [name, s.image ?? '']);
    expect(images.length).toBeGreaterThanOrEqual(8);
    for (const [name, image] of images) {
      expect(image, `${name} has no image`).not.toBe('');
      expect(image, `${name}: ${image} is not pinned`).toMatch(/:[0-9][\w.-]*$/);
    }
  });

  it('has the production-like parts', () => {
    const images = Object.values(compose.services).map((s) => s.image ?? '');
    for (const part of ['apache/kafka', 'temporalio/auto-setup', 'temporalio/ui', 'postgres', 'clickhouse/clickhouse-server']) {
      expect(images.some((i) => i.startsWith(part)), part).toBe(true);
    }
  });

  it('gives every chiso service the variables it needs, in a form the config accepts', () => {
    const chiso = Object.entries(compose.services).filter(([name]) => name.startsWith('chiso-'));
    expect(chiso.map(([n]) => n).sort()).toEqual(['chiso-api', 'chiso-sink', 'chiso-worker']);
    for (const [name, s] of chiso) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      for (const v of SERVER_MODE_VARIABLES) expect(env[v], `${name} lacks ${v}`).toBeTruthy();
      const cfg = loadConfig(env);
      expect(cfg.kafka.external).toBe(true);
      expect(cfg.temporal.external).toBe(true);
      expect(cfg.clickhouse.mode).toBe('server');
      expect(cfg.roles).toEqual([name.replace('chiso-', '')]);
    }
  });
});
