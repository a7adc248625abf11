#!/usr/bin/env node
// Cold start of the statestore CLI against `node -e 0` in the same run, on the same machine:
//   statestore --version                        goal ≤ 1.3× node -e 0
//   statestore get clusters --state file://…    goal ≤ 2.5× node -e 0
// and a check that no cloud SDK (nor any backend package) is loaded for a file:// store.
// Needs the CLI built (pnpm --filter @statestore/cli build). Not part of the test run.
//
// Usage: node bench/cli-cold-start.mjs [--runs 21]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'packages', 'cli', 'dist', 'bin.js');
if (!existsSync(bin)) {
  console.error(`${bin} is missing: run pnpm --filter @statestore/cli build first`);
  process.exit(1);
}
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 21;

const work = mkdtempSync(path.join(tmpdir(), 'statestore-bench-'));
const store = `file://${path.join(work, 'state')}`;
const env = { PATH: process.env.PATH, HOME: work, NO_COLOR: '1' };

function run(args, extraEnv = {}) {
  const result = spawnSync(process.execPath, args, { env: { ...env, ...extraEnv }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result;
}

run([bin, 'create', 'cluster', 'bench.example.com', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', store]);
run([bin, 'create', 'cluster', 'other.example.com', '--zones', 'eu-west-1a,eu-west-1b', '--cloud', 'aws', '--state', store]);

// An empty ES module: the floor for any ESM entry point (the CLI's bin is ESM, as its package is).
const emptyModule = path.join(work, 'empty.mjs');
writeFileSync(emptyModule, '');
const cases = {
  'node -e 0': ['-e', '0'],
  'node empty.mjs (reference)': [emptyModule],
  'statestore --version': [bin, '--version'],
  'statestore get clusters (file://)': [bin, 'get', 'clusters', '--state', store],
};

function timeOnce(args) {
  const start = process.hrtime.bigint();
  run(args);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// Warm the disk cache, then interleave the cases so machine load affects them alike.
for (const args of Object.values(cases)) for (let i = 0; i < 2; i++) timeOnce(args);
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(timeOnce(args));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(samples['node -e 0']);
const goals = { 'statestore --version': 1.3, 'statestore get clusters (file://)': 2.5 };
console.log(`cold start, median of ${runs} interleaved runs (ms), ${process.version}, ${new Date().toISOString()}`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  const ratio = m / base;
  const goal = goals[name];
  console.log(`  ${name.padEnd(36)} ${m.toFixed(1).padStart(7)} ms   ${ratio.toFixed(2)}×${goal ? `   goal ≤ ${goal}× ${ratio <= goal ? 'met' : 'NOT met'}` : ''}`);
}

// Which modules does a file:// command load? A resolve hook records every module URL.
const log = path.join(work, 'modules.log');
const hooks = path.join(work, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');\n  return r;\n}\n`,
);
const register = path.join(work, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
const cloud = /@aws-sdk|@smithy|@google-cloud|google-auth-library|gaxios|ali-oss|node-vault|openstack|backend-(s3|gcs|swift|oss|vault)/;
for (const [name, args] of [
  ['statestore --version', [bin, '--version']],
  ['statestore get clusters (file://)', [bin, 'get', 'clusters', '--state', store]],
]) {
  rmSync(log, { force: true });
  run(['--import', pathToFileURL(register).href, ...args]);
  const modules = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = [...new Set(modules.filter((m) => m.includes('/node_modules/') || m.includes('/packages/')).map((m) => m.replace(/^.*\/(node_modules|packages)\//, '').split('/').slice(0, m.includes('/node_modules/@') ? 2 : 1).join('/')))];
  const loadedCloud = modules.filter((m) => cloud.test(m));
  console.log(`  ${name}: ${modules.length} modules; packages: ${packages.join(', ') || 'none'}; cloud SDK or backend loaded: ${loadedCloud.length === 0 ? 'none' : loadedCloud.join(', ')}`);
  if (loadedCloud.length > 0) process.exitCode = 1;
}
rmSync(work, { recursive: true, force: true });
