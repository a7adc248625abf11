/**
 * A real OpenStack Swift (Debian's packages) on 127.0.0.1 for tests: one node, one replica, memcached,
 * the account, container and object servers, and a proxy with tempauth (v1 auth), bulk delete and static
 * large objects. Given a started Keystone, a second proxy on the same storage authenticates with Keystone
 * (authtoken + keystoneauth) and the Keystone catalog is filled with its endpoints and a demo project.
 * The config templates are in packages/testkit/swift/. Install with `bash scripts/install-test-servers.sh swift`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { StartedKeystone } from './keystone.js';
import { freePort, httpStatus, startProcess, tempDir, type StartedProcess } from './server-process.js';

const run = promisify(execFile);
const TEMPLATES = fileURLToPath(new URL('../swift/', import.meta.url));
const SWIFT_CONF = '/etc/swift/swift.conf';

export interface SwiftKeystoneSetup {
  /** OS_AUTH_URL for the v3 tests (Keystone's `/v3`). */
  authUrl: string;
  /** The Keystone-authenticated Swift proxy. */
  proxyUrl: string;
  /** A member of project `demo` in domain Default. */
  user: { name: string; id: string; password: string; projectName: string; projectId: string; domainName: string; domainId: string };
  /** An application credential of that user (scoped to `demo`). */
  applicationCredential: { id: string; name: string; secret: string };
  /** RegionOne has public and internal endpoints on the proxy; RegionTwo's public endpoint is a port nothing listens on. */
  regions: string[];
  /** The unreachable RegionTwo endpoint's origin, for tests of region selection. */
  regionTwoOrigin: string;
}

export interface StartedSwift {
  /** tempauth v1 auth URL, e.g. `http://127.0.0.1:PORT/auth/v1.0`. */
  authUrl: string;
  proxyUrl: string;
  /** tempauth users (`account:user`) and keys: test:tester and test2:tester2 administer their accounts; test:tester3 only has what container ACLs give it. */
  users: { user: string; key: string }[];
  /** Swift version as reported by the proxy's /info. */
  version: string;
  keystone?: SwiftKeystoneSetup;
  /** The last lines each server printed, for failure messages. */
  logs(): string;
  /** The memcached port, for flushMemcached. */
  memcachedPort: number;
  stop(): Promise<void>;
}

