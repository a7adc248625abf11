/**
 * fake-gcs-server as a local process for the gs:// suites: the pinned build from
 * scripts/install-test-servers.sh, plain HTTP on a free 127.0.0.1 port, in-memory storage. Upload session
 * URLs point back at the same address (-external-url, -public-host), so resumable uploads never leave
 * 127.0.0.1. Prints the version (read from the binary's Go build info) and the server's start line.
 */
import { readFileSync } from 'node:fs';
import { freePort, httpStatus, installedBinary, startProcess } from './server-process.js';

/** The release scripts/install-test-servers.sh builds (FAKE_GCS_VERSION there). */
export const FAKE_GCS_VERSION = 'v1.56.1';

const MODULE = 'github.com/fsouza/fake-gcs-server';

/** What a test needs to reach the running server. Plain data, so vitest's `provide` can pass it to workers. */
export interface FakeGcsInfo {
  /** `http://127.0.0.1:PORT`: the value for STORAGE_EMULATOR_HOST. */
  endpoint: string;
  /** Module version embedded in the binary, e.g. `v1.56.1`. */
  version: string;
}

export interface RunningFakeGcs extends FakeGcsInfo {
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** The module version a Go binary was built from, from the build info the Go linker embeds in it. */
export function goModuleVersion(binary: string, module: string): string {
  const text = readFileSync(binary).toString('latin1');
  const match = new RegExp(`\\bmod\\t${module.replace(/[.]/g, '\\.')}\\t(\\S+)`).exec(text);
  return match?.[1] ?? 'unknown';
}

/** Starts fake-gcs-server and waits until /_internal/healthcheck answers 200. Throws (never skips) when it cannot start. */
export async function startFakeGcs(): Promise<RunningFakeGcs> {
  const binary = installedBinary(`bin/fake-gcs-server-${FAKE_GCS_VERSION}`, 'gcs');
  const version = goModuleVersion(binary, MODULE);
  process.stderr.write(`[testkit] fake-gcs-server ${version} (${binary})\n`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = await startProcess({
    name: `fake-gcs-server on ${endpoint}`,
    command: binary,
    args: [
      '-scheme', 'http',
      '-host', '127.0.0.1',
      '-port', String(port),
      '-backend', 'memory',
      '-external-url', endpoint,
      '-public-host', `127.0.0.1:${port}`,
      '-log-level', 'info',
    ],
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    ready: async () => (await httpStatus(`${endpoint}/_internal/healthcheck`)) === 200,
  });
  const startLine = proc
    .output()
    .split('\n')
    .find((line) => line.includes('server started'));
  process.stderr.write(`[testkit] fake-gcs-server ${version}: ${startLine?.trim() ?? `answering at ${endpoint}`}\n`);
  return { endpoint, version, output: proc.output, stop: proc.stop };
}
