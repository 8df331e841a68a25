// The IOC dashboard: static files from public/ at `/`, and Chart.js served from node_modules at
// /vendor/ (the machine is offline: no CDN). The page holds no data; it reads the API with its token.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), 'public');

export async function registerDashboard(app: FastifyInstance): Promise<void> {
  const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js'));
  await app.register(fastifyStatic, { root: publicDir, prefix: '/', index: ['index.html'], cacheControl: true, maxAge: 60_000 });
  app.get('/vendor/chart.umd.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(chartJs));
}
