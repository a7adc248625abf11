/**
 * Behaviour a user of both tools would notice, through the built CLI on file:// stores: kops's
 * validation at every write path (create, set, edit, replace, update), instance groups stored with or
 * without the cluster label as kops stores them per command, `delete cluster --yes` keeping the store
 * root, the admin SSH key, and kops's `get` output (tables, JSON framing, exit code on an empty store).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { KopsYamlDocument, splitKopsDocuments } from '@statestore/core/config';
import { runCli, tempDir } from './helpers.js';

const objects = (yaml: string) => splitKopsDocuments(yaml).map((d, i) => KopsYamlDocument.parse(d, `document ${i + 1}`).toJS());

const NAME = 'parity.example.com';
let dir: string;
let state: string[];
const file = (relative: string) => path.join(dir, NAME, relative);
const read = (relative: string) => readFileSync(file(relative), 'utf8');

beforeEach(() => {
  dir = tempDir('statestore-parity-');
  state = ['--state', `file://${dir}`];
});

const create = (...flags: string[]) => runCli(['create', 'cluster', NAME, '--cloud', 'aws', ...flags, ...state]);

describe("kops's validation at create", () => {
  it('refuses what kops refuses, with its message, and writes nothing', async () => {
    const cases: [string[], string][] = [
      [['--zones', 'us-east-1a,us-west-2a'], 'error Clusters cannot span multiple regions (found zone "us-west-2a", but region is "us-east-1")'],
      [['--zones', 'us-east-1a,us-east-1b', '--control-plane-zones', 'us-east-1a,us-east-1b'], 'Should be an odd number of control-plane-zones for quorum'],
      [['--zones', 'us-east-1a', '--control-plane-count', '4'], 'spec.etcdClusters[0].etcdMembers: Invalid value: 4: Should be an odd number of control-plane-zones'],
      [['--zones', 'us-east-1'], 'Region is not a recognized EC2 region: "us-east-" (check you have specified valid zones?)'],
      [['--zones', 'us-east-1a', '--topology', 'public', '--bastion'], "bastion supports --topology='private' only"],
    ];
    for (const [flags, message] of cases) {
      const r = await create(...flags);
      expect(r.code, flags.join(' ')).toBe(1);
      expect(r.stderr).toContain(message);
    }
    const gossip = await runCli(['create', 'cluster', 'demo.k8s.local', '--cloud', 'aws', '--zones', 'us-east-1a', '--dns', 'public', ...state]);
    expect(gossip.code).toBe(1);
    expect(gossip.stderr).toContain('spec.networking.topology.dns.type: Forbidden: gossip DNS support was removed in kOps 1.37');
    const noDot = await runCli(['create', 'cluster', 'demo', '--cloud', 'aws', '--zones', 'us-east-1a', '--dns', 'public', ...state]);
    expect(noDot.stderr).toContain('Cluster Name must be a fully-qualified DNS name (e.g. --name=mycluster.myzone.com)');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a 310-character name is refused by its rules, not by the file system (ENAMETOOLONG)', async () => {
    const long = `${'a'.repeat(298)}.example.com`;
    expect(long).toHaveLength(310);
    const r = await runCli(['create', 'cluster', long, '--cloud', 'aws', '--zones', 'us-east-1a', ...state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('must be no more than 253 characters');
    expect(r.stderr).not.toContain('ENAMETOOLONG');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("kops's validation at set, edit, replace and update", () => {
  beforeEach(async () => {
    expect((await create('--zones', 'us-east-1a,us-east-1b')).code).toBe(0);
  });
  const spanRegions = 'error Clusters cannot span multiple regions (found zone "us-west-2b", but region is "us-east-1")';

  it('set and edit --set refuse a change kops refuses; the stored config is untouched', async () => {
    const before = read('config');
    const set = await runCli(['set', 'cluster', NAME, 'spec.subnets[1].zone=us-west-2b', ...state]);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain(spanRegions);
    const edit = await runCli(['edit', 'cluster', NAME, '--set', 'spec.etcdClusters[*].etcdMembers[0].name=', ...state]);
    expect(edit.code).toBe(1);
    expect(edit.stderr).toContain('spec.etcdClusters[0].etcdMembers[0].name: Required value: etcdMember did not have name');
    expect(read('config')).toBe(before);
  });

  it('replace refuses a document kops refuses', async () => {
    const changed = path.join(dir, 'changed.yaml');
    writeFileSync(changed, read('config').replace('zone: us-east-1b', 'zone: us-west-2b'));
    const r = await runCli(['replace', '-f', changed, ...state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(spanRegions);
    expect(read('config')).toContain('zone: us-east-1b');
  });

  it('update refuses a stored cluster kops would refuse (written by hand)', async () => {
    writeFileSync(file('config'), read('config').replace('zone: us-east-1b', 'zone: us-west-2b'));
    const r = await runCli(['update', 'cluster', NAME, ...state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(spanRegions);
  });
});

describe('the kops.k8s.io/cluster label, per command as kops writes it', () => {
  const label = `kops.k8s.io/cluster: ${NAME}`;
  /** The groups as kops's create cluster stores them: without the label. */
  const asKopsWroteThem = () => {
    for (const ig of readdirSync(file('instancegroup'))) writeFileSync(file(`instancegroup/${ig}`), read(`instancegroup/${ig}`).replace(`  labels:\n    ${label}\n`, ''));
  };
  beforeEach(async () => {
    expect((await create('--zones', 'us-east-1a')).code).toBe(0);
  });

  it('create cluster and create ig store groups without it; their --dry-run output has it', async () => {
    expect(read('instancegroup/nodes-us-east-1a')).not.toContain(label);
    expect((await runCli(['create', 'ig', 'extra', '--name', NAME, '--subnet', 'us-east-1a', '--no-edit', ...state])).code).toBe(0);
    expect(read('instancegroup/extra')).not.toContain(label);
    const dry = await runCli(['create', 'ig', 'more', '--name', NAME, '--subnet', 'us-east-1a', '--dry-run', '-o', 'yaml', ...state]);
    expect(dry.stdout).toContain(`  creationTimestamp: null\n  labels:\n    ${label}\n  name: more\n`);
  });

  it('get ig -o yaml and -o json show the same object, label included, for a group stored without it', async () => {
    asKopsWroteThem();
    const yaml = await runCli(['get', 'ig', 'nodes-us-east-1a', '--name', NAME, '-o', 'yaml', ...state]);
    const json = await runCli(['get', 'ig', 'nodes-us-east-1a', '--name', NAME, '-o', 'json', ...state]);
    expect(yaml.stdout).toContain(label);
    expect([JSON.parse(json.stdout)]).toEqual(objects(yaml.stdout));
  });

  it('edit ig --set, edit ig in $EDITOR and replace store it (kops reads, adds it, then writes)', async () => {
    asKopsWroteThem();
    expect((await runCli(['edit', 'ig', 'nodes-us-east-1a', '--name', NAME, '--set', 'spec.maxSize=3', ...state])).code).toBe(0);
    expect(read('instancegroup/nodes-us-east-1a')).toContain(label);

    const editor = path.join(dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/machineType: t3.medium/machineType: m5.large/" "$1"\n', { mode: 0o755 });
    const env = { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', EDITOR: editor };
    expect((await runCli(['edit', 'ig', 'control-plane-us-east-1a', '--name', NAME, ...state], { env })).code).toBe(0);
    expect(read('instancegroup/control-plane-us-east-1a')).toContain(`${label}\n  name: control-plane-us-east-1a`);
    expect(read('instancegroup/control-plane-us-east-1a')).toContain('machineType: m5.large');

    expect((await runCli(['create', 'ig', 'extra', '--name', NAME, '--subnet', 'us-east-1a', '--no-edit', ...state])).code).toBe(0);
    asKopsWroteThem();
    const get = await runCli(['get', 'ig', 'extra', '--name', NAME, '-o', 'yaml', ...state]);
    const replaced = path.join(dir, 'extra.yaml');
    writeFileSync(replaced, get.stdout.replace('maxSize: 2', 'maxSize: 4'));
    expect((await runCli(['replace', '-f', replaced, ...state])).code).toBe(0);
    expect(read('instancegroup/extra')).toContain(label);
  });
});

