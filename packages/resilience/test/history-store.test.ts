/**
 * A history store in a second MinIO bucket (`--history-store`): the journal is kept there, never in the state
 * bucket, which records its URL in .statestore/history.json so that a writer not given the flag uses it too; with
 * the state bucket emptied entirely (history.json and leases included), `undelete --history-store` restores the
 * cluster byte for byte from the other bucket, and history.json names the history store again.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { resolvePath, type HistoryView } from '@statestore/core';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from './support/cli.js';
import { CLUSTER, clusterHashes } from './support/history-scenario.js';
import { cliEnv, createBucket } from './support/stores.js';

function s3Client(): S3Client {
  const m = inject('minio');
  return new S3Client({ endpoint: m.endpoint, region: m.region, forcePathStyle: true, credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey } });
}

async function keysOf(client: S3Client, bucket: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

describe('a history store in another bucket', () => {
  it('keeps the journal out of the state bucket, and undelete restores the cluster from it after the state bucket was emptied', async () => {
    const stateBucket = await createBucket('s3');
    const historyBucket = await createBucket('s3');
    const storeUrl = `s3://${stateBucket}/store`;
    const historyUrl = `s3://${historyBucket}/journal`;
    const env = { ...cliEnv('s3'), HOME: mkdtempSync(path.join(os.tmpdir(), 'statestore-hs-home-')), KOPS_STATE_STORE: storeUrl };
    const run = async (args: string[]) => {
      const r = await runCli(args, env);
      expect(r.code, `statestore ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    const keyset = path.join(mkdtempSync(path.join(os.tmpdir(), 'statestore-hs-')), 'keyset.yaml');
    writeFileSync(keyset, Buffer.from([0, 1, 2, 255, 10]));

    await run(['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws', '--history-store', historyUrl, '-m', 'first']);
    await run(['cp', keyset, `${storeUrl}/${CLUSTER}/pki/private/ca/keyset.yaml`]);
    await run(['set', 'cluster', CLUSTER, 'spec.kubernetesVersion=1.32.0', '-m', 'no flag: found in history.json']);
    const view = JSON.parse((await run(['history', CLUSTER, '-o', 'json'])).stdout) as HistoryView;
    expect(view.revisions.map((r) => r.attribution?.message ?? null)).toEqual(['no flag: found in history.json', null, 'first']);

    const client = s3Client();
    const stateKeys = await keysOf(client, stateBucket);
    expect(stateKeys.filter((k) => k.includes('.statestore/history/'))).toEqual([]);
    expect(stateKeys).toContain('store/.statestore/history.json');
    expect(JSON.parse((await run(['cat', `${storeUrl}/.statestore/history.json`])).stdout)).toMatchObject({ store: historyUrl });
    expect((await keysOf(client, historyBucket)).some((k) => k.startsWith(`journal/.statestore/history/${CLUSTER}/log/`))).toBe(true);
    const before = await clusterHashes(await resolvePath(storeUrl, { env }));
    expect(Object.keys(before)).toContain('pki/private/ca/keyset.yaml');

    // The state bucket loses everything.
    await client.send(new DeleteObjectsCommand({ Bucket: stateBucket, Delete: { Objects: stateKeys.map((Key) => ({ Key })) } }));
    expect(await keysOf(client, stateBucket)).toEqual([]);

    await run(['undelete', CLUSTER, '--history-store', historyUrl, '-m', 'bucket emptied']);
    expect(await clusterHashes(await resolvePath(storeUrl, { env }))).toEqual(before);
    expect(JSON.parse((await run(['cat', `${storeUrl}/.statestore/history.json`])).stdout)).toMatchObject({ store: historyUrl });
    const after = JSON.parse((await run(['history', CLUSTER, '-o', 'json', '--limit', '2'])).stdout) as HistoryView;
    expect(after.revisions.map((r) => r.attribution?.message ?? r.kind)).toEqual(['bucket emptied', 'outside']);

    // Another history store than the recorded one is refused, naming the recorded one.
    const other = await runCli(['history', CLUSTER, '--history-store', `s3://${stateBucket}-other/x`], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(historyUrl);
    client.destroy();
  });
});
