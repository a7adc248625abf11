/**
 * Azurite (Microsoft's Azure Storage emulator, the `azurite` npm package) as a local process for the
 * tests: blob service only, in memory, on a free 127.0.0.1 port, with a storage account whose key is
 * random for each run. If it cannot start, this throws: the suite fails, it never skips.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** What a test needs to reach the running Azurite. Plain data, so vitest's `provide` can pass it on. */
export interface AzuriteInfo {
  /** The account's blob endpoint, `http://127.0.0.1:PORT/ACCOUNT` (path-style, as Azurite serves it). */
  endpoint: string;
  /** Address of the service without the account, `http://127.0.0.1:PORT`. */
  address: string;
  account: string;
  accountKey: string;
  /** A connection string for the account, as the portal gives one. */
  connectionString: string;
  /** `Azurite 3.35.0`. */
  version: string;
}

export interface RunningAzurite extends AzuriteInfo {
  stop(): Promise<void>;
}

const ACCOUNT = 'statestoretest';

export async function startAzurite(): Promise<RunningAzurite> {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('azurite/package.json');
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string; bin: Record<string, string> };
  const main = path.join(path.dirname(packageJson), pkg.bin['azurite-blob']!);
  const version = `Azurite ${pkg.version}`;
  const port = await freePort();
  // Azurite writes its debug and telemetry files into the working folder: a temp folder, removed on stop.
  const location = mkdtempSync(path.join(os.tmpdir(), 'statestore-azurite-'));
  const accountKey = randomBytes(64).toString('base64');
  const address = `http://127.0.0.1:${port}`;
  const args = [
    main,
    '--blobHost', '127.0.0.1',
    '--blobPort', String(port),
    '--inMemoryPersistence',
    '--extentMemoryLimit', '2048',
    // The account is the first path segment (http://127.0.0.1:PORT/ACCOUNT), never the host name.
    '--disableProductStyleUrl',
    '--disableTelemetry',
    // The SDK may speak a newer x-ms-version than this Azurite release knows; the operations used here exist in both.
    '--skipApiVersionCheck',
    '--silent',
  ];
  process.stderr.write(`[azurite] starting ${version} (blob service) on ${address}\n`);
  const child = spawn(process.execPath, args, {
    cwd: location,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AZURITE_ACCOUNTS: `${ACCOUNT}:${accountKey}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  child.once('error', (e) => (exited = `failed to start: ${e.message}`));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);

  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
    }
    rmSync(location, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  while (!(await answers(`${address}/${ACCOUNT}?comp=list`))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`${version} ${exited ?? 'did not answer within 60 s'} on ${address}. Its output:\n${output.join('').slice(-8_000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.stderr.write(`[azurite] ${version} ready on ${address} (pid ${child.pid}), account ${ACCOUNT}\n`);
  const endpoint = `${address}/${ACCOUNT}`;
  return {
    endpoint,
    address,
    account: ACCOUNT,
    accountKey,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${accountKey};BlobEndpoint=${endpoint};`,
    version,
    stop,
  };
}

/** True once anything answers HTTP there (an unauthenticated listing gets a 403: the service is up). */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
