/**
 * The k8s:// URL grammar and the connection kubectl would use: KUBECONFIG (merged, first file wins), else
 * $HOME/.kube/config, never anything when neither exists outside a pod; `?context=NAME` picks a context and
 * survives canonical URLs. Opening is offline: a missing kubeconfig context fails on the first request.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isInvalidConfig, isInvalidUrl, isPermissionDenied, parseUrl, pathForBackend } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import plugin, { K8sBackend, connectionFrom, createClient, formatK8sUrl, parseK8sUrl } from '../src/index.js';
import { describeConnection } from '../src/config.js';
import { kube, newNamespace, openK8s } from './helpers.js';

const context = (env: NodeJS.ProcessEnv) => ({ env, options: {}, warn: () => undefined });
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'statestore-k8s-config-'));

describe('k8s:// URLs', () => {
  it('name a namespace and a key, with an optional ?context=NAME at the end', () => {
    expect(parseK8sUrl(parseUrl('k8s://kops-state/c.example.com/config'))).toEqual({ namespace: 'kops-state', key: 'c.example.com/config' });
    expect(parseK8sUrl(parseUrl('k8s://kops-state'))).toEqual({ namespace: 'kops-state', key: '' });
    expect(parseK8sUrl(parseUrl('k8s://kops-state/a/b?context=admin%40prod'))).toEqual({ namespace: 'kops-state', key: 'a/b', context: 'admin@prod' });
    expect(parseK8sUrl(parseUrl('k8s://kops-state/what%3Fnow'))).toEqual({ namespace: 'kops-state', key: 'what?now' });
  });

  it('print canonically and parse back to the same place', () => {
    for (const [location, key] of [
      [{ namespace: 'ns' }, 'a/question?mark/per%cent'],
      [{ namespace: 'ns', context: 'arn:aws:eks:eu-west-1:1:cluster/x' }, 'c/config'],
    ] as const) {
      const url = formatK8sUrl(location, key);
      expect(parseK8sUrl(parseUrl(url))).toEqual({ ...location, key });
    }
  });

  it('refuse what is not a namespace, and queries other than ?context=', () => {
    for (const url of ['k8s://Kops_State/x', `k8s://${'n'.repeat(64)}/x`, 'k8s://-ns/x']) {
      expect(() => parseK8sUrl(parseUrl(url)), url).toThrow(/not a Kubernetes namespace name/);
    }
    expect(() => parseK8sUrl(parseUrl('k8s://ns/x?namespace=y'))).toThrow(/only query k8s:\/\/ understands/);
    expect(() => parseK8sUrl(parseUrl('k8s://ns/x?context='))).toThrow(/needs a kubeconfig context name/);
    expect(isInvalidUrl(thrownBy(() => parseK8sUrl(parseUrl('k8s://BAD/x'))))).toBe(true);
  });
});

describe('the connection', () => {
  it('is KUBECONFIG (existing files, in order), else $HOME/.kube/config', () => {
    const dir = scratch();
    const a = path.join(dir, 'a');
    writeFileSync(a, '{}');
    expect(connectionFrom({ KUBECONFIG: `${path.join(dir, 'missing')}:${a}`, HOME: dir })).toEqual({ kind: 'kubeconfig', files: [a], source: 'KUBECONFIG' });
    mkdirSync(path.join(dir, '.kube'));
    writeFileSync(path.join(dir, '.kube', 'config'), '{}');
    expect(connectionFrom({ HOME: dir }, 'ctx')).toEqual({ kind: 'kubeconfig', files: [path.join(dir, '.kube', 'config')], source: '$HOME/.kube/config', context: 'ctx' });
  });

  it('is an InvalidConfigError naming the places to look when there is none (never a default address)', () => {
    const dir = scratch();
    for (const env of [{ HOME: dir }, {}, { KUBECONFIG: path.join(dir, 'nope') }]) {
      const error = thrownBy(() => connectionFrom(env));
      expect(isInvalidConfig(error)).toBe(true);
      expect((error as Error).message).toMatch(/KUBECONFIG/);
    }
  });

  it('merges KUBECONFIG files as kubectl does: the first to name a context (or the current one) wins', async () => {
    const namespace = await newNamespace('merge');
    const dir = scratch();
    const testConfig = JSON.parse(readFileSync(kube().kubeconfig, 'utf8')) as { contexts: { name: string; context: { cluster: string } }[] };
    // A second file that points the same context names at a dead server: it must lose to the first file.
    const shadow = { ...testConfig, clusters: [{ name: 'test', cluster: { server: 'https://127.0.0.1:1' } }], 'current-context': 'admin' };
    writeFileSync(path.join(dir, 'shadow'), JSON.stringify(shadow));
    const f = await openK8s(`k8s://${namespace}/merged`, { env: { KUBECONFIG: `${kube().kubeconfig}:${path.join(dir, 'shadow')}` } });
    await f.writeFile('first file wins');
    expect(await f.readText()).toBe('first file wins');
    // The current context is the first file's (the least-privilege user), not the second's (admin).
    const elsewhere = await openK8s(`k8s://default/merged`, { env: { KUBECONFIG: `${kube().kubeconfig}:${path.join(dir, 'shadow')}` } });
    expect(isPermissionDenied(await elsewhere.writeFile('x').catch((e: unknown) => e))).toBe(true);
  });

  it('uses ?context=NAME, and an unknown context fails on first use with the contexts it knows', async () => {
    const namespace = await newNamespace('context');
    const admin = await openK8s(`k8s://${namespace}/as-admin?context=admin`);
    await admin.writeFile('written by admin');
    expect(admin.toString()).toBe(`k8s://${namespace}/as-admin?context=admin`);
    expect(await (await openK8s(admin.toString())).readText()).toBe('written by admin');
    const unknown = await openK8s(`k8s://${namespace}/x?context=nope`);
    const e = await unknown.readText().catch((error: unknown) => error);
    expect(isInvalidConfig(e)).toBe(true);
    expect((e as Error).message).toMatch(/no context "nope"; its contexts are: statestore-test, statestore-readonly, admin/);
  });

  it("inside a pod: the service account's token file and CA reach the API server as that account would", async () => {
    const namespace = await newNamespace('in-cluster');
    const dir = scratch();
    writeFileSync(path.join(dir, 'token'), kube().tokens.user);
    writeFileSync(path.join(dir, 'ca.crt'), kube().caPem);
    const port = new URL(kube().server).port;
    const connection = { kind: 'in-cluster', host: '127.0.0.1', port, tokenFile: path.join(dir, 'token'), caFile: path.join(dir, 'ca.crt') } as const;
    const backend = new K8sBackend({ namespace, client: () => createClient(connection), timeoutMs: 30_000 });
    const file = pathForBackend(backend, 'from-a-pod');
    await file.writeFile('written with the service-account token');
    expect(await file.readText()).toBe('written with the service-account token');
    expect(describeConnection(connection)).toBe(`the pod's service account (API server 127.0.0.1:${port})`);
  });

  it('describe names the namespace and the connection, and loads nothing', async () => {
    const facts = await plugin.describe!(parseUrl(`k8s://kops/c/config?context=admin`), context({ KUBECONFIG: kube().kubeconfig }));
    expect(facts).toMatchObject({ namespace: 'kops', connection: `KUBECONFIG (${kube().kubeconfig}), context admin`, maxFileBytes: 1048576, maxKeyBytes: 151 });
    expect(JSON.stringify(facts)).not.toContain(kube().tokens.user);
  });
});
