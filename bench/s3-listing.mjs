#!/usr/bin/env node
/**
 * Benchmark: listing 20,000 keys on a local MinIO with Statestore's `readTree` (s3://, every file below a
 * folder) against a raw paginated ListObjectsV2 loop of @aws-sdk/client-s3 (1,000 keys a page, the keys
 * collected into an array). Same process, same MinIO, rounds interleaved with the side that goes first
 * alternating, so load from elsewhere on the machine hits both alike. Prints the median wall and client
 * CPU time of a full listing, the ratio Statestore / raw (goal ≤ 1.1×), and the load average at the start
 * and the end. MinIO's data folder is on /dev/shm when it exists (--disk keeps it on the temp disk).
 * Never part of the tests.
 *
 * Needs: bash scripts/install-test-servers.sh minio, and a build (pnpm build).
 * Usage: node bench/s3-listing.mjs [--keys 20000] [--rounds 15]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import s3Plugin from '@statestore/backend-s3';
import { PluginRegistry, resolvePath, runLimited } from '@statestore/core';
import { startMinio } from '@statestore/testkit/minio';
import { dataInMemoryUnless, dataPlace, minioClient, minioEnv } from './minio-bench.mjs';
import { args, option } from './command-line.mjs';

const KEYS = Number(option('--keys', '20000'));
const ROUNDS = Number(option('--rounds', '15'));
const GOAL = 1.1;
const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs `list` once; returns its wall and CPU time in ms, and how many keys it returned. */
async function timed(list) {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const count = await list();
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  if (count !== KEYS) throw new Error(`listed ${count} keys, expected ${KEYS}`);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

dataInMemoryUnless(args);
const minio = await startMinio();
const cache = mkdtempSync(path.join(os.tmpdir(), 'statestore-bench-cache-'));
try {
  const bucket = 'listing';
  const raw = minioClient(minio, {
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await raw.send(new CreateBucketCommand({ Bucket: bucket }));
  process.stderr.write(`seeding ${KEYS} keys…\n`);
  // A kops-like shape: clusters, folders in them, small files.
  const keyOf = (i) => `tree/cluster-${i % 20}/dir-${i % 53}/file-${i}`;
  await runLimited([...Array(KEYS).keys()], 64, async (i) => {
    await raw.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(i), Body: 'x' }));
  });

  const registry = new PluginRegistry(() => []);
  registry.register(s3Plugin);
  const env = { ...minioEnv(minio), STATESTORE_CACHE: cache };
  const root = await resolvePath(`s3://${bucket}/tree`, { registry, env });

  const rawList = async () => {
    const keys = [];
    let token;
    do {
      const page = await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tree/', MaxKeys: 1000, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.length;
  };
  const statestoreList = async () => (await root.readTree()).length;
  // Where the difference goes: the same pages through Statestore's S3 driver alone (behind core's
  // deadline layer, as resolvePath opens it), without VfsPath's walk.
  const driverList = async () => {
    let count = 0;
    let token;
    do {
      const page = await root.backend.list('tree/', { pageSize: 1000, ...(token ? { pageToken: token } : {}) });
      count += page.objects.length;
      token = page.nextPageToken;
    } while (token);
    return count;
  };
  const sides = { raw: rawList, statestore: statestoreList, driver: driverList };

  // Warm both paths (connections, the first-use checks of the S3 driver).
  for (const list of Object.values(sides)) await timed(list);
  const loadBefore = loadAverage();
  const results = { raw: [], statestore: [], driver: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['raw', 'statestore', 'driver'] : ['driver', 'statestore', 'raw'];
    for (const side of order) results[side].push(await timed(sides[side]));
  }
  const loadAfter = loadAverage();

  const [rw, sw] = [median(results.raw.map((r) => r.wall)), median(results.statestore.map((r) => r.wall))];
  const [rc, sc] = [median(results.raw.map((r) => r.cpu)), median(results.statestore.map((r) => r.cpu))];
  const [dw, dc] = [median(results.driver.map((r) => r.wall)), median(results.driver.map((r) => r.cpu))];
  const ratio = sw / rw;
  console.log(`listing ${KEYS} keys on MinIO (${minio.version}), data on ${dataPlace()}; ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`);
  console.log(`  load average (1, 5, 15 min): ${loadBefore} at the start, ${loadAfter} at the end; ${ROUNDS} interleaved rounds, medians`);
  console.log(`  raw ListObjectsV2 loop    wall ${rw.toFixed(0).padStart(6)} ms   client CPU ${rc.toFixed(0).padStart(6)} ms`);
  console.log(`  statestore readTree       wall ${sw.toFixed(0).padStart(6)} ms   client CPU ${sc.toFixed(0).padStart(6)} ms`);
  console.log(`  S3 driver's list alone   wall ${dw.toFixed(0).padStart(6)} ms   client CPU ${dc.toFixed(0).padStart(6)} ms   (${(dw / rw).toFixed(3)}× raw; no VfsPath)`);
  console.log(`  ratio statestore / raw: wall ${ratio.toFixed(3)}× (goal ≤ ${GOAL}× ${ratio <= GOAL ? 'met' : 'NOT met'}), client CPU ${(sc / rc).toFixed(3)}×`);
  raw.destroy();
} finally {
  await minio.stop();
  rmSync(cache, { recursive: true, force: true });
}
