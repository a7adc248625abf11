/**
 * The four workflows of the kops "State Store" page (/work/shared/seeds), end to end through the built
 * CLI as a user runs it — against a stock MinIO (no KMS) and local folders — each step taken from the
 * page's own text, and with the ways a first hour went wrong (issue 18): a stock S3-compatible server must
 * be writable, an empty variable must not become a local folder, a review of a local copy must not touch
 * production, `update --yes` on a copy must point somewhere useful, vault:// must never become the store,
 * and `get clusters` must not mistake a nested folder for a cluster.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type VfsPath } from '@statestore/core';
import { completeStoreSpec, stringifyKopsObject, ClusterRegistry } from '@statestore/core/config';
import { freePort } from '@statestore/testkit';
import { describe, expect, inject, it } from 'vitest';
import { statestore, type User } from './cli.js';
import { newS3Bucket, open, tempDir, treeHashes } from './helpers.js';

const NAME = 'seeds.example.com';
const ZONES = ['--zones', 'us-east-1a,us-east-1b', '--cloud', 'aws'];
const SSE_NOTICE = 'cannot encrypt objects on the server';

const newUser = (extra: Partial<User> = {}): User => ({ home: tempDir('home'), cwd: tempDir('cwd'), ...extra });
const count = (text: string, part: string) => text.split(part).length - 1;

async function clusterNames(user: User, args: string[] = []): Promise<string[]> {
  const r = await statestore(user, ['get', 'clusters', '-o', 'json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { metadata: { name: string } }[]).map((c) => c.metadata.name);
}

async function createCluster(user: User, state: string, name = NAME): Promise<void> {
  const r = await statestore(user, ['create', 'cluster', name, ...ZONES, '--state', state]);
  expect(r.code, r.stderr).toBe(0);
}

/** What `kops update cluster --yes` leaves in a store: the completed spec (its store fields), no Statestore marker. */
async function writeKopsCompletedSpec(store: VfsPath, name = NAME): Promise<void> {
  const { cluster } = await new ClusterRegistry(store).getCluster(name);
  await store.join(name, 'cluster-completed.spec').writeFile(stringifyKopsObject(completeStoreSpec(cluster, store.join(name).toString())));
}

function rawS3(): S3Client {
  const m = inject('minio');
  return new S3Client({ endpoint: m.endpoint, region: m.region, forcePathStyle: true, credentials: { accessKeyId: m.accessKeyId, secretAccessKey: m.secretAccessKey } });
}

describe('"State store configuration": --state, then KOPS_STATE_STORE, then $HOME/.kops.yaml, then $HOME/.kops/config', () => {
  it('each place is used when the ones before it are unset, with s3:// stores on a stock MinIO', async () => {
    const user = newUser();
    const stores: Record<string, string> = {};
    for (const place of ['flag', 'env', 'yaml', 'config']) {
      stores[place] = `s3://${await newS3Bucket(`prio-${place}`)}/kops`;
      await createCluster(user, stores[place]!, `${place}.example.com`);
    }
    writeFileSync(path.join(user.home, '.kops.yaml'), `kops_state_store: ${stores.yaml}\n`);
    mkdirSync(path.join(user.home, '.kops'));
    writeFileSync(path.join(user.home, '.kops', 'config'), `kops_state_store: ${stores.config}\n`);

    expect(await clusterNames({ ...user, env: { KOPS_STATE_STORE: stores.env } }, ['--state', stores.flag!])).toEqual(['flag.example.com']);
    expect(await clusterNames({ ...user, env: { KOPS_STATE_STORE: stores.env } })).toEqual(['env.example.com']);
    expect(await clusterNames(user)).toEqual(['yaml.example.com']);
    rmSync(path.join(user.home, '.kops.yaml'));
    expect(await clusterNames(user)).toEqual(['config.example.com']);
  });

  it('an unset variable (s3://$BUCKET) or a typo in any of them is refused, and no local folder appears', async () => {
    const user = newUser();
    for (const typo of ['s3://', 's3:/my-bucket/kops', 's3']) {
      const fromEnv = await statestore({ ...user, env: { KOPS_STATE_STORE: typo } }, ['create', 'cluster', NAME, ...ZONES]);
      expect(fromEnv.code, typo).toBe(1);
      expect(fromEnv.stderr, typo).toContain('Invalid URL');
      writeFileSync(path.join(user.home, '.kops.yaml'), `kops_state_store: ${typo}\n`);
      const fromFile = await statestore(user, ['get', 'clusters']);
      expect(fromFile.code, typo).toBe(1);
      expect(fromFile.stderr, typo).toContain('Invalid URL');
    }
    expect(readdirSync(user.cwd)).toEqual([]);
  });
});

