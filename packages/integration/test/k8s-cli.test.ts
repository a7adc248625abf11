/**
 * k8s:// from the command line, end to end against kube-apiserver (as the least-privilege test user) and
 * MinIO: create, get, set and update a cluster kept in Secrets; sync it to s3:// and compare; migrate it
 * s3:// → k8s:// (with the warning that nodes cannot read it) and k8s:// → s3://. `update cluster --yes` is
 * refused on k8s:// with the reason. The built CLI runs as a child process, finding its backends from here.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { newS3Bucket, serverEnv, tempDir } from './helpers.js';

const CLI = path.resolve(import.meta.dirname, '../../cli/dist/bin.js');
const CLUSTER = 'demo.example.com';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `statestore` with the servers' variables and the test kubeconfig (never ~/.kube/config). */
function statestore(args: string[]): Run {
  const env = { PATH: process.env.PATH, HOME: tempDir('k8s-cli-home'), NO_COLOR: '1', KUBECONFIG: inject('kube').kubeconfig, ...serverEnv() };
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 110_000 });
  for (const token of Object.values(inject('kube').tokens)) expect(r.stdout + r.stderr).not.toContain(token);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[]): Run {
  const r = statestore(args);
  expect(r.code, `statestore ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

describe('k8s:// with the CLI', () => {
  it('create, get, set and update a cluster in k8s://; --yes is refused there', () => {
    const state = ['--state', `k8s://${inject('kube').namespace}/cli-${randomUUID().slice(0, 8)}`];
    ok(['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws', ...state]);
    expect(ok(['get', 'clusters', ...state]).stdout).toContain(CLUSTER);
    ok(['set', 'cluster', CLUSTER, 'spec.kubernetesVersion=1.35.1', ...state]);
    const json = JSON.parse(ok(['get', 'cluster', CLUSTER, '-o', 'json', ...state]).stdout) as { spec: { kubernetesVersion: string; configBase?: string } };
    expect(json.spec.kubernetesVersion).toBe('1.35.1');
    expect(ok(['update', 'cluster', CLUSTER, ...state]).stderr).toContain('Must specify --yes to apply changes (--yes is refused on a k8s:// store: move the cluster to a bucket first');
    const yes = statestore(['update', 'cluster', CLUSTER, '--yes', ...state]);
    expect(yes.code).toBe(1);
    expect(yes.stderr).toContain(`update cluster --yes is refused for a k8s:// store (${state[1]}): kops cannot read Kubernetes Secrets as a state store`);
    expect(ok(['ls', '-R', ...state]).stdout).not.toContain('cluster-completed.spec');
  });

  it('sync k8s:// → s3:// and back compares equal; migrate s3:// → k8s:// warns; migrate k8s:// → s3:// moves it', async () => {
    const k8s = `k8s://${inject('kube').namespace}/sync-${randomUUID().slice(0, 8)}`;
    const s3 = `s3://${await newS3Bucket('k8s')}/kops`;
    ok(['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws', '--state', k8s]);
    ok(['sync', k8s, s3]);
    expect(statestore(['diff', k8s, s3]).code).toBe(0);
    expect(ok(['get', 'clusters', '--state', s3]).stdout).toContain(CLUSTER);
    ok(['set', 'cluster', CLUSTER, 'spec.kubernetesVersion=1.35.2', '--state', s3]);
    expect(statestore(['diff', k8s, s3]).code).toBe(1);
    ok(['sync', s3, k8s]);
    expect(statestore(['diff', k8s, s3]).code).toBe(0);

    const moved = `k8s://${inject('kube').namespace}/moved-${randomUUID().slice(0, 8)}`;
    const toK8s = ok(['migrate', CLUSTER, '--state', s3, '--to', moved]);
    expect(toK8s.stderr).toContain(`${moved}/${CLUSTER} is a k8s:// store: kops cannot read Kubernetes Secrets as a state store`);
    const there = JSON.parse(ok(['get', 'cluster', CLUSTER, '-o', 'json', '--state', moved]).stdout) as { spec: { kubernetesVersion: string } };
    expect(there.spec.kubernetesVersion).toBe('1.35.2');

    const back = `s3://${await newS3Bucket('back')}/kops`;
    const toS3 = ok(['migrate', CLUSTER, '--state', moved, '--to', back]);
    expect(toS3.stderr).not.toContain('k8s:// store');
    expect(toS3.stdout).toContain(`${CLUSTER} is now at ${back}/${CLUSTER}`);
    expect(ok(['get', 'clusters', '--state', back]).stdout).toContain(CLUSTER);
  });
});
