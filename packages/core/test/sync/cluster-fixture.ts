/** A small kops cluster as it sits in a store, with comments and odd quoting to prove byte identity. */
import { randomBytes } from 'node:crypto';
import type { VfsPath } from '../../src/index.js';
import { writeTree } from './helpers.js';

export const CLUSTER = 'minimal.example.com';

export function clusterConfig(configBase: string, extra = ''): string {
  return `apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  creationTimestamp: "2024-01-01T00:00:00Z"
  name: ${CLUSTER}
spec:
  api:
    dns: {}
  authorization:
    rbac: {}
  channel: stable
  cloudProvider: aws
  configBase: ${configBase}   # where the keys live
  etcdClusters:
  - cpuRequest: 200m
    etcdMembers:
    - encryptedVolume: true
      instanceGroup: control-plane-us-test-1a
      name: a
    name: main
  kubernetesVersion: 'v1.30.0'
  networkCIDR: 172.20.0.0/16
  subnets:
  - cidr: 172.20.32.0/19
    name: us-test-1a
    type: Public
    zone: us-test-1a
${extra}`;
}

export const INSTANCE_GROUP = `apiVersion: kops.k8s.io/v1alpha2
kind: InstanceGroup
metadata:
  labels:
    kops.k8s.io/cluster: ${CLUSTER}
  name: nodes-us-test-1a
spec:
  machineType: t2.medium
  maxSize: 1
  minSize: 1
  role: Node
  subnets:
  - us-test-1a
`;

/** Writes the cluster's files under `{store}/{CLUSTER}`; returns them (relative to the cluster folder). */
export async function writeCluster(store: VfsPath, config: string): Promise<Record<string, string | Uint8Array>> {
  const files: Record<string, string | Uint8Array> = {
    config,
    'instancegroup/nodes-us-test-1a': INSTANCE_GROUP,
    'clusteraddons/default': '',
    'pki/private/kubernetes-ca/keyset.yaml': `apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nmetadata:\n  name: kubernetes-ca\nspec:\n  keys:\n  - id: "1"\n    privateMaterial: ${randomBytes(64).toString('base64')}\n`,
    'secrets/admin': JSON.stringify({ Data: randomBytes(24).toString('base64') }),
    'cluster-completed.spec': `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec:\n  configBase: ${store.join(CLUSTER).toString()}\n`,
    'kops-version.txt': '1.30.0',
    'igconfig/node/nodes-us-test-1a/nodeupconfig.yaml': `configBase: ${store.join(CLUSTER).toString()}\n`,
    'backups/etcd/main/control/etcd-cluster-spec': randomBytes(3000),
  };
  await writeTree(store.join(CLUSTER), files);
  return files;
}
