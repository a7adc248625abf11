/**
 * What the `statestore` executable loads, asserted on module lists (never on timings; speed is measured by
 * bench/cli-cold-start.mjs): a child process records every ES module it resolves and every CommonJS file it
 * requires. `--version` and the list of commands load nothing of @statestore/core; `get clusters` on file://
 * loads no cloud SDK, no backend, no proxy agent and nothing of sync; on s3:// (a real MinIO) it loads the S3
 * backend only, and not the multipart-upload library a read never needs.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMinioBucket, startMinio, type RunningMinio } from '@statestore/testkit/minio';
import { modulesLoadedBy } from '@statestore/testkit/module-loads';
import { BIN, cleanEnv, runCli, tempDir } from './helpers.js';

const WORKSPACE_PACKAGES = path.resolve(path.dirname(BIN), '..', '..');

/** The package a module URL belongs to: the last node_modules entry, else the workspace package (core → @statestore/core). */
function packageOf(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const file = decodeURIComponent(new URL(url).pathname);
  const inModules = file.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const parts = file.slice(inModules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (file.startsWith(`${WORKSPACE_PACKAGES}/`)) return `@statestore/${file.slice(WORKSPACE_PACKAGES.length + 1).split('/')[0]}`;
  return undefined;
}

function loads(args: readonly string[], env: NodeJS.ProcessEnv) {
  const run = modulesLoadedBy([BIN, ...args], { env });
  expect(run.code, run.stderr).toBe(0);
  const packages = new Set(run.modules.map(packageOf).filter((p): p is string => p !== undefined));
  /** Files of core under dist/<folder>/ that were loaded. */
  const coreFiles = (folder: string) => run.modules.filter((m) => packageOf(m) === '@statestore/core' && m.includes(`/core/dist/${folder}/`));
  return { ...run, packages, coreFiles };
}

const BACKENDS = ['@statestore/backend-s3', '@statestore/backend-gcs', '@statestore/backend-swift', '@statestore/backend-oss', '@statestore/backend-vault', '@statestore/backend-k8s'];
const PROXY_AGENTS = ['https-proxy-agent', 'http-proxy-agent', 'agent-base'];

describe('--version and the list of commands', () => {
  it('--version loads nothing of @statestore/core', () => {
    const run = loads(['--version'], cleanEnv());
    expect(run.stdout).toMatch(/^statestore \d+\.\d+\.\d+/);
    expect(run.packages.has('@statestore/cli')).toBe(true);
    expect([...run.packages]).toEqual(['@statestore/cli']);
  });

  it.each([[['--help']], [['help']]])('%j loads nothing of @statestore/core', (args) => {
    const run = loads(args, cleanEnv());
    expect(run.stdout).toContain('Usage: statestore COMMAND');
    expect([...run.packages]).toEqual(['@statestore/cli']);
  });
});

describe('get clusters on file://', () => {
  let store: string;
  beforeAll(async () => {
    store = `file://${path.join(tempDir(), 'state')}`;
    for (const name of ['a.example.com', 'b.example.com']) {
      const created = await runCli(['create', 'cluster', name, '--zones', 'us-east-1a', '--cloud', 'aws', '--state', store]);
      expect(created.code, created.stderr).toBe(0);
    }
  });

  it('loads its own command module only, no cloud SDK, no backend and no proxy agent', () => {
    const run = loads(['get', 'clusters', '--state', store], cleanEnv());
    expect(run.stdout).toContain('a.example.com');
    expect(run.packages.has('@statestore/core')).toBe(true);
    expect(run.modules.filter((m) => m.includes('/cli/dist/commands/')).map((m) => path.basename(m))).toEqual(['get-clusters.js']);
    // the recorder sees CommonJS files too: yaml's own modules, required by its entry
    expect(run.modules.filter((m) => packageOf(m) === 'yaml').length).toBeGreaterThan(1);
    expect([...run.packages].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
    expect(BACKENDS.filter((b) => run.packages.has(b))).toEqual([]);
    expect(PROXY_AGENTS.filter((p) => run.packages.has(p))).toEqual([]);
  });

  // Passes once core's main entry no longer re-exports sync/ (sync, export, diff, migrate, verify): the CLI's
  // sync commands then import it from its own entry.
  it('loads nothing of sync', () => {
    const run = loads(['get', 'clusters', '--state', store], cleanEnv());
    expect(run.stdout).toContain('a.example.com');
    expect(run.coreFiles('sync')).toEqual([]);
  });
});

describe('get clusters on s3:// (MinIO)', () => {
  let minio: RunningMinio;
  let env: NodeJS.ProcessEnv;
  const store = 's3://module-lists/kops';
  beforeAll(async () => {
    minio = await startMinio();
    await createMinioBucket(minio, 'module-lists');
    env = cleanEnv({ S3_ENDPOINT: minio.endpoint, S3_REGION: minio.region, S3_ACCESS_KEY_ID: minio.accessKeyId, S3_SECRET_ACCESS_KEY: minio.secretAccessKey, STATESTORE_CACHE: tempDir() });
    const created = await runCli(['create', 'cluster', 'a.example.com', '--zones', 'us-east-1a', '--cloud', 'aws', '--state', store], { env });
    expect(created.code, created.stderr).toBe(0);
  });
  afterAll(() => minio?.stop());

  it('loads the S3 backend only, without its multipart upload or a proxy agent', () => {
    const run = loads(['get', 'clusters', '--state', store], env);
    expect(run.stdout).toContain('a.example.com');
    expect(run.packages.has('@statestore/backend-s3')).toBe(true);
    expect(run.packages.has('@aws-sdk/client-s3')).toBe(true);
    expect(BACKENDS.filter((b) => b !== '@statestore/backend-s3' && run.packages.has(b))).toEqual([]);
    expect(run.modules.filter((m) => m.includes('/backend-s3/dist/multipart-upload.js'))).toEqual([]);
    expect(PROXY_AGENTS.filter((p) => run.packages.has(p))).toEqual([]);
  });
});
