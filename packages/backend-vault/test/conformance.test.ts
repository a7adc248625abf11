/**
 * The shared conformance suite against a real OpenBao dev server (token auth, KV v2 at secret/), with a small
 * page size so that listings cross many pages. Each test gets a fresh run-<uuid> folder; the dev server keeps
 * everything in memory, so nothing needs tearing down.
 */
import { randomUUID } from 'node:crypto';
import { resolvePath } from '@statestore/core';
import { describeConformance } from '@statestore/core/conformance';
import { inject } from 'vitest';
import { freshRoot, openVault, registry, vaultEnv } from './helpers.js';

const server = inject('openbao');
process.stderr.write(`[backend-vault] conformance against ${server.version} at ${server.address}\n`);

describeConformance(`vault:// against ${server.version}`, async () => ({
  newRoot: () => freshRoot(server, { listPageSize: 7 }),
  missingStore: () => openVault(server, 'run', { mount: `missing-${randomUUID()}` }),
  resolve: (url) => resolvePath(url, { registry, env: vaultEnv(server) }),
}));
