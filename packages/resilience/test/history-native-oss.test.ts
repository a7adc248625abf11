/**
 * History on an OSS bucket with versioning on (testkit's OSS server): kops-style writes made around Statestore
 * (ali-oss, straight to the bucket) appear in `history` as revisions of their own, "outside Statestore", at the
 * times OSS stored them, merged with the journal: a version a Statestore command wrote is shown once, as that
 * command's revision with its author and message, and names its native version; a kops change the journal
 * recorded (as first seen by the next Statestore write) takes OSS's time. The OSS counterpart of history-native.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { HistoryView } from '@statestore/core';
import { describe, expect, inject, it } from 'vitest';
import { runCli } from './support/cli.js';
import { CLUSTER } from './support/history-scenario.js';
import { cliEnv } from './support/stores.js';

const EXTRA_IG = ['apiVersion: kops.k8s.io/v1alpha2', 'kind: InstanceGroup', 'metadata:', '  name: extra', 'spec:', '  role: Node', '  minSize: 1', '  maxSize: 1', '  subnets:', '  - us-east-1a', ''].join('\n');

/** ali-oss as the oss:// plugin has it (resilience does not depend on it itself). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const AliOss = createRequire(createRequire(import.meta.url).resolve('@statestore/backend-oss/package.json'))('ali-oss') as new (options: Record<string, unknown>) => any;

describe('history on a versioned OSS bucket', () => {
  it('shows each write made around Statestore at its time, and Statestore revisions once, with their attribution', async () => {
    const o = inject('oss');
    const bucket = `resilience-${randomUUID().slice(0, 8)}`;
    const client = new AliOss({ endpoint: o.endpoint, region: `oss-${o.region}`, accessKeyId: o.accessKeyId, accessKeySecret: o.accessKeySecret, bucket, secure: false, sldEnable: true, retryMax: 0, authorizationV4: true });
    await client.putBucket(bucket);
    await client.putBucketVersioning(bucket, 'Enabled');
    const storeUrl = `oss://${bucket}/store`;
    const env = { ...cliEnv('oss'), HOME: mkdtempSync(path.join(os.tmpdir(), 'statestore-native-home-')), KOPS_STATE_STORE: storeUrl };
    const run = async (args: string[]) => {
      const r = await runCli(args, env);
      expect(r.code, `statestore ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    const history = async () => JSON.parse((await run(['history', CLUSTER, '-o', 'json', '--limit', '0'])).stdout) as HistoryView;
    /** kops writing a file: straight to the bucket; returns the version and the second OSS stored it in (HTTP dates have seconds). */
    const kopsWrites = async (relative: string, body: string): Promise<{ versionId: string; second: string }> => {
      const key = `store/${CLUSTER}/${relative}`;
      const put = await client.put(key, Buffer.from(body));
      const versionId = put.res.headers['x-oss-version-id'] as string;
      const head = await client.head(key, { versionId });
      return { versionId, second: new Date(head.res.headers['last-modified'] as string).toISOString() };
    };
    const second = (time: string) => new Date(Math.floor(Date.parse(time) / 1000) * 1000).toISOString();

    await run(['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws', '-m', 'created']);
    const config = (await run(['cat', `${storeUrl}/${CLUSTER}/config`])).stdout;
    const firstKops = await kopsWrites('config', `${config}# kops 1\n`);
    const secondKops = await kopsWrites('instancegroup/extra', EXTRA_IG);

    const seen = await history();
    expect(seen.native).toEqual({ read: true });
    expect(seen.unrecorded).toEqual([]);
    // Written within a second of each other, kops's two writes are one revision, each file's version at the time
    // OSS stored it.
    expect(seen.revisions.map((r) => [r.kind, r.attribution?.message ?? null, r.entries.length > 0])).toEqual([
      ['outside', null, false],
      ['statestore', 'created', true],
    ]);
    expect(second(seen.revisions[0]!.time)).toBe(secondKops.second);
    expect(seen.revisions[0]).toMatchObject({
      files: [
        { path: 'config', change: 'changed' },
        { path: 'instancegroup/extra', change: 'added' },
      ],
    });
    expect(Object.fromEntries(seen.revisions[0]!.native!.map((v) => [v.path, [v.versionId, second(v.time!)]]))).toEqual({
      config: [firstKops.versionId, firstKops.second],
      'instancegroup/extra': [secondKops.versionId, secondKops.second],
    });
    // Statestore's own writes are versions too, named by the revision that wrote them.
    expect(seen.revisions[1]!.native!.length).toBeGreaterThanOrEqual(seen.revisions[1]!.files.length);

    // The next Statestore write records what kops did (one entry, first seen now); kops's two writes keep their own times.
    await run(['set', 'cluster', CLUSTER, 'spec.kubernetesVersion=1.32.0', '-m', 'upgrade']);
    const thirdKops = await kopsWrites('config', `${(await run(['cat', `${storeUrl}/${CLUSTER}/config`])).stdout}# kops 3\n`);
    const after = await history();
    expect(after.revisions.map((r) => [r.kind, r.attribution?.message ?? null, r.entries.length > 0])).toEqual([
      ['outside', null, false], // not seen by any Statestore command yet: the service's version alone
      ['statestore', 'upgrade', true],
      ['outside', null, true], // the journal's entry of both kops writes, first seen by `set`...
      ['statestore', 'created', true],
    ]);
    expect(after.revisions[0]!.native!.map((v) => v.versionId)).toEqual([thirdKops.versionId]);
    expect(second(after.revisions[0]!.time)).toBe(thirdKops.second);
    expect(second(after.revisions[2]!.time)).toBe(secondKops.second); // ...at the time OSS stored the newer one
    expect(after.revisions[2]!.native!.map((v) => v.path).sort()).toEqual(['config', 'instancegroup/extra']);
  });
});
