#!/usr/bin/env node
/**
 * Benchmark: 4 KiB reads and writes through Statestore's VfsPath (s3:// on a local MinIO) against the raw
 * @aws-sdk/client-s3 doing the same requests (same endpoint, path-style, checksums only when required,
 * SSE AES256 on writes, as Statestore sends it to a MinIO started with a KMS key). Same process, same MinIO, many small batches
 * interleaved (so load from elsewhere on the machine hits both sides alike); prints the median wall time
 * and client CPU time per operation and the ratios Statestore / raw SDK against the goals of issue 28
 * (client CPU ≤ 0.6×, wall ≤ 1.0×), for the fast client (the default) and, for reference, for
 * STATESTORE_S3_CLIENT=sdk, with the machine's load average.
 * MinIO's data folder is on /dev/shm when it exists (--disk keeps it on the temp disk), so that disk
 * latency does not drown the client's cost. Never part of the tests.
 *
 * Needs: bash scripts/install-test-servers.sh minio, and a build (pnpm build).
 * Usage: node bench/s3-small-io.mjs [--ops 50] [--rounds 30] [--concurrency 1] [--scheme s3|do] [--disk]
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import s3Plugin from '@statestore/backend-s3';
import { PluginRegistry, resolvePath, runLimited } from '@statestore/core';
import { startMinio } from '@statestore/testkit/minio';
import { dataInMemoryUnless, dataPlace, minioClient, minioEnv } from './minio-bench.mjs';
import { args, option } from './command-line.mjs';

const OPS = Number(option('--ops', '50'));
const ROUNDS = Number(option('--rounds', '30'));
const CONCURRENCY = Number(option('--concurrency', '1'));
const SCHEME = option('--scheme', 's3');
const SIZE = 4096;
const WARMUP = 50;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs `op(i)` for i in [0, n) with the configured concurrency; returns wall and CPU microseconds per operation. */
async function timed(n, op) {
  const items = Array.from({ length: n }, (_, i) => i);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await runLimited(items, CONCURRENCY, op);
  const wall = Number(process.hrtime.bigint() - started) / 1000 / n;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / n };
}