describe('"Options you specify on the command line are merged into the existing configuration"', () => {
  it('create cluster again with --node-size=m4.large changes the nodes machine type and nothing else; the stock server is written without SSE, said once', async () => {
    const user = newUser();
    const state = `s3://${await newS3Bucket('merge')}/kops`;
    const first = await statestore(user, ['create', 'cluster', NAME, ...ZONES, '--state', state]);
    expect(first.code, first.stderr).toBe(0);
    expect(count(first.stderr, SSE_NOTICE)).toBe(1);
    const folder = await open(`${state}/${NAME}`);
    const before = await treeHashes(folder);

    const again = await statestore(user, ['create', 'cluster', NAME, '--node-size', 'm4.large', '--state', state]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Merged into cluster ${NAME}`);
    // Decided once per endpoint and bucket, remembered in the user's cache: not said again.
    expect(again.stderr).not.toContain(SSE_NOTICE);

    const after = await treeHashes(folder);
    const changed = Object.keys(after).filter((key) => after[key] !== before[key]);
    expect(changed.sort()).toEqual(['instancegroup/nodes-us-east-1a', 'instancegroup/nodes-us-east-1b']);
    for (const ig of changed) expect(await folder.join(ig).readText()).toContain('machineType: m4.large');
    const head = await rawS3().send(new HeadObjectCommand({ Bucket: state.slice('s3://'.length).split('/')[0]!, Key: `kops/${NAME}/config` }));
    expect(head.ServerSideEncryption).toBeUndefined();
  });
});

describe('"Local filesystem state stores": review changes on a local copy without touching the production state bucket', () => {
  async function production(): Promise<{ url: string; store: VfsPath }> {
    const url = `s3://${await newS3Bucket('prod')}/kops`;
    await createCluster(newUser(), url);
    const store = await open(url);
    await writeKopsCompletedSpec(store);
    return { url, store };
  }

  it('copy down (sync), replace, update without --yes: production is neither read nor written; update --yes points to migrate', async () => {
    const prod = await production();
    const before = await treeHashes(prod.store);
    const review = tempDir('review');
    // "download the contents of the state bucket to a local directory (using aws s3 sync or similar)"
    const copied = await statestore(newUser(), ['sync', prod.url, `file://${review}`]);
    expect(copied.code, copied.stderr).toBe(0);

    // From here on production cannot be reached at all: reading it would fail the review.
    const reviewer = newUser({ s3Endpoint: `http://127.0.0.1:${await freePort()}` });
    const state = ['--state', `file://${review}`];
    const yaml = await statestore(reviewer, ['get', 'cluster', NAME, '-o', 'yaml', ...state]);
    expect(yaml.code, yaml.stderr).toBe(0);
    const change = path.join(reviewer.cwd, 'untrusted-change.yaml');
    writeFileSync(change, yaml.stdout.replace(/kubernetesVersion: .*/, 'kubernetesVersion: 1.35.4'));
    const replaced = await statestore(reviewer, ['replace', '-f', change, ...state]);
    expect(replaced.code, replaced.stderr).toBe(0);

    const dry = await statestore(reviewer, ['update', 'cluster', NAME, ...state]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`Reading cluster-completed.spec from this local copy (${review}/${NAME}), not from configBase ${prod.url}/${NAME}`);
    // The review shows the change made on the copy against the completed spec kops wrote in production.
    expect(dry.stdout).toContain('+  kubernetesVersion: 1.35.4');
    expect(dry.stderr).toContain('Must specify --yes to apply changes');

    const yes = await statestore(reviewer, ['update', 'cluster', NAME, '--yes', ...state]);
    expect(yes.code).toBe(1);
    expect(yes.stderr).toContain(`statestore migrate ${NAME} --state file://${review} --to s3://BUCKET`);

    expect(await treeHashes(prod.store)).toEqual(before);
    expect(await (await open(`${review}/${NAME}/config`)).readText()).toContain('kubernetesVersion: 1.35.4');
  });

  it('statestore export makes the copy; a dry run against it reads nothing from production', async () => {
    const prod = await production();
    const review = tempDir('review');
    const exported = await statestore(newUser(), ['export', NAME, '--state', prod.url, '--to', `file://${review}`]);
    expect(exported.code, exported.stderr).toBe(0);
    const reviewer = newUser({ s3Endpoint: `http://127.0.0.1:${await freePort()}` });
    const dry = await statestore(reviewer, ['update', 'cluster', NAME, '--state', `file://${review}`]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain('Reading cluster-completed.spec from this local copy');
  });
});

describe('"Moving state between S3 buckets"', () => {
  it('the four steps: copy the cluster folder, point KOPS_STATE_STORE at the new bucket, edit configBase, update; then the old bucket can go', async () => {
    const oldStore = `s3://${await newS3Bucket('old')}/kops`;
    const newStore = `s3://${await newS3Bucket('new')}/kops`;
    await createCluster(newUser(), oldStore);
    await writeKopsCompletedSpec(await open(oldStore));

    // 1. "Recursively copy all files from ${OLD_KOPS_STATE_STORE}/${CLUSTER_NAME} to ${NEW_KOPS_STATE_STORE}/${CLUSTER_NAME}"
    const user = newUser();
    const copied = await statestore(user, ['sync', `${oldStore}/${NAME}`, `${newStore}/${NAME}`]);
    expect(copied.code, copied.stderr).toBe(0);
    // 2. "Update the KOPS_STATE_STORE environment variable to use the new S3 bucket."
    const moved: User = { ...user, env: { KOPS_STATE_STORE: newStore } };
    // 3. "Update .spec.configBase to reference the new s3 bucket."
    const set = await statestore(moved, ['set', 'cluster', NAME, `spec.configBase=${newStore}/${NAME}`]);
    expect(set.code, set.stderr).toBe(0);
    // 4. "Run kops update cluster ${CLUSTER_NAME} --yes": its dry run here shows what changes, read from the new bucket.
    const dry = await statestore(moved, ['update', 'cluster', NAME]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`-  configBase: ${oldStore}/${NAME}`);
    expect(dry.stdout).toContain(`+  configBase: ${newStore}/${NAME}`);

    // "The files in the old bucket are now safe to be deleted."
    const removed = await statestore(user, ['rm', '-r', `${oldStore}/${NAME}`, '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await clusterNames(moved)).toEqual([NAME]);
    expect((await statestore(moved, ['update', 'cluster', NAME])).code).toBe(0);
  });

  it('statestore migrate does it in one step; get clusters in the new bucket ignores a nested copy; vault:// is never the new place', async () => {
    const oldStore = `s3://${await newS3Bucket('old')}/kops`;
    const newStore = `s3://${await newS3Bucket('new')}/kops`;
    await createCluster(newUser(), oldStore);
    const user = newUser();

    const refused = await statestore(user, ['migrate', NAME, '--state', oldStore, '--to', 'vault://127.0.0.1:8200/kv/kops']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("vault:// holds a cluster's secrets and keys only");

    const migrated = await statestore(user, ['migrate', NAME, '--state', oldStore, '--to', newStore]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain(`rewrote spec.configBase: ${oldStore}/${NAME} → ${newStore}/${NAME}`);
    const got = await statestore(user, ['get', 'cluster', NAME, '-o', 'json', '--state', newStore]);
    expect((JSON.parse(got.stdout) as { spec: { configBase: string } }).spec.configBase).toBe(`${newStore}/${NAME}`);

    // A copy of the old folder kept below the new store (an archive) is not a cluster.
    const archived = await statestore(user, ['sync', `${oldStore}/${NAME}`, `${newStore}/archive/${NAME}`]);
    expect(archived.code, archived.stderr).toBe(0);
    expect(await clusterNames(user, ['--state', newStore])).toEqual([NAME]);
  });
});
