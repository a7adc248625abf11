#!/usr/bin/env node
/**
 * Cold start of the statestore CLI against an empty ES module, in the same run on the same machine:
 *   statestore --version                        goal ≤ 1.15× an empty ES module
 *   statestore get clusters --state file://…    goal ≤ 2.0× an empty ES module (about the kops binary's time)
 * Each case is its own process, timed from spawn to exit; the cases are interleaved so machine load hits
 * them alike, and the empty module is timed again at the end (its drift shows how steady the run was).
 * The load average is printed at the start and the end. Where the time goes is measured in the same
 * run: `node -e 0`, importing `yaml` alone, importing @statestore/core alone. Then the modules each command
 * loads (ES modules and CommonJS files; the same recorder as packages/cli/test/module-lists.test.ts).
 * Needs the CLI built (pnpm build). Not part of the test run.
 *
 * Usage: node bench/cli-cold-start.mjs [--runs 21]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { modulesLoadedBy } from '@statestore/testkit/module-loads';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'packages', 'cli', 'dist', 'bin.js');
if (!existsSync(bin)) {
  console.error(`${bin} is missing: run pnpm build first`);
  process.exit(1);
}
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 21;
const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

const work = mkdtempSync(path.join(os.tmpdir(), 'statestore-bench-'));
const store = `file://${path.join(work, 'state')}`;
const env = { PATH: process.env.PATH, HOME: work, NO_COLOR: '1' };

function run(args) {
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result;
}

run([bin, 'create', 'cluster', 'bench.example.com', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', store]);
run([bin, 'create', 'cluster', 'other.example.com', '--zones', 'eu-west-1a,eu-west-1b', '--cloud', 'aws', '--state', store]);

// An empty ES module: the floor for any ESM entry point (the CLI's bin is ESM, as its package is).
const emptyModule = path.join(work, 'empty.mjs');
writeFileSync(emptyModule, '');
const importOnly = (specifier) => ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`];
const coreEntry = import.meta.resolve('@statestore/core');
const yamlEntry = pathToFileURL(createRequire(coreEntry).resolve('yaml')).href; // core's own yaml
const BASELINE = 'empty ES module (baseline)';
const cases = {
  [BASELINE]: [emptyModule],
  'statestore --version': [bin, '--version'],
  'statestore get clusters (file://)': [bin, 'get', 'clusters', '--state', store],
  'node -e 0': ['-e', '0'],
  'import yaml alone': importOnly(yamlEntry),
  'import @statestore/core alone': importOnly(coreEntry),
};
const goals = { 'statestore --version': 1.15, 'statestore get clusters (file://)': 2.0 };

function timeOnce(args) {
  const start = process.hrtime.bigint();
  run(args);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const loadBefore = loadAverage();
// Warm the disk cache, then interleave the cases.
for (const args of Object.values(cases)) for (let i = 0; i < 2; i++) timeOnce(args);
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(timeOnce(args));
const rerun = [];
for (let i = 0; i < runs; i++) rerun.push(timeOnce(cases[BASELINE]));
const loadAfter = loadAverage();

const base = median(samples[BASELINE]);
console.log(`cold start, median of ${runs} interleaved runs, ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`);
console.log(`  load average (1, 5, 15 min): ${loadBefore} at the start, ${loadAfter} at the end`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  const ratio = m / base;
  const goal = goals[name];
  const verdict = goal ? `   goal ≤ ${goal.toFixed(2)}× ${ratio <= goal ? 'met' : 'NOT met'}` : '';
  console.log(`  ${name.padEnd(36)} ${m.toFixed(1).padStart(7)} ms   ${ratio.toFixed(2)}×${verdict}`);
}
const again = median(rerun);
console.log(`  ${'empty ES module, rerun after'.padEnd(36)} ${again.toFixed(1).padStart(7)} ms   ${(again / base).toFixed(2)}× (drift of the baseline during the run)`);

// Which packages does each command load (ES modules and CommonJS files)?
const workspace = path.resolve(here, '..', 'packages');
const packageOf = (url) => {
  if (!url.startsWith('file:')) return undefined;
  const file = fileURLToPath(url);
  const i = file.lastIndexOf('/node_modules/');
  if (i >= 0) {
    const parts = file.slice(i + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return file.startsWith(`${workspace}/`) ? `@statestore/${file.slice(workspace.length + 1).split('/')[0]}` : undefined;
};
for (const name of ['statestore --version', 'statestore get clusters (file://)']) {
  const loaded = modulesLoadedBy(cases[name], { env });
  if (loaded.code !== 0) throw new Error(`${name} failed: ${loaded.stderr}`);
  const counts = new Map();
  for (const m of loaded.modules) {
    const p = packageOf(m);
    if (p) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const listed = [...counts].map(([p, n]) => `${p} (${n})`).join(', ');
  console.log(`  ${name}: ${loaded.modules.length} modules; packages: ${listed}`);
}
rmSync(work, { recursive: true, force: true });
