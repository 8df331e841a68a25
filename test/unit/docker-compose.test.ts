// docker-compose.yml and the Dockerfile are for users' servers (no Docker engine runs here): parse
// them and check the properties a province relies on: pinned images, every secret from the
// environment, one-shot set-up services that the long-running ones wait for, a healthcheck on every
// long-running service, named volumes for every stateful part, the read-only ClickHouse users, the
// Grafana provisioning and the Prometheus scrape targets. (test/integration/docker-image.test.ts runs
// the Dockerfile's build commands.)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadMigrations } from '../../infra/clickhouse/migrate.ts';
import { loadConfig, SERVER_MODE_VARIABLES } from '../../schemas/config.ts';
import { ALLOWED_TABLES } from '../../services/ioc-api/readonly-sql/tables.ts';
import { parseDockerfile } from '../support/dockerfile.ts';

type Condition = 'service_healthy' | 'service_completed_successfully' | 'service_started';
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: Condition }> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  ports?: string[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = Object.entries(compose.services);
const ROLES = ['chiso-api', 'chiso-sink', 'chiso-worker'];

/** Values a filled .env would give: every variable .env.example lists, with a valid value. */
const dotenv: Record<string, string> = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => {
      const name = l.slice(0, l.indexOf('='));
      return [name, name === 'CHISO_API_TOKENS' ? 'tok_0123456789abcdef,tok_fedcba9876543210@X0101' : `${name.toLowerCase()}-0123456789`];
    }),
);

/** Resolves ${VAR:-default} and ${VAR:?message} the way compose does, VAR taken from `dotenv`. */
function interpolate(v: string | number): string {
  return String(v).replace(/\$\{([A-Z_]+)(?::-([^}]*)|:\?[^}]*)\}/g, (_all, name: string, fallback: string | undefined) => {
    const value = dotenv[name] ?? fallback;
    if (value === undefined) throw new Error(`${name} is required by docker-compose.yml but not listed in .env.example`);
    return value;
  });
}

const dependsOn = (s: Service) => (Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {}));
/** Services another one waits for with service_completed_successfully: set-up steps that exit. */
const oneShots = new Set(services.flatMap(([, s]) => Object.entries(dependsOn(s)).filter(([, d]) => d.condition === 'service_completed_successfully').map(([n]) => n)));
const longRunning = services.filter(([name]) => !oneShots.has(name));
/** A volume entry `source:target[:mode]`, split. */
const mount = (v: string) => {
  const [source = '', target = ''] = v.split(':');
  return { source, target };
};