/** Starts Swift (and, with `keystone`, a Keystone-authenticated proxy). Throws, never skips, when it cannot. */
export async function startSwift(options: { keystone?: StartedKeystone } = {}): Promise<StartedSwift> {
  for (const bin of ['swift-ring-builder', 'swift-proxy-server', 'swift-object-server', 'memcached']) {
    if (!existsSync(`/usr/bin/${bin}`)) throw new Error(`/usr/bin/${bin} is missing. Install the test servers first: bash scripts/install-test-servers.sh swift`);
  }
  ensureSwiftConf();
  const started = Date.now();
  const root = tempDir('swift');
  const processes: { name: string; process: StartedProcess }[] = [];
  const stop = async () => {
    for (const p of processes.reverse()) await p.process.stop();
    root.remove();
  };
  try {
    const user = os.userInfo().username;
    const ports = {
      proxy: await freePort(),
      keystoneProxy: await freePort(),
      account: await freePort(),
      container: await freePort(),
      object: await freePort(),
      memcached: await freePort(),
      nothing: await freePort(),
    };
    for (const d of ['etc', 'data/sdb1', 'log']) mkdirSync(path.join(root.dir, d), { recursive: true });
    const etc = path.join(root.dir, 'etc');
    const common = { ROOT: root.dir, USER: user, MEMCACHED_PORT: String(ports.memcached) };
    for (const kind of ['account', 'container', 'object'] as const) {
      render('storage-server.conf', path.join(etc, `${kind}-server.conf`), { ...common, KIND: kind, PORT: String(ports[kind]) });
    }
    // The auth sections go in first: they hold placeholders of their own.
    render('proxy-server.conf', path.join(etc, 'proxy-server.conf'), {
      AUTH_FILTERS: template('auth-tempauth.conf'),
      ...common,
      NAME: 'proxy-server',
      PORT: String(ports.proxy),
      AUTH: 'tempauth',
    });
    await Promise.all((['account', 'container', 'object'] as const).map((kind) => buildRing(etc, kind, ports[kind])));

    const keystone = options.keystone
      ? await provisionKeystone(options.keystone, `http://127.0.0.1:${ports.keystoneProxy}`, `http://127.0.0.1:${ports.nothing}`)
      : undefined;
    if (keystone) {
      render('proxy-server.conf', path.join(etc, 'proxy-keystone.conf'), {
        AUTH_FILTERS: template('auth-keystone.conf'),
        KEYSTONE_URL: options.keystone!.url.replace(/\/v3$/, ''),
        SERVICE_PASSWORD: keystone.servicePassword,
        ...common,
        NAME: 'proxy-keystone',
        PORT: String(ports.keystoneProxy),
        AUTH: 'authtoken keystoneauth',
      });
    }

    processes.push({
      name: 'memcached',
      process: await startProcess({
        name: 'memcached',
        command: '/usr/bin/memcached',
        args: ['-l', '127.0.0.1', '-p', String(ports.memcached), '-U', '0', '-m', '64', '-u', user],
        ready: () => tcpOpen(ports.memcached),
      }),
    });
    const server = async (name: string, bin: string, conf: string, port: number) =>
      processes.push({
        name,
        process: await startProcess({
          name,
          command: `/usr/bin/${bin}`,
          args: [path.join(etc, conf), '-v'],
          cwd: root.dir,
          ready: async () => (await httpStatus(`http://127.0.0.1:${port}/healthcheck`)) === 200,
        }),
      });
    await Promise.all([
      server('swift-account-server', 'swift-account-server', 'account-server.conf', ports.account),
      server('swift-container-server', 'swift-container-server', 'container-server.conf', ports.container),
      server('swift-object-server', 'swift-object-server', 'object-server.conf', ports.object),
      server('swift-proxy-server', 'swift-proxy-server', 'proxy-server.conf', ports.proxy),
      ...(keystone ? [server('swift-proxy-server (keystone)', 'swift-proxy-server', 'proxy-keystone.conf', ports.keystoneProxy)] : []),
    ]);

    const proxyUrl = `http://127.0.0.1:${ports.proxy}`;
    const info = (await (await fetch(`${proxyUrl}/info`)).json()) as { swift?: { version?: string } };
    const version = info.swift?.version ?? 'unknown';
    process.stderr.write(
      `[testkit] OpenStack Swift ${version} at ${proxyUrl} (tempauth)${keystone ? ` and http://127.0.0.1:${ports.keystoneProxy} (Keystone)` : ''}, up in ${Date.now() - started} ms\n`,
    );
    return {
      authUrl: `${proxyUrl}/auth/v1.0`,
      proxyUrl,
      users: [
        { user: 'test:tester', key: 'testing' },
        { user: 'test2:tester2', key: 'testing2' },
        { user: 'test:tester3', key: 'testing3' },
      ],
      version,
      ...(keystone ? { keystone: keystone.setup } : {}),
      memcachedPort: ports.memcached,
      logs: () => processes.map((p) => `--- ${p.name}\n${p.process.output().slice(-2_000)}`).join('\n'),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Swift reads hash prefix/suffix and storage policies from a fixed path; the Debian package ships it. */
function ensureSwiftConf(): void {
  if (existsSync(SWIFT_CONF)) return;
  try {
    mkdirSync(path.dirname(SWIFT_CONF), { recursive: true });
    writeFileSync(SWIFT_CONF, '[swift-hash]\nswift_hash_path_suffix = changeme\nswift_hash_path_prefix = changeme\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n');
  } catch (e) {
    throw new Error(`${SWIFT_CONF} is missing and cannot be written (${(e as Error).message}); reinstall the swift package: bash scripts/install-test-servers.sh swift`);
  }
}

function template(name: string): string {
  return readFileSync(path.join(TEMPLATES, name), 'utf8');
}

/** Substitutes `@NAME@` placeholders in the order given (a value may bring placeholders that later ones fill). */
function render(name: string, to: string, values: Record<string, string>): void {
  let text = template(name);
  for (const [k, v] of Object.entries(values)) text = text.replaceAll(`@${k}@`, v);
  writeFileSync(to, text);
}

async function buildRing(etc: string, kind: string, port: number): Promise<void> {
  const builder = `${kind}.builder`;
  await run('swift-ring-builder', [builder, 'create', '8', '1', '1'], { cwd: etc });
  await run('swift-ring-builder', [builder, 'add', `r1z1-127.0.0.1:${port}/sdb1`, '1'], { cwd: etc });
  // Exit status 1 is a warning ("min_part_hours"), not a failure; the ring file is what counts.
  await run('swift-ring-builder', [builder, 'rebalance'], { cwd: etc }).catch(() => undefined);
  if (!existsSync(path.join(etc, `${kind}.ring.gz`))) throw new Error(`swift-ring-builder did not write ${kind}.ring.gz in ${etc}`);
}

/**
 * Empties memcached, where tempauth keeps its tokens and keystonemiddleware its token validations: every
 * token Swift handed out is forgotten, as after a memcached restart.
 */
export async function flushMemcached(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('flush_all\r\n'));
    socket.setEncoding('utf8');
    socket.once('data', (answer: string) => {
      socket.end();
      if (answer.startsWith('OK')) resolve();
      else reject(new Error(`memcached flush_all answered ${answer.trim()}`));
    });
    socket.once('error', reject);
  });
}

