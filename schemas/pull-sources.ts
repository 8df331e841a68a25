// The sources a Temporal Schedule pulls on its own (CHISO_SOURCES as JSON, or CHISO_SOURCES_FILE, a
// JSON or YAML file): a folder of exports to watch, or a source's HTTP export API to poll.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ENTITIES, entityName, type EntityName, sourceId, type SourceId } from './events.ts';
import { errorMessage } from '../lib/errors.ts';

const EXAMPLE = '[{ "source": "one-stop-shop", "entity": "dossiers", "folder": "/data/exports/mot-cua" }, { "source": "public-service-portal", "entity": "payments", "url": "https://dvc.example.vn/export", "tokenEnv": "DVC_TOKEN" }]';

const folderSource = z.strictObject({
  source: sourceId,
  entity: entityName.optional(),
  folder: z.string().trim().min(1, { error: 'folder: expected the path of a folder of export files' }),
});
const apiSource = z.strictObject({
  source: sourceId,
  entity: entityName,
  url: z.url({ protocol: /^https?$/, error: 'url: expected the http(s) base URL of the export API' }),
  /** The environment variable holding this API's bearer token; default CHISO_SOURCE_API_TOKEN. */
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'tokenEnv: expected the name of an environment variable' }).optional(),
});

export const pullSourcesSchema = z
  .array(z.union([folderSource, apiSource], { error: 'expected { source, entity?, folder } or { source, entity, url, tokenEnv? }' }))
  .superRefine((list, ctx) => {
    list.forEach((s, i) => {
      if (s.entity !== undefined && !(ENTITIES[s.source] as readonly string[]).includes(s.entity)) {
        ctx.addIssue({ code: 'custom', path: [i, 'entity'], message: `${s.entity} is not an entity of ${s.source} (expected one of ${ENTITIES[s.source].join(', ')})` });
      }
    });
  });

export type PullSource =
  | { source: SourceId; entity?: EntityName; folder: string }
  | { source: SourceId; entity: EntityName; url: string; /** Resolved from tokenEnv or CHISO_SOURCE_API_TOKEN. */ token?: string };

/** A stable name for a pulled source (schedule ids, logs). */
export function pullSourceKey(s: PullSource): string {
  const where = 'folder' in s ? s.folder : s.url;
  return `${s.source}-${s.entity ?? 'all'}-${createHash('sha256').update(where).digest('hex').slice(0, 8)}`;
}

/** Parses CHISO_SOURCES / CHISO_SOURCES_FILE; returns the error text (naming the variable and the expected form) instead of throwing. */
export function parsePullSources(env: Record<string, string | undefined>, inline: string | undefined, file: string | undefined): { ok: true; sources: PullSource[] } | { ok: false; error: string } {
  if (inline !== undefined && file !== undefined) return { ok: false, error: 'CHISO_SOURCES and CHISO_SOURCES_FILE: set one of them, not both' };
  const name = inline !== undefined ? 'CHISO_SOURCES' : 'CHISO_SOURCES_FILE';
  let raw: unknown;
  if (inline !== undefined) {
    try {
      raw = JSON.parse(inline);
    } catch (e) {
      return { ok: false, error: `CHISO_SOURCES: expected a JSON list such as ${EXAMPLE} (${errorMessage(e)})` };
    }
  } else if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(file), 'utf8');
    } catch (e) {
      return { ok: false, error: `CHISO_SOURCES_FILE: cannot read ${file}: ${errorMessage(e)}` };
    }
    try {
      raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    } catch (e) {
      return { ok: false, error: `CHISO_SOURCES_FILE: ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${errorMessage(e)}` };
    }
  } else {
    return { ok: true, sources: [] };
  }
  const parsed = pullSourcesSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: `${name}: expected a list such as ${EXAMPLE}\n${z.prettifyError(parsed.error)}` };
  const sources: PullSource[] = [];
  for (const s of parsed.data) {
    if ('folder' in s) {
      sources.push({ source: s.source, ...(s.entity ? { entity: s.entity } : {}), folder: resolve(s.folder) });
      continue;
    }
    const token = s.tokenEnv ? env[s.tokenEnv]?.trim() : env.CHISO_SOURCE_API_TOKEN?.trim();
    if (s.tokenEnv && !token) return { ok: false, error: `${name}: ${s.url} names tokenEnv ${s.tokenEnv}, but ${s.tokenEnv} is not set` };
    sources.push({ source: s.source, entity: s.entity, url: s.url, ...(token ? { token } : {}) });
  }
  const keys = sources.map(pullSourceKey);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) return { ok: false, error: `${name}: two entries pull the same source, entity and place (${dup}): keep one` };
  return { ok: true, sources };
}
