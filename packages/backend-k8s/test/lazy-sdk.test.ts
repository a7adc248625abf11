/**
 * `open` is cheap: opening and describing k8s:// stores loads no @kubernetes/client-node module; the first
 * real request does. A child process records every module it resolves through a loader hook (built dist/).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modulesResolvedBy } from '@statestore/testkit/module-loads';
import { kube } from './helpers.js';

const dist = path.resolve(import.meta.dirname, '../dist/index.js');
const resolvedModules = (script: string) => modulesResolvedBy(script, path.dirname(dist)).resolved;

describe('lazy SDK', () => {
  it('opening and describing load no @kubernetes module; the first request does', () => {
    expect(existsSync(dist), 'build the package first (pnpm --filter @statestore/backend-k8s build)').toBe(true);
    const setup = `
      const { parseUrl } = await import('@statestore/core');
      const plugin = (await import(${JSON.stringify(pathToFileURL(dist).href)})).default;
      const context = { env: { KUBECONFIG: ${JSON.stringify(kube().kubeconfig)} }, options: {}, warn() {} };
      const url = parseUrl('k8s://${kube().namespace}/lazy/config');
      const { backend, key } = await plugin.open(url, context);
      await plugin.describe(url, context);
      backend.urlFor(key);`;
    const opened = resolvedModules(setup);
    expect(opened.some((u) => u.includes('/backend-k8s/dist/k8s-backend.js'))).toBe(true);
    expect(opened.filter((u) => u.includes('/node_modules/@kubernetes/'))).toEqual([]);
    const used = resolvedModules(`${setup}\n      await backend.stat(key);`);
    expect(used.some((u) => u.includes('/node_modules/@kubernetes/client-node/'))).toBe(true);
  });
});