async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What Keystone returns for a created resource: `{ project: { id, … } }`, `{ user: { id, … } }`, …. */
type Created = Record<string, { id: string }>;

/** Fills Keystone with the swift service user, the object-store endpoints and a demo project and user. */
async function provisionKeystone(
  keystone: StartedKeystone,
  proxyOrigin: string,
  nothingOrigin: string,
): Promise<{ setup: SwiftKeystoneSetup; servicePassword: string }> {
  const secret = () => randomBytes(12).toString('hex');
  const roles = await keystone.admin<{ roles: { id: string; name: string }[] }>('GET', '/roles');
  const role = (name: string) => {
    const r = roles.roles.find((x) => x.name === name);
    if (!r) throw new Error(`keystone has no role ${name}`);
    return r.id;
  };
  const project = async (name: string) =>
    (await keystone.admin<Created>('POST', '/projects', { project: { name, domain_id: 'default' } })).project!.id;
  const user = async (name: string, password: string, projectId: string, roleName: string) => {
    const id = (await keystone.admin<Created>('POST', '/users', { user: { name, password, domain_id: 'default', default_project_id: projectId } })).user!.id;
    await keystone.admin('PUT', `/projects/${projectId}/users/${id}/roles/${role(roleName)}`);
    return id;
  };

  const servicePassword = secret();
  const serviceProject = await project('service');
  await user('swift', servicePassword, serviceProject, 'admin');
  const service = (await keystone.admin<Created>('POST', '/services', { service: { type: 'object-store', name: 'swift' } })).service!.id;
  await keystone.admin('POST', '/regions', { region: { id: 'RegionTwo' } });
  const accountPath = '/v1/AUTH_$(project_id)s';
  for (const [region, iface, origin] of [
    ['RegionOne', 'public', proxyOrigin],
    ['RegionOne', 'internal', proxyOrigin],
    ['RegionTwo', 'public', nothingOrigin],
  ] as const) {
    await keystone.admin('POST', '/endpoints', { endpoint: { service_id: service, interface: iface, region_id: region, url: `${origin}${accountPath}` } });
  }

  const password = secret();
  const projectId = await project('demo');
  const userId = await user('demo', password, projectId, 'member');
  const { token } = await keystone.passwordToken({ name: 'demo', password, project: 'demo' });
  const res = await fetch(`${keystone.url}/users/${userId}/application_credentials`, {
    method: 'POST',
    headers: { 'x-auth-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({ application_credential: { name: 'statestore-tests' } }),
  });
  if (!res.ok) throw new Error(`keystone: application credential → ${res.status} ${await res.text()}`);
  const credential = ((await res.json()) as { application_credential: { id: string; name: string; secret: string } }).application_credential;
  return {
    servicePassword,
    setup: {
      authUrl: keystone.url,
      proxyUrl: proxyOrigin,
      user: { name: 'demo', id: userId, password, projectName: 'demo', projectId, domainName: 'Default', domainId: 'default' },
      applicationCredential: { id: credential.id, name: credential.name, secret: credential.secret },
      regions: ['RegionOne', 'RegionTwo'],
      regionTwoOrigin: nothingOrigin,
    },
  };
}
