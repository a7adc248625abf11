/**
 * Install only what you need, proven from the outside: every published package is packed as `pnpm
 * publish` would pack it and checked (exports, types, files, licence, changelog, peer dependency on
 * core); then, in empty folders outside the workspace, plain `npm` installs only the CLI plus one backend
 * (backend-s3, then backend-k8s) from the tarballs in one command (core comes as a tarball too, so nothing
 * of ours is fetched from a registry), and the installed `statestore` is used the way a user would use it.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { kubeRequest } from '@statestore/testkit/kube-apiserver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type InstalledPackage, installedPackages, guardedUserEnv, npmInstall, npmVersion, resolvedFrom, statestore } from './clean-folder.js';
import { type PublishedPackage, pack, publishedPackages } from './published-packages.js';
import { tarballFiles, tarballText } from './tarball.js';

const PACKAGES = publishedPackages();
/** What the user installs: the CLI and one backend (core as a tarball too, so npm takes ours). */
const INSTALLED = ['@statestore/cli', '@statestore/backend-s3', '@statestore/core'];
/** The cloud SDKs of the backends that are not installed; none may reach the disk. */
const OTHER_SDKS = ['@google-cloud/storage', 'ali-oss', 'node-vault', '@azure/storage-blob', '@aws-sdk/credential-providers', '@kubernetes/client-node'];
const OTHER_SDK_SCOPES = ['@google-cloud/', '@azure/', '@kubernetes/'];
/** The second install: the CLI and backend-k8s. */
const INSTALLED_K8S = ['@statestore/cli', '@statestore/backend-k8s', '@statestore/core'];
const NOT_K8S_SDKS = ['@google-cloud/storage', 'ali-oss', 'node-vault', '@azure/storage-blob', '@aws-sdk/client-s3', '@aws-sdk/credential-providers'];
const NOT_K8S_SDK_SCOPES = ['@google-cloud/', '@azure/', '@aws-sdk/'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'statestore-packaging-'));
const tarballs = new Map<string, string>();

