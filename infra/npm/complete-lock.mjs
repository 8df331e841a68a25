// npm records in package-lock.json only the optional platform packages its registry could resolve;
// when a mirror lacks chdb's macOS/arm builds, `npm ci` then refuses the lock as out of sync.
// This adds the missing optional entries (os/cpu-gated, never fetched on this platform).
// Run after any `npm install` that rewrote the lock: node infra/npm/complete-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const chdb = lock.packages['node_modules/chdb'];
const wanted = JSON.parse(readFileSync('node_modules/chdb/package.json', 'utf8')).optionalDependencies ?? {};
const platform = { 'lib-darwin-arm64': ['darwin', 'arm64'], 'lib-darwin-x64': ['darwin', 'x64'], 'lib-linux-arm64-gnu': ['linux', 'arm64'], 'lib-linux-x64-gnu': ['linux', 'x64'] };
let added = 0;
for (const [name, version] of Object.entries(wanted)) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [os, cpu] = platform[name.split('/')[1]] ?? [];
  if (!os) continue;
  lock.packages[key] = { version, cpu: [cpu], license: 'Apache-2.0', optional: true, os: [os] };
  added++;
}
if (!chdb) throw new Error('chdb is not in package-lock.json');
const sorted = {};
for (const k of Object.keys(lock.packages).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1))) sorted[k] = lock.packages[k];
lock.packages = sorted;
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`complete-lock: ${added} optional entries added\n`);