dataInMemoryUnless(args);
// A MinIO that can encrypt, so both sides send SSE AES256 as s3:// does on a server that supports it.
const minio = await startMinio({ kms: true });
try {
  const bucket = `bench-${randomBytes(4).toString('hex')}`;
  const raw = minioClient(minio, {
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  await raw.send(new CreateBucketCommand({ Bucket: bucket }));

  const registry = new PluginRegistry(() => []);
  registry.register(s3Plugin);
  const env = { ...minioEnv(minio), STATESTORE_CACHE: mkdtempSync(path.join(os.tmpdir(), 'statestore-bench-cache-')) };
  const root = await resolvePath(`${SCHEME}://${bucket}/statestore`, { registry, env: { ...env, STATESTORE_S3_CLIENT: 'fast' } });
  const sdkRoot = await resolvePath(`${SCHEME}://${bucket}/statestore-sdk`, { registry, env: { ...env, STATESTORE_S3_CLIENT: 'sdk' } });
  // STATESTORE_S3_SSE=auto sends it on every scheme where the server can encrypt (this one can).
  const sse = { ServerSideEncryption: 'AES256' };
  const body = randomBytes(SIZE);

  const rawWrite = (i) => raw.send(new PutObjectCommand({ Bucket: bucket, Key: `raw/f${i}`, Body: body, ...sse })).then(() => undefined);
  // The raw SDK also storing the SHA-256 the way Statestore does (x-amz-meta-statestore-sha256), to
  // attribute the write gap: the header, not the layer.
  const rawMetaWrite = (i) =>
    raw
      .send(new PutObjectCommand({ Bucket: bucket, Key: `rawmeta/f${i}`, Body: body, ...sse, Metadata: { 'statestore-sha256': createHash('sha256').update(body).digest('hex') } }))
      .then(() => undefined);
  // Reads fetch the very objects Statestore wrote, so both sides parse the same response.
  const rawRead = async (i) => {
    const out = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: `statestore/f${i}` }));
    const bytes = await out.Body.transformToByteArray();
    if (bytes.byteLength !== SIZE) throw new Error('short read');
  };
  const ssWrite = (i) => root.join(`f${i}`).writeFile(body).then(() => undefined);
  const ssRead = async (i) => {
    const bytes = await root.join(`f${i}`).readFile();
    if (bytes.byteLength !== SIZE) throw new Error('short read');
  };
  const sdkWrite = (i) => sdkRoot.join(`f${i}`).writeFile(body).then(() => undefined);
  const sdkRead = async (i) => {
    const bytes = await sdkRoot.join(`f${i}`).readFile();
    if (bytes.byteLength !== SIZE) throw new Error('short read');
  };

  // Warm up both paths (connections, the region/encryption checks and the precondition probe).
  await timed(WARMUP, rawWrite);
  await timed(WARMUP, rawMetaWrite);
  await timed(WARMUP, ssWrite);
  await timed(WARMUP, rawRead);
  await timed(WARMUP, ssRead);
  await timed(WARMUP, sdkWrite);
  await timed(WARMUP, sdkRead);

  const results = { rawWrite: [], rawMetaWrite: [], ssWrite: [], sdkWrite: [], rawRead: [], ssRead: [], sdkRead: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first, so drift in the machine's load does not favour one.
    const writers = { raw: rawWrite, rawMeta: rawMetaWrite, ss: ssWrite, sdk: sdkWrite };
    const readers = { raw: rawRead, ss: ssRead, sdk: sdkRead };
    const order = round % 2 === 0 ? ['raw', 'rawMeta', 'ss', 'sdk'] : ['sdk', 'ss', 'rawMeta', 'raw'];
    for (const side of order) results[`${side}Write`].push(await timed(OPS, writers[side]));
    for (const side of order.filter((x) => x !== 'rawMeta')) results[`${side}Read`].push(await timed(OPS, readers[side]));
  }

  const goal = (ratio, limit) => `(goal ≤ ${limit.toFixed(1)}× ${ratio <= limit ? 'met' : 'NOT met'})`;
  const line = (what, rawSide, ssSide, rawLabel = 'raw SDK', ssLabel = 'Statestore') => {
    const [rw, sw] = [median(rawSide.map((x) => x.wall)), median(ssSide.map((x) => x.wall))];
    const [rc, sc] = [median(rawSide.map((x) => x.cpu)), median(ssSide.map((x) => x.cpu))];
    return (
      `${what.padEnd(6)} wall: ${rawLabel} ${rw.toFixed(0).padStart(6)} µs/op, ${ssLabel} ${sw.toFixed(0).padStart(6)} µs/op, ratio ${(sw / rw).toFixed(3)}× ${goal(sw / rw, 1.0)}\n` +
      `${''.padEnd(6)} client CPU: ${rawLabel} ${rc.toFixed(0).padStart(6)} µs/op, ${ssLabel} ${sc.toFixed(0).padStart(6)} µs/op, ratio ${(sc / rc).toFixed(3)}× ${goal(sc / rc, 0.6)}`
    );
  };
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`MinIO ${minio.version}, data on ${dataPlace()}`);
  console.log(`${SCHEME}:// 4 KiB objects, ${ROUNDS} interleaved rounds of ${OPS} ops per side, concurrency ${CONCURRENCY}; medians of per-round means`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${load()} (shared: other work runs alongside)`);
  console.log('Statestore with the fast client (the default):');
  console.log(line('write', results.rawWrite, results.ssWrite));
  console.log(line('write', results.rawMetaWrite, results.ssWrite, 'raw SDK + sha256 header'));
  console.log(line('read', results.rawRead, results.ssRead));
  console.log('For reference, Statestore with STATESTORE_S3_CLIENT=sdk:');
  console.log(line('write', results.rawWrite, results.sdkWrite, 'raw SDK', 'Statestore (sdk)'));
  console.log(line('read', results.rawRead, results.sdkRead, 'raw SDK', 'Statestore (sdk)'));
  console.log(`load average at the end: ${load()}`);
  raw.destroy();
} finally {
  await minio.stop();
}
