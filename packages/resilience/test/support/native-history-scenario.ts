/**
 * The native-history scenario both versioned-bucket tests run (MinIO through the AWS SDK, the testkit OSS server
 * through ali-oss): Statestore creates a cluster; kops-style writes land straight in the bucket; `history` shows
 * them as a revision "outside Statestore" at the times the service stored them, merged with the journal's
 * revisions; after the next Statestore write the journal records them and a newer outside write is its own revision.
 */
import type { HistoryView } from '@statestore/core';
import { expect } from 'vitest';
import { runCli } from './cli.js';
import { CLUSTER } from './history-scenario.js';

const EXTRA_IG = ['apiVersion: kops.k8s.io/v1alpha2', 'kind: InstanceGroup', 'metadata:', '  name: extra', 'spec:', '  role: Node', '  minSize: 1', '  maxSize: 1', '  subnets:', '  - us-east-1a', ''].join('\n');

/** kops writing a file of the cluster straight to the bucket: its version id and the second the service stored it in. */
export type KopsWrite = (relative: string, body: string) => Promise<{ versionId: string; second: string }>;

/** Runs the scenario against the store at `storeUrl` (also KOPS_STATE_STORE in `env`). */
export async function nativeHistoryScenario(storeUrl: string, env: NodeJS.ProcessEnv, kopsWrites: KopsWrite): Promise<void> {
  const run = async (args: string[]) => {
    const r = await runCli(args, env);
    expect(r.code, `statestore ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  const history = async () => JSON.parse((await run(['history', CLUSTER, '-o', 'json', '--limit', '0'])).stdout) as HistoryView;
  const second = (time: string) => new Date(Math.floor(Date.parse(time) / 1000) * 1000).toISOString();

  await run(['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws', '-m', 'created']);
  const config = (await run(['cat', `${storeUrl}/${CLUSTER}/config`])).stdout;
  const firstKops = await kopsWrites('config', `${config}# kops 1\n`);
  const secondKops = await kopsWrites('instancegroup/extra', EXTRA_IG);

  const seen = await history();
  expect(seen.native).toEqual({ read: true });
  expect(seen.unrecorded).toEqual([]);
  // Written within a second of each other, kops's two writes are one revision (kops writes a cluster's files
  // together), each file's version at the time the service stored it.
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
  expect(second(after.revisions[2]!.time)).toBe(secondKops.second); // ...at the time the service stored the newer one
  expect(after.revisions[2]!.native!.map((v) => v.path).sort()).toEqual(['config', 'instancegroup/extra']);
}
