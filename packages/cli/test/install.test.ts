/**
 * Installing from this repository: after `bash scripts/bootstrap.sh` (which `npm test` runs first), the
 * command is in the repository's node_modules/.bin, runs from any folder, and finds the workspace's backends.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanEnv, tempDir } from './helpers.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const COMMAND = path.join(REPO, 'node_modules', '.bin', 'statestore');

describe('node_modules/.bin/statestore after bootstrap', () => {
  it('exists, and runs from any folder: its version, and the backends of the workspace', () => {
    expect(existsSync(COMMAND), `${COMMAND} is missing: scripts/bootstrap.sh must link it after the build`).toBe(true);
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'packages/cli/package.json'), 'utf8')) as { version: string };
    const options = { cwd: tempDir('statestore-anywhere-'), env: cleanEnv(), encoding: 'utf8' as const };
    expect(execFileSync(COMMAND, ['--version'], options)).toBe(`statestore ${version}\n`);
    const plugins = JSON.parse(execFileSync(COMMAND, ['plugins', '-o', 'json'], options)) as { plugins: { name: string }[] };
    expect(plugins.plugins.map((p) => p.name)).toEqual(expect.arrayContaining(['@statestore/backend-s3', '@statestore/backend-gcs', '@statestore/backend-k8s']));
  });
});