describe('docker-compose.yml', () => {
  it('pins every image to a version, and uses Temporal\'s supported images (no auto-setup)', () => {
    expect(services.length).toBeGreaterThanOrEqual(13);
    for (const [name, s] of services) {
      expect(s.image, `${name} has no image`).toBeTruthy();
      expect(s.image, `${name}: ${s.image} is not pinned`).toMatch(/:v?[0-9][\w.-]*$/);
    }
    const images = services.map(([, s]) => s.image ?? '');
    for (const part of ['apache/kafka:', 'temporalio/server:', 'temporalio/admin-tools:', 'temporalio/ui:', 'postgres:', 'clickhouse/clickhouse-server:', 'prom/prometheus:', 'grafana/grafana:']) {
      expect(images.some((i) => i.startsWith(part)), part).toBe(true);
    }
    expect(images.filter((i) => i.includes('auto-setup'))).toEqual([]);
  });

  it('gives every chiso role the variables it needs, in a form the config accepts', () => {
    const chiso = services.filter(([name]) => name.startsWith('chiso-') && name !== 'chiso-migrate');
    expect(chiso.map(([n]) => n).sort()).toEqual(ROLES);
    for (const [name, s] of [...chiso, ['chiso-migrate', compose.services['chiso-migrate']!] as const]) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      for (const v of SERVER_MODE_VARIABLES.filter((x) => x !== 'CHISO_ROLES')) expect(env[v], `${name} lacks ${v}`).toBeTruthy();
      const cfg = loadConfig(env);
      expect(cfg.kafka.external).toBe(true);
      expect(cfg.temporal.external).toBe(true);
      expect(cfg.clickhouse.mode).toBe('server');
      expect(cfg.piiSecret, name).toBeTruthy();
      expect(cfg.apiTokens?.length, name).toBe(2);
      if (name !== 'chiso-migrate') expect(cfg.roles).toEqual([name.replace('chiso-', '')]);
    }
  });

  it('runs the set-up steps once, before what needs them: Temporal schemas, namespace, ClickHouse migrations', () => {
    expect([...oneShots].sort()).toEqual(['chiso-migrate', 'temporal-namespace', 'temporal-schema']);
    for (const name of oneShots) expect(compose.services[name]!.restart, name).toBe('no');
    const migrate = compose.services['chiso-migrate']!;
    expect(migrate.command).toEqual(['migrate']);
    expect(migrate.image).toBe(compose.services['chiso-api']!.image);
    expect(dependsOn(migrate)).toEqual({ clickhouse: { condition: 'service_healthy' } });
    expect(dependsOn(compose.services.temporal!)['temporal-schema']).toEqual({ condition: 'service_completed_successfully' });
    expect(dependsOn(compose.services['temporal-namespace']!).temporal).toEqual({ condition: 'service_healthy' });
    for (const name of ['temporal-schema', 'temporal-namespace']) {
      const s = compose.services[name]!;
      expect(s.image).toMatch(/^temporalio\/admin-tools:/);
      expect(s.entrypoint?.slice(0, 2)).toEqual(['sh', '/setup/compose-setup.sh']);
      expect(s.volumes).toContain('./infra/temporal/compose-setup.sh:/setup/compose-setup.sh:ro');
    }
  });

  it('has a healthcheck on every long-running service', () => {
    expect(longRunning.length).toBeGreaterThanOrEqual(10);
    for (const [name, s] of longRunning) {
      expect(s.healthcheck?.disable, name).not.toBe(true);
      expect(s.healthcheck?.test?.length, `${name} has no healthcheck`).toBeGreaterThan(1);
    }
    // The chiso roles ask their own readiness endpoint, with node (the slim image has no curl).
    for (const role of ROLES) {
      const test = compose.services[role]!.healthcheck!.test!.join(' ');
      expect(test).toMatch(/^CMD node -e /);
      expect(test).toContain(`http://127.0.0.1:${compose.services[role]!.environment!.CHISO_API_PORT}/health/ready`);
    }
  });

  it('waits on health and completion, never on a bare start', () => {
    for (const [name, s] of services) {
      expect(Array.isArray(s.depends_on), `${name}: depends_on as a list waits for nothing`).toBe(false);
      for (const [dep, { condition }] of Object.entries(dependsOn(s))) {
        expect(compose.services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        expect(condition, `${name} -> ${dep}`).toBe(oneShots.has(dep) ? 'service_completed_successfully' : 'service_healthy');
      }
    }
    const needs: Record<string, string[]> = {
      'chiso-sink': ['kafka', 'clickhouse'],
      'chiso-worker': ['temporal', 'kafka', 'clickhouse'],
      'chiso-api': ['clickhouse'],
    };
    for (const role of ROLES) {
      const deps = dependsOn(compose.services[role]!);
      expect(deps['chiso-migrate'], role).toEqual({ condition: 'service_completed_successfully' });
      for (const d of needs[role]!) expect(deps[d], `${role} -> ${d}`).toEqual({ condition: 'service_healthy' });
    }
    expect(dependsOn(compose.services['chiso-worker']!)['temporal-namespace']).toEqual({ condition: 'service_completed_successfully' });
  });

  it('keeps every stateful part in a named volume, Kafka\'s log directory included', () => {
    const state: Record<string, string> = {
      kafka: '/var/lib/kafka/data',
      postgresql: '/var/lib/postgresql/data',
      clickhouse: '/var/lib/clickhouse',
      grafana: '/var/lib/grafana',
      prometheus: '/prometheus',
      'chiso-sink': '/app/.data',
      'chiso-worker': '/app/.data',
      'chiso-api': '/app/.data',
    };
    const named = Object.keys(compose.volumes);
    for (const [name, target] of Object.entries(state)) {
      const m = (compose.services[name]!.volumes ?? []).map(mount).find((v) => v.target === target);
      expect(m, `${name}: nothing mounted at ${target}`).toBeDefined();
      expect(named, `${name}: ${m!.source} is not a named volume`).toContain(m!.source);
    }
    const logDirs = String(compose.services.kafka!.environment!.KAFKA_LOG_DIRS);
    for (const dir of logDirs.split(',')) {
      expect((compose.services.kafka!.volumes ?? []).map(mount).some((v) => named.includes(v.source) && (dir === v.target || dir.startsWith(`${v.target}/`))), dir).toBe(true);
    }
  });

  it('takes every secret from the environment, required, listed in .env.example', () => {
    const secret = /PASSWORD|SECRET|TOKEN|_PWD/;
    let count = 0;
    for (const [name, s] of services) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (!secret.test(k) || k.endsWith('_USER')) continue;
        count++;
        expect(String(v), `${name}.${k} is not \${VAR:?...}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        const variable = /^\$\{([A-Z_]+)/.exec(String(v))![1]!;
        expect(Object.keys(dotenv), `${variable} missing from .env.example`).toContain(variable);
      }
    }
    expect(count).toBeGreaterThanOrEqual(15);
    // .env.example gives no value: a copy that is not filled in refuses to start.
    for (const line of read('.env.example').split('\n').filter((l) => /^[A-Z_]+=/.test(l))) expect(line).toMatch(/=$/);
    expect(read('.gitignore').split('\n')).toContain('.env');
  });

  it('mounts only files that exist', () => {
    for (const [name, s] of services) {
      for (const { source } of (s.volumes ?? []).map(mount).filter((v) => v.source.startsWith('./'))) {
        expect(existsSync(new URL(source, root)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('runs the Temporal set-up with temporal-sql-tool for both databases, and the script is valid sh', () => {
    const script = read('infra/temporal/compose-setup.sh');
    execFileSync('sh', ['-n', new URL('infra/temporal/compose-setup.sh', root).pathname]);
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d']) expect(script).toContain(step);
    expect(script).toContain('temporal-sql-tool --plugin postgres12');
    expect(script).toMatch(/for pair in temporal:temporal temporal_visibility:visibility/);
    expect(script).toContain('temporal operator namespace create');
    // The password reaches temporal-sql-tool through its environment, not its command line.
    expect(script).not.toMatch(/--pw|--password/);
  });
});

describe('ClickHouse read-only users (users.d)', () => {
  const xml = read('infra/clickhouse/server/users.d/chiso-readers.xml');
  const user = (name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml.slice(xml.indexOf('<users>')))?.[1] ?? '';
  const grants = (body: string) => [...body.matchAll(/<query>([^<]+)<\/query>/g)].map((m) => m[1]!.trim());

  it('mounts the file into the server and passes it the passwords', () => {
    const ch = compose.services.clickhouse!;
    expect(ch.volumes).toContain('./infra/clickhouse/server/users.d/chiso-readers.xml:/etc/clickhouse-server/users.d/chiso-readers.xml:ro');
    for (const variable of [...xml.matchAll(/from_env="([A-Z_]+)"/g)].map((m) => m[1]!)) expect(ch.environment?.[variable], variable).toBeDefined();
  });

  it('lets ioc_reader SELECT the IOC views and nothing else', () => {
    const views = new Set(loadMigrations().flatMap((m) => m.statements.map((s) => /^CREATE (?:OR REPLACE )?VIEW (?:IF NOT EXISTS )?\{db\}\.(\w+)/.exec(s)?.[1]).filter((v) => v !== undefined)));
    const body = user('ioc_reader');
    expect(grants(body)).toEqual(['GRANT SELECT ON chiso.v_indicator_values', 'GRANT SELECT ON chiso.v_scorecard']);
    for (const g of grants(body)) expect(views).toContain(g.split('.')[1]);
    expect(body).toContain('<password from_env="CHISO_IOC_READER_PASSWORD"/>');
    expect(body).toContain('<profile>chiso_readonly</profile>');
    expect(body).not.toContain('access_management');
  });

  it('lets chiso_query SELECT the tables the SQL endpoint allows, and nothing else', () => {
    const body = user('chiso_query');
    expect(grants(body)).toEqual(ALLOWED_TABLES.map((t) => `GRANT SELECT ON chiso.${t}`));
    expect(body).toContain('<profile>chiso_query</profile>');
    const profile = /<chiso_query>\s*<readonly>([\s\S]*?)<\/chiso_query>\s*<\/profiles>/.exec(xml)?.[0] ?? '';
    expect(profile).toContain('<readonly>1</readonly>');
    expect(profile).toMatch(/<max_execution_time><min>1<\/min><max>30<\/max><changeable_in_readonly\/><\/max_execution_time>/);
    expect(compose.services['chiso-api']!.environment!.CLICKHOUSE_QUERY_USER).toBe('chiso_query');
  });

  it('makes the profile read-only and the views run with their definer\'s rights', () => {
    const profile = /<chiso_readonly>([\s\S]*?)<\/chiso_readonly>/.exec(xml)?.[1] ?? '';
    expect(profile).toContain('<readonly>1</readonly>');
    expect(profile).toMatch(/<max_execution_time>\s*<max>\d+<\/max>\s*<changeable_in_readonly\/>/);
    expect(xml).toMatch(/<default>\s*<default_normal_view_sql_security>DEFINER<\/default_normal_view_sql_security>/);
  });
});

describe('Grafana and Prometheus', () => {
  it('provisions the ClickHouse datasource as ioc_reader and Prometheus with uid prometheus', () => {
    const ds = parse(read('infra/grafana/provisioning/datasources/chiso.yml')) as { datasources: { type: string; uid: string; url?: string; jsonData?: Record<string, unknown>; secureJsonData?: Record<string, string> }[] };
    const ch = ds.datasources.find((d) => d.type === 'grafana-clickhouse-datasource');
    expect(ch?.jsonData).toMatchObject({ host: 'clickhouse', port: 8123, protocol: 'http', username: 'ioc_reader' });
    expect(ch?.secureJsonData?.password).toBe('$CHISO_IOC_READER_PASSWORD');
    expect(compose.services.grafana!.environment!.CHISO_IOC_READER_PASSWORD).toBeDefined();
    const prom = ds.datasources.find((d) => d.type === 'prometheus');
    expect(prom).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
    expect(String(compose.services.grafana!.environment!.GF_INSTALL_PLUGINS)).toMatch(/^grafana-clickhouse-datasource \d+\.\d+\.\d+$/);
  });

  it('loads chiso\'s dashboard from where compose mounts it', () => {
    const providers = (parse(read('infra/grafana/provisioning/dashboards/chiso.yml')) as { providers: { type: string; options: { path: string } }[] }).providers;
    const mounts = (compose.services.grafana!.volumes ?? []).map(mount);
    expect(mounts).toContainEqual({ source: './infra/grafana/provisioning', target: '/etc/grafana/provisioning' });
    const dashboard = mounts.find((m) => m.source === './infra/grafana/chiso-dashboard.json');
    expect(dashboard).toBeDefined();
    expect(providers.map((p) => p.options.path)).toContain(dashboard!.target.slice(0, dashboard!.target.lastIndexOf('/')));
    const json = JSON.parse(read('infra/grafana/chiso-dashboard.json')) as { uid: string; panels: unknown[] };
    expect(json.uid).toBe('chiso-ioc');
    expect(json.panels.length).toBeGreaterThan(0);
  });

  it('scrapes /metrics of each chiso role on its API port', () => {
    const prom = parse(read('infra/prometheus/prometheus.yml')) as { scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[] };
    const targets = prom.scrape_configs.filter((c) => c.metrics_path === '/metrics').flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(ROLES.map((r) => `${r}:${compose.services[r]!.environment!.CHISO_API_PORT}`));
    expect(compose.services.prometheus!.volumes).toContain('./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });
});

describe('Dockerfile', () => {
  const df = parseDockerfile(read('Dockerfile'));
  const runtime = df.stages.at(-1)!;
  const all = df.stages.flatMap((s) => s.instructions);

  it('builds in stages, with production dependencies only', () => {
    expect(df.stages.length).toBeGreaterThanOrEqual(2);
    expect(all.some((i) => i.op === 'RUN' && /\bnpm ci --omit=dev\b/.test(i.args))).toBe(true);
    expect(all.some((i) => i.op === 'RUN' && /npm (install|i)\b/.test(i.args))).toBe(false);
    for (const s of df.stages) expect(s.from, s.name ?? 'stage').toMatch(/:[0-9][\w.-]*$|^[a-z]+$/);
  });

  it('bundles the workflows at build time and points the worker at the bundle', () => {
    const bundle = all.find((i) => i.op === 'RUN' && i.args.includes('infra/temporal/bundle-workflows.ts'));
    expect(bundle).toBeDefined();
    const out = /bundle-workflows\.ts\s+(\S+)/.exec(bundle!.args)![1]!;
    const env = runtime.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    const path = /CHISO_WORKFLOW_BUNDLE=(\S+)/.exec(env)?.[1];
    expect(path).toBe(`/app/${out}`);
    expect(runtime.instructions.some((i) => i.op === 'COPY' && i.args.includes('--from=') && i.args.endsWith(out.replace(/^/, './')))).toBe(true);
  });

  it('runs as a non-root user over read-only code, with a writable data directory and a HEALTHCHECK', () => {
    const users = runtime.instructions.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBe(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const afterUser = runtime.instructions.slice(runtime.instructions.findIndex((i) => i.op === 'USER'));
    expect(afterUser.filter((i) => i.op === 'COPY' || i.op === 'RUN')).toEqual([]);
    for (const c of runtime.instructions.filter((i) => i.op === 'COPY')) expect(c.args).not.toContain('--chown');
    expect(runtime.instructions.some((i) => i.op === 'RUN' && i.args.includes(`chown ${users[0]}:${users[0]} /app/.data`))).toBe(true);
    const health = runtime.instructions.find((i) => i.op === 'HEALTHCHECK');
    expect(health?.args).toMatch(/CMD \["node", "-e", .*\/health\/ready/);
    expect(runtime.instructions.find((i) => i.op === 'ENTRYPOINT')?.args).toBe('["node", "bin/chiso.js"]');
  });

  it('keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', '.data', '.env', '.git', 'build']) expect(ignored).toContain(p);
  });
});
