/** migrateCluster from a MinIO bucket to fake-gcs-server: configBase rewritten, every other byte kept, source untouched. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrateCluster } from '@statestore/core/sync';
import { newGcsBucket, newS3Bucket, open, treeHashes, writeTree } from './helpers.js';

const CLUSTER = 'prod.example.com';

const config = (configBase: string) => `apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  creationTimestamp: "2024-01-01T00:00:00Z"
  name: ${CLUSTER}
spec:
  cloudProvider: aws
  # moved by statestore migrate
  configBase: ${configBase}
  kubernetesVersion: 1.30.2
  secretStore: ${configBase}/secrets
`;

describe('migrate across backends', () => {
  it('s3:// → gs://: rewrites configBase and secretStore only, verifies every file, leaves the source as it was', async () => {
    const store = await open(`s3://${await newS3Bucket('old')}/kops`);
    const to = await open(`gs://${await newGcsBucket('new')}/kops`);
    const oldBase = store.join(CLUSTER).toString();
    const original = config(oldBase);
    await writeTree(store.join(CLUSTER), {
      config: original,
      'instancegroup/nodes': 'apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\n',
      'pki/private/ca/keyset.yaml': randomBytes(900),
      'secrets/admin': '{"Data":"YWRtaW4="}',
      'backups/etcd/main/blob': randomBytes(10 * 1024 * 1024),
    });
    const before = await treeHashes(store);

    const result = await migrateCluster(store, CLUSTER, to);

    expect(result.complete).toBe(true);
    expect(result.verified).toBe(5);
    const newBase = to.join(CLUSTER).toString();
    expect(newBase).toMatch(/^gs:\/\/new-[0-9a-f]{8}\/kops\/prod\.example\.com$/);
    expect(result.rewrites.map((r) => r.field)).toEqual(['spec.configBase', 'spec.secretStore']);
    expect(await to.join(CLUSTER, 'config').readText()).toBe(config(newBase));
    const moved = await treeHashes(to.join(CLUSTER));
    const source = await treeHashes(store.join(CLUSTER));
    for (const key of Object.keys(source)) if (key !== 'config') expect(moved[key], key).toBe(source[key]);
    expect(Object.keys(moved)).toEqual(Object.keys(source));
    expect(await treeHashes(store)).toEqual(before);
  });
});
