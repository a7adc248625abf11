#!/usr/bin/env node
/**
 * Benchmark: 4 KiB reads and writes through Statestore's VfsPath (s3:// on a local MinIO) against the raw
 * @aws-sdk/client-s3 doing the same requests (same endpoint, path-style, checksums only when required,
 * SSE AES256 on writes as the s3:// scheme sends it). Same process, same MinIO, interleaved batches;
 * prints the median time per operation and the ratio Statestore / raw SDK (goal: ≤ 1.05×).
 * Never part of the tests.
 *
 * Needs: bash scripts/install-test-servers.sh minio, and a build (pnpm build).
 * Usage: node bench/s3-small-io.mjs [--ops 300] [--reps 5] [--concurrency 1] [--scheme s3|do]
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import s3Plugin from '@statestore/backend-s3';
import { PluginRegistry, resolvePath, runLimited } from '@statestore/core';
import { startMinio } from '@statestore/testkit/minio';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const OPS = Number(option('--ops', '300'));
const REPS = Number(option('--reps', '5'));
const CONCURRENCY = Number(option('--concurrency', '1'));
const SCHEME = option('--scheme', 's3');
const SIZE = 4096;
const WARMUP = 50;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs `op(i)` for i in [0, n) with the configured concurrency; returns microseconds per operation. */
async function timed(n, op) {
  const items = Array.from({ length: n }, (_, i) => i);
  const started = process.hrtime.bigint();
  await runLimited(items, CONCURRENCY, op);
  return Number(process.hrtime.bigint() - started) / 1000 / n;
}

const minio = await startMinio();
try {
  const bucket = `bench-${randomBytes(4).toString('hex')}`;
  const raw = new S3Client({
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  await raw.send(new CreateBucketCommand({ Bucket: bucket }));

  const registry = new PluginRegistry(() => []);
  registry.register(s3Plugin);
  const env = { S3_ENDPOINT: minio.endpoint, S3_ACCESS_KEY_ID: minio.accessKeyId, S3_SECRET_ACCESS_KEY: minio.secretAccessKey };
  const root = await resolvePath(`${SCHEME}://${bucket}/statestore`, { registry, env });
  const sse = SCHEME === 's3' ? { ServerSideEncryption: 'AES256' } : {};
  const body = randomBytes(SIZE);

  const rawWrite = (i) => raw.send(new PutObjectCommand({ Bucket: bucket, Key: `raw/f${i}`, Body: body, ...sse })).then(() => undefined);
  const rawRead = async (i) => {
    const out = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: `raw/f${i}` }));
    const bytes = await out.Body.transformToByteArray();
    if (bytes.byteLength !== SIZE) throw new Error('short read');
  };
  const ssWrite = (i) => root.join(`f${i}`).writeFile(body).then(() => undefined);
  const ssRead = async (i) => {
    const bytes = await root.join(`f${i}`).readFile();
    if (bytes.byteLength !== SIZE) throw new Error('short read');
  };

  // Warm up both paths (connections, the region/encryption checks and the precondition probe).
  await timed(WARMUP, rawWrite);
  await timed(WARMUP, ssWrite);
  await timed(WARMUP, rawRead);
  await timed(WARMUP, ssRead);

  const results = { rawWrite: [], ssWrite: [], rawRead: [], ssRead: [] };
  for (let rep = 0; rep < REPS; rep++) {
    // Alternate which side goes first, so drift in the machine's load does not favour one.
    const order = rep % 2 === 0 ? ['raw', 'ss'] : ['ss', 'raw'];
    for (const side of order) results[`${side}Write`].push(await timed(OPS, side === 'raw' ? rawWrite : ssWrite));
    for (const side of order) results[`${side}Read`].push(await timed(OPS, side === 'raw' ? rawRead : ssRead));
  }

  const row = (what, rawUs, ssUs) => {
    const ratio = ssUs / rawUs;
    return `${what.padEnd(6)} raw SDK ${rawUs.toFixed(0).padStart(6)} µs/op   Statestore ${ssUs.toFixed(0).padStart(6)} µs/op   ratio ${ratio.toFixed(3)}× ${ratio <= 1.05 ? '(goal ≤ 1.05× met)' : '(goal ≤ 1.05× NOT met)'}`;
  };
  const w = [median(results.rawWrite), median(results.ssWrite)];
  const r = [median(results.rawRead), median(results.ssRead)];
  console.log(`MinIO ${minio.version}`);
  console.log(`${SCHEME}:// 4 KiB objects, ${OPS} ops × ${REPS} interleaved reps, concurrency ${CONCURRENCY}, medians of per-rep means`);
  console.log(row('write', w[0], w[1]));
  console.log(row('read', r[0], r[1]));
  raw.destroy();
} finally {
  await minio.stop();
}