describe('delete cluster --yes', () => {
  it('never removes the store root, even when the cluster was all it held; listing then says no clusters (exit 1, as kops)', async () => {
    expect((await create('--zones', 'us-east-1a')).code).toBe(0);
    const r = await runCli(['delete', 'cluster', NAME, '--yes', ...state]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(dir)).toBe(true);
    // Only the history stays (statestore undelete brings the cluster back from it).
    expect(readdirSync(dir)).toEqual(['.statestore']);
    const list = await runCli(['get', 'clusters', ...state]);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`no clusters found in ${dir}`);
  });

  it('keeps folders outside the cluster', async () => {
    expect((await create('--zones', 'us-east-1a')).code).toBe(0);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expect((await runCli(['delete', 'cluster', NAME, '--yes', ...state])).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['.statestore', 'notes.txt']);
  });
});

describe('--ssh-public-key', () => {
  // generated with ssh-keygen -t ed25519; `ssh-keygen -l -E md5` gives MD5:f6:16:e5:5c:7c:26:ba:48:e3:79:08:aa:f1:99:b5:de
  const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKby93133ClkDfJxUvd+28/O8VLDBVRtmaSDw/u6Vc5K test@statestore\n';

  it('stores the key where kops does (pki/ssh/public/admin/<md5>) and prints it as an SSHCredential on --dry-run', async () => {
    const key = path.join(tempDir('statestore-key-'), 'id.pub');
    writeFileSync(key, KEY);
    expect((await create('--zones', 'us-east-1a', '--ssh-public-key', key)).code).toBe(0);
    expect(read('pki/ssh/public/admin/f616e55c7c26ba48e37908aaf199b5de')).toBe(KEY);
    const dry = await runCli(['create', 'cluster', 'other.example.com', '--cloud', 'aws', '--zones', 'us-east-1a', '--ssh-public-key', key, '--dry-run', '-o', 'yaml', ...state]);
    expect(objects(dry.stdout).at(-1)).toEqual({
      apiVersion: 'kops.k8s.io/v1alpha2',
      kind: 'SSHCredential',
      metadata: { creationTimestamp: null, labels: { 'kops.k8s.io/cluster': 'other.example.com' }, name: 'admin' },
      spec: { publicKey: KEY.trim() },
    });
    writeFileSync(key, 'not a key\n');
    const bad = await runCli(['create', 'cluster', 'bad.example.com', '--cloud', 'aws', '--zones', 'us-east-1a', '--ssh-public-key', key, ...state]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error parsing SSH public key');
  });
});

describe("kops's get output", () => {
  it('-o json: one object alone, a listing as a compact array; GCE clusters have an empty ZONES column', async () => {
    expect((await create('--zones', 'us-east-1a')).code).toBe(0);
    expect((await runCli(['create', 'cluster', 'gce.example.com', '--cloud', 'gce', '--project', 'p', '--zones', 'us-central1-a', ...state])).code).toBe(0);
    const list = await runCli(['get', 'clusters', '-o', 'json', ...state]);
    expect(list.stdout).toMatch(/^\[\{"apiVersion":"kops.k8s.io\/v1alpha2".*\}\n,\{.*\}\n\]$/s);
    expect((JSON.parse(list.stdout) as { metadata: { name: string } }[]).map((c) => c.metadata.name)).toEqual(['gce.example.com', NAME]);
    const one = await runCli(['get', 'cluster', NAME, '-o', 'json', ...state]);
    expect(one.stdout.split('\n')).toHaveLength(2);
    expect((JSON.parse(one.stdout) as { metadata: { name: string } }).metadata.name).toBe(NAME);
    expect((await runCli(['get', 'clusters', ...state])).stdout).toBe(`NAME\t\t\tCLOUD\tZONES\ngce.example.com\t\tgce\t\n${NAME}\taws\tus-east-1a\n`);
  });
});