beforeAll(() => {
  const destination = path.join(tmp, 'packs');
  mkdirSync(destination);
  for (const pkg of PACKAGES) tarballs.set(pkg.name, pack(pkg, destination));
  process.stderr.write(`[packaging] packed ${tarballs.size} packages: ${[...tarballs.values()].map((t) => path.basename(t)).join(', ')}\n`);
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface Manifest {
  name: string;
  version: string;
  license?: string;
  type?: string;
  engines?: { node?: string };
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  statestore?: { schemes?: string[] };
}

describe('every published package packs cleanly', () => {
  it('finds the packages to publish: core, the CLI and every backend', () => {
    const names = PACKAGES.map((p) => p.name);
    for (const n of ['@statestore/core', '@statestore/cli', '@statestore/backend-s3', '@statestore/backend-gcs', '@statestore/backend-swift', '@statestore/backend-oss', '@statestore/backend-vault', '@statestore/backend-k8s', 'statestore-backend-azureblob']) {
      expect(names).toContain(n);
    }
  });

  it.each(PACKAGES.map((p) => [p.name, p] as const))('%s', (_name, pkg: PublishedPackage) => {
    const tarball = tarballs.get(pkg.name)!;
    const files = tarballFiles(tarball);
    const manifestText = tarballText(tarball, 'package.json');
    const manifest = JSON.parse(manifestText) as Manifest;

    expect(manifest.name).toBe(pkg.name);
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.type).toBe('module');
    expect(manifest.engines?.node).toMatch(/^>=20/);
    expect(manifestText, 'workspace: ranges must be replaced when packing').not.toContain('workspace:');

    // Licence, readme and changelog ship with the code.
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md']) expect(files, f).toContain(f);
    const licence = tarballText(tarball, 'LICENSE');
    expect(licence).toContain('Apache License');
    expect(licence).toContain('Version 2.0, January 2004');
    expect(tarballText(tarball, 'CHANGELOG.md').split('\n')[0]).toBe(`# ${pkg.name}`);
    expect(tarballText(tarball, 'README.md').length).toBeGreaterThan(300);

    // Every entry point exists, with its types; nothing of the tests or sources ships.
    const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})];
    for (const entry of Object.values(manifest.exports ?? {})) targets.push(...(typeof entry === 'string' ? [entry] : Object.values(entry)));
    for (const t of targets.filter((t): t is string => typeof t === 'string')) expect(files, t).toContain(t.replace(/^\.\//, ''));
    const root = manifest.exports?.['.'] as Record<string, string> | undefined;
    expect(root?.types).toMatch(/\.d\.ts$/);
    expect(root?.import).toMatch(/\.js$/);
    expect(files.filter((f) => /\.test\.|(^|\/)(src|test)\/|tsconfig|vitest\.config/.test(f))).toEqual([]);

    if (pkg.kind === 'backend') {
      // One copy of the contract at run time: core is a peer, never a dependency.
      expect(manifest.peerDependencies?.['@statestore/core']).toMatch(/^\^?\d+\.\d+\.\d+$/);
      expect(manifest.dependencies?.['@statestore/core']).toBeUndefined();
      expect(manifest.statestore?.schemes?.length).toBeGreaterThan(0);
    }
    if (pkg.kind === 'cli') {
      expect(manifest.dependencies?.['@statestore/core']).toMatch(/^\^?\d+\.\d+\.\d+$/);
      expect(Object.keys(manifest.dependencies ?? {}).filter((d) => /backend/.test(d)), 'backends are optional installs, never CLI dependencies').toEqual([]);
      for (const bin of Object.values(manifest.bin ?? {})) expect(tarballText(tarball, bin.replace(/^\.\//, '')).startsWith('#!/usr/bin/env node')).toBe(true);
    }
  });
});

describe('npm install of the CLI plus backend-s3 from tarballs, in an empty folder outside the workspace', () => {
  const folder = path.join(tmp, 'clean');
  const minio = inject('minio');
  const bucket = `packaging-${randomUUID().slice(0, 8)}`;
  const s3Env = { S3_ENDPOINT: minio.endpoint, S3_REGION: minio.region, S3_ACCESS_KEY_ID: minio.accessKeyId, S3_SECRET_ACCESS_KEY: minio.secretAccessKey, HOME: path.join(tmp, 'home') };
  let installed: InstalledPackage[];

  beforeAll(async () => {
    mkdirSync(folder);
    mkdirSync(s3Env.HOME);
    const { seconds } = npmInstall(folder, INSTALLED.map((name) => tarballs.get(name)!));
    installed = installedPackages(folder);
    process.stderr.write(`[packaging] npm ${npmVersion()} installed ${INSTALLED.join(', ')} from tarballs in ${seconds.toFixed(1)} s: ${installed.length} packages on disk\n`);
    const s3 = new S3Client({ endpoint: minio.endpoint, region: minio.region, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
  });

  it('puts exactly our three packages on disk, each from its tarball, with one copy of core', () => {
    const ours = installed.filter((p) => p.name.startsWith('@statestore/') || p.name.includes('statestore-backend-'));
    expect(ours.map((p) => p.name).sort()).toEqual([...INSTALLED].sort());
    const from = resolvedFrom(folder);
    for (const p of ours) expect(from.get(p.dir), p.name).toBe(`file:${path.relative(folder, tarballs.get(p.name)!)}`);
  });

  it("puts nothing of the other backends' SDKs on disk", () => {
    // The list above is the other backends' own SDKs, as their packed manifests declare them.
    const others = PACKAGES.filter((p) => p.kind === 'backend' && !INSTALLED.includes(p.name));
    const declared = new Set(others.flatMap((p) => Object.keys((JSON.parse(tarballText(tarballs.get(p.name)!, 'package.json')) as Manifest).dependencies ?? {})));
    for (const sdk of OTHER_SDKS) expect(declared, `${sdk} is a dependency of a backend that is not installed`).toContain(sdk);
    const names = installed.map((p) => p.name);
    expect(names.filter((n) => OTHER_SDKS.includes(n) || OTHER_SDK_SCOPES.some((s) => n.startsWith(s)) || others.some((o) => o.name === n))).toEqual([]);
  });

  it('`statestore plugins` lists exactly what was installed, plus the built-in file and memfs', () => {
    const r = statestore(folder, ['plugins', '-o', 'json'], s3Env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { plugins, notInstalled } = JSON.parse(r.stdout) as { plugins: { name: string; schemes: string[]; builtIn: boolean }[]; notInstalled: { package: string }[] };
    const external = plugins.filter((p) => !p.builtIn);
    expect(external.map((p) => p.name)).toEqual(['@statestore/backend-s3']);
    expect(external[0]!.schemes).toEqual(['s3', 'do', 'linode', 'hos', 'scw']);
    expect(plugins.filter((p) => p.builtIn).flatMap((p) => p.schemes).sort()).toEqual(['file', 'memfs']);
    expect(notInstalled.map((m) => m.package).sort()).toEqual(['@statestore/backend-gcs', '@statestore/backend-k8s', '@statestore/backend-oss', '@statestore/backend-swift', '@statestore/backend-vault']);
    const text = statestore(folder, ['plugins'], s3Env);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('@statestore/backend-s3');
    for (const other of ['backend-gcs', 'backend-swift', 'backend-oss', 'backend-vault', 'backend-k8s', 'azureblob']) expect(text.stdout).not.toContain(other);
  });

  it('the installed scheme works against MinIO: create a cluster in s3://, list it, read it back', async () => {
    const state = `s3://${bucket}/store`;
    const created = statestore(folder, ['create', 'cluster', 'demo.k8s.local', '--zones', 'us-east-1a', '--state', state], s3Env);
    expect(created.stderr + created.stdout).not.toMatch(/not installed/);
    expect(created.status).toBe(0);
    const listed = statestore(folder, ['get', 'clusters', '--state', state], s3Env);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('demo.k8s.local');
    const cat = statestore(folder, ['cat', `${state}/demo.k8s.local/config`], s3Env);
    expect(cat.status).toBe(0);
    expect(cat.stdout).toContain('kind: Cluster');
    // It really is in MinIO, where an S3 client finds it.
    const s3 = new S3Client({ endpoint: minio.endpoint, region: minio.region, forcePathStyle: true, credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey } });
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'store/demo.k8s.local/config' }));
    expect(await object.Body!.transformToString()).toBe(cat.stdout);
    s3.destroy();
  });

  it('the installed core finds the backend from a program in that folder too', () => {
    const script = `
      const { resolvePath } = await import('@statestore/core');
      const f = await resolvePath('s3://${bucket}/library/hello.txt');
      await f.writeFile('hello from a program');
      console.log(await f.readText());`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: folder, env: guardedUserEnv(s3Env), encoding: 'utf8' });
    expect(out.trim()).toBe('hello from a program');
  });

  it('a CommonJS program in that folder can require the installed core', () => {
    const script = `
      const { resolvePath } = require('@statestore/core');
      (async () => {
        const f = await resolvePath('s3://${bucket}/library/from-require.txt');
        await f.writeFile('hello from require');
        console.log(await f.readText());
      })();`;
    writeFileSync(path.join(folder, 'program.cjs'), script);
    const out = execFileSync(process.execPath, ['program.cjs'], { cwd: folder, env: guardedUserEnv(s3Env), encoding: 'utf8' });
    expect(out.trim()).toBe('hello from require');
  });

  it.each([
    ['gs', '@statestore/backend-gcs'],
    ['swift', '@statestore/backend-swift'],
    ['oss', '@statestore/backend-oss'],
    ['vault', '@statestore/backend-vault'],
    ['k8s', '@statestore/backend-k8s'],
  ])('an uninstalled scheme (%s://) fails with the exact line to install it', (scheme, pkg) => {
    const r = statestore(folder, ['ls', `${scheme}://somewhere/path/`], s3Env);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').some((line) => line.trim().endsWith(`npm install ${pkg}`))).toBe(true);
  });

  it('azureblob:// (we publish no backend for it) names the example plugin, and no npm install line', () => {
    const r = statestore(folder, ['ls', 'azureblob://account/container/'], s3Env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('examples/statestore-backend-azureblob');
    expect(r.stderr).not.toContain('npm install');
  });
});

describe('npm install of the CLI plus backend-k8s from tarballs, in an empty folder outside the workspace', () => {
  const folder = path.join(tmp, 'clean-k8s');
  const kube = inject('kube');
  // Only the test kubeconfig (the least-privilege user), never ~/.kube/config: HOME is an empty folder.
  const k8sEnv = { KUBECONFIG: kube.kubeconfig, HOME: path.join(tmp, 'home-k8s') };
  let installed: InstalledPackage[];

  beforeAll(() => {
    mkdirSync(folder);
    mkdirSync(k8sEnv.HOME);
    const { seconds } = npmInstall(folder, INSTALLED_K8S.map((name) => tarballs.get(name)!));
    installed = installedPackages(folder);
    process.stderr.write(`[packaging] npm installed ${INSTALLED_K8S.join(', ')} from tarballs in ${seconds.toFixed(1)} s: ${installed.length} packages on disk\n`);
  });

  it('puts exactly our three packages on disk, and none of the other backends or their SDKs', () => {
    const ours = installed.filter((p) => p.name.startsWith('@statestore/') || p.name.includes('statestore-backend-'));
    expect(ours.map((p) => p.name).sort()).toEqual([...INSTALLED_K8S].sort());
    expect(installed.map((p) => p.name)).toContain('@kubernetes/client-node');
    const names = installed.map((p) => p.name);
    expect(names.filter((n) => NOT_K8S_SDKS.includes(n) || NOT_K8S_SDK_SCOPES.some((s) => n.startsWith(s)))).toEqual([]);
  });

  it('`statestore plugins` lists backend-k8s only, and k8s:// keeps a cluster in Secrets of the namespace', async () => {
    const plugins = statestore(folder, ['plugins', '-o', 'json'], k8sEnv);
    expect(plugins.status).toBe(0);
    const listed = (JSON.parse(plugins.stdout) as { plugins: { name: string; builtIn: boolean; schemes: string[] }[] }).plugins.filter((p) => !p.builtIn);
    expect(listed).toEqual([expect.objectContaining({ name: '@statestore/backend-k8s', schemes: ['k8s'] })]);

    const state = `k8s://${kube.namespace}/packaging-${randomUUID().slice(0, 8)}`;
    const created = statestore(folder, ['create', 'cluster', 'demo.k8s.local', '--zones', 'us-east-1a', '--state', state], k8sEnv);
    expect(created.stderr + created.stdout).not.toMatch(/not installed/);
    expect(created.status, created.stderr).toBe(0);
    const clusters = statestore(folder, ['get', 'clusters', '--state', state], k8sEnv);
    expect(clusters.status).toBe(0);
    expect(clusters.stdout).toContain('demo.k8s.local');
    const cat = statestore(folder, ['cat', `${state}/demo.k8s.local/config`], k8sEnv);
    expect(cat.status).toBe(0);
    expect(cat.stdout).toContain('kind: Cluster');
    // It really is a Secret in the namespace, where the API server finds it.
    const secrets = await kubeRequest(kube, kube.tokens.admin, 'GET', `/api/v1/namespaces/${kube.namespace}/secrets?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dstatestore`);
    const files = (secrets.body as { items: { type: string; metadata: { annotations: Record<string, string> } }[] }).items;
    const config = files.find((s) => s.metadata.annotations['statestore/key'] === `${state.split('/').pop()}/demo.k8s.local/config`);
    expect(config?.type).toBe('statestore/file');
  });
});
