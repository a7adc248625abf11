/**
 * A real OpenStack Keystone (Debian's python3-keystone) on 127.0.0.1 for tests: sqlite database, fernet
 * tokens, bootstrapped with an admin user, served by keystone-wsgi-public's built-in WSGI server.
 * Install it with `bash scripts/install-test-servers.sh swift`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, startProcess, tempDir } from './server-process.js';

const run = promisify(execFile);

export interface StartedKeystone {
  /** The v3 identity URL, e.g. `http://127.0.0.1:PORT/v3`. */
  url: string;
  /** Debian package version of python3-keystone. */
  version: string;
  /** Calls the identity API as the bootstrapped admin (project-scoped token). */
  admin<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
  /** Gets a token for a user by password; returns the token and the response body. */
  passwordToken(user: { name: string; password: string; project?: string }): Promise<{ token: string; body: unknown }>;
  stop(): Promise<void>;
}

const KEYSTONE_MANAGE = '/usr/bin/keystone-manage';
const KEYSTONE_SERVER = '/usr/bin/keystone-wsgi-public';

/** Starts Keystone; throws (never skips) when it is not installed or does not come up. */
export async function startKeystone(): Promise<StartedKeystone> {
  for (const file of [KEYSTONE_MANAGE, KEYSTONE_SERVER]) {
    if (!existsSync(file)) throw new Error(`${file} is missing. Install the test servers first: bash scripts/install-test-servers.sh swift`);
  }
  const started = Date.now();
  const root = tempDir('keystone');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/v3`;
  const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
  for (const d of ['fernet', 'receipts', 'credential', 'log']) mkdirSync(path.join(root.dir, d));
  const conf = path.join(root.dir, 'keystone.conf');
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      `log_file = ${root.dir}/log/keystone.log`,
      '[database]',
      `connection = sqlite:///${root.dir}/keystone.db`,
      '[token]',
      'provider = fernet',
      '[fernet_tokens]',
      `key_repository = ${root.dir}/fernet`,
      '[fernet_receipts]',
      `key_repository = ${root.dir}/receipts`,
      '[credential]',
      `key_repository = ${root.dir}/credential`,
      '',
    ].join('\n'),
  );
  const user = os.userInfo().username;
  const group = (await run('id', ['-gn'])).stdout.trim();
  const manage = async (...args: string[]) => {
    try {
      await run(KEYSTONE_MANAGE, ['--config-file', conf, ...args], { cwd: root.dir });
    } catch (e) {
      throw new Error(`keystone-manage ${args[0]} failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
    }
  };
  await manage('db_sync');
  // Keystone holds a read transaction open on one connection while writing on another; with sqlite's
  // default rollback journal that write fails with "database is locked". WAL lets readers and a writer coexist.
  await run('/usr/bin/python3', ['-c', `import sqlite3; sqlite3.connect(${JSON.stringify(path.join(root.dir, 'keystone.db'))}).execute('PRAGMA journal_mode=WAL')`]);
  await Promise.all([
    manage('fernet_setup', '--keystone-user', user, '--keystone-group', group),
    manage('credential_setup', '--keystone-user', user, '--keystone-group', group),
  ]);
  await manage(
    'bootstrap',
    '--bootstrap-password', adminPassword,
    '--bootstrap-admin-url', url,
    '--bootstrap-internal-url', url,
    '--bootstrap-public-url', url,
    '--bootstrap-region-id', 'RegionOne',
  );
  const server = await startProcess({
    name: 'keystone',
    command: KEYSTONE_SERVER,
    args: ['--host', '127.0.0.1', '--port', String(port), '--', '--config-file', conf],
    cwd: root.dir,
    ready: async () => {
      try {
        return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false;
      }
    },
  }).catch((e) => {
    root.remove();
    throw e;
  });
  const version = (await run('dpkg-query', ['-W', '-f=${Version}', 'python3-keystone'])).stdout.trim();

  const passwordToken = async (u: { name: string; password: string; project?: string }) => {
    const res = await fetch(`${url}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: u.name, domain: { id: 'default' }, password: u.password } } },
          ...(u.project ? { scope: { project: { name: u.project, domain: { id: 'default' } } } } : {}),
        },
      }),
    });
    const body: unknown = await res.json();
    const token = res.headers.get('x-subject-token');
    if (!res.ok || !token) throw new Error(`keystone: token for ${u.name} failed: ${res.status} ${JSON.stringify(body)}`);
    return { token, body };
  };
  let adminToken: string | undefined;
  const admin = async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
    adminToken ??= (await passwordToken({ name: 'admin', password: adminPassword, project: 'admin' })).token;
    const res = await fetch(`${url}${apiPath}`, {
      method,
      headers: { 'x-auth-token': adminToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`keystone: ${method} ${apiPath} → ${res.status} ${text}\nKeystone's output:\n${server.output().slice(-3_000)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  process.stderr.write(`[testkit] Keystone ${version} (python3-keystone, sqlite, fernet) at ${url}, up in ${Date.now() - started} ms\n`);
  return {
    url,
    version,
    admin,
    passwordToken,
    stop: async () => {
      await server.stop();
      root.remove();
    },
  };
}
