/**
 * kube-apiserver and its etcd as local processes for the k8s:// suites: the builds from
 * scripts/install-test-servers.sh (target `k8s`), on free 127.0.0.1 ports, each run with its own temp folder
 * (etcd data, the serving certificate in `--cert-dir`, service-account keys, the static token file). Started
 * the way a small cluster runs them: `--authorization-mode=RBAC`, `--token-auth-file`. Three identities:
 * `admin` (system:masters, for setup only), `statestore-test` (a Role on secrets in one namespace: what the
 * backend needs) and `statestore-readonly` (get and list only there). Tests get their own KUBECONFIG file
 * with one context per identity and never read ~/.kube/config.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePort, httpStatus, installedBinary, startProcess, tempDir, type StartedProcess } from './server-process.js';

/** The releases scripts/install-test-servers.sh builds. */
export const KUBERNETES_VERSION = 'v1.36.3';
export const ETCD_VERSION = 'v3.6.16';

/** The verbs the backend uses on secrets: what a user's Role must grant. */
export const SECRET_VERBS = ['get', 'list', 'create', 'update', 'delete'] as const;

/** What a test needs to reach the running server. Plain data, so vitest's `provide` can pass it to workers. */
export interface KubeApiserverInfo {
  /** `https://127.0.0.1:PORT` */
  server: string;
  /** PEM of the CA that signed the serving certificate (from `--cert-dir`). */
  caPem: string;
  /** A kubeconfig with the contexts `statestore-test` (current), `statestore-readonly` and `admin`. */
  kubeconfig: string;
  /** The namespace the two test users are bound in. */
  namespace: string;
  /** Bearer tokens per identity (random per run). */
  tokens: { admin: string; user: string; readonly: string };
  /** The least-privilege user's name (`statestore-test`). */
  user: string;
  readonlyUser: string;
  /** `http://127.0.0.1:PORT` of the etcd behind it (for tests that compact its history). */
  etcdEndpoint: string;
  /** `kube-apiserver --version` and etcd's version. */
  version: string;
}

export interface RunningKubeApiserver extends KubeApiserverInfo {
  /** Stops kube-apiserver and starts it again on the same port with the same etcd (its caches start empty). */
  restartApiserver(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts etcd and kube-apiserver, creates the namespace and the users' Roles. Throws (never skips) when it cannot. */
export async function startKubeApiserver(options: { namespace?: string } = {}): Promise<RunningKubeApiserver> {
  const apiserverBinary = installedBinary(`bin/kube-apiserver-${KUBERNETES_VERSION}`, 'k8s');
  const etcdBinary = installedBinary(`bin/etcd-${ETCD_VERSION}`, 'k8s');
  const version = `${execFileSync(apiserverBinary, ['--version'], { encoding: 'utf8' }).trim()}, etcd ${ETCD_VERSION}`;
  process.stderr.write(`[testkit] kube-apiserver: ${version}\n`);
  const home = tempDir('kube-apiserver');
  let etcd: StartedProcess | undefined;
  let apiserver: StartedProcess | undefined;
  const stop = async () => {
    await apiserver?.stop();
    await etcd?.stop();
    home.remove();
  };
  try {
    const [clientPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()];
    const etcdEndpoint = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    etcd = await startProcess({
      name: `etcd on ${etcdEndpoint}`,
      command: etcdBinary,
      args: [
        '--name=default',
        `--data-dir=${path.join(home.dir, 'etcd')}`,
        `--listen-client-urls=${etcdEndpoint}`,
        `--advertise-client-urls=${etcdEndpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
      ],
      env: { PATH: process.env.PATH, HOME: home.dir },
      ready: async () => (await httpStatus(`${etcdEndpoint}/health`)) === 200,
    });

    const tokens = { admin: randomToken(), user: randomToken(), readonly: randomToken() };
    const user = 'statestore-test';
    const readonlyUser = 'statestore-readonly';
    const file = (name: string) => path.join(home.dir, name);
    writeFileSync(
      file('tokens.csv'),
      [`${tokens.admin},admin,admin-uid,system:masters`, `${tokens.user},${user},${user}-uid`, `${tokens.readonly},${readonlyUser},${readonlyUser}-uid`].join('\n') + '\n',
      { mode: 0o600 },
    );
    const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file('sa.key'), serviceAccountKey.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(file('sa.pub'), serviceAccountKey.publicKey.export({ type: 'spki', format: 'pem' }));
    const server = `https://127.0.0.1:${securePort}`;
    const certDir = file('certs');
    const caFile = path.join(certDir, 'apiserver.crt');
    const startApiserver = () =>
      startProcess({
        name: `kube-apiserver on ${server}`,
        command: apiserverBinary,
        args: [
          `--etcd-servers=${etcdEndpoint}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${securePort}`,
          `--cert-dir=${certDir}`,
          `--token-auth-file=${file('tokens.csv')}`,
          '--authorization-mode=RBAC',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${file('sa.pub')}`,
          `--service-account-signing-key-file=${file('sa.key')}`,
        ],
        env: { PATH: process.env.PATH, HOME: home.dir },
        ready: async () => (await readyz(server, caFile, tokens.admin)) === 200,
        timeoutMs: 120_000,
      });
    apiserver = await startApiserver();
    const info: KubeApiserverInfo = {
      server,
      caPem: readFileSync(caFile, 'utf8'),
      kubeconfig: file('kubeconfig'),
      namespace: options.namespace ?? 'statestore-test',
      tokens,
      user,
      readonlyUser,
      etcdEndpoint,
      version,
    };
    writeFileSync(info.kubeconfig, kubeconfigText(info), { mode: 0o600 });
    await createNamespace(info, info.namespace);
    await grantSecrets(info, info.namespace, user, SECRET_VERBS);
    await grantSecrets(info, info.namespace, readonlyUser, ['get', 'list']);
    const restartApiserver = async () => {
      await apiserver?.stop();
      apiserver = undefined;
      apiserver = await startApiserver();
    };
    return { ...info, stop, restartApiserver };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** One API request with a bearer token; the parsed JSON body (or text) and the status. */
export async function kubeRequest(
  info: Pick<KubeApiserverInfo, 'server' | 'caPem'>,
  token: string,
  method: string,
  apiPath: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${info.server}${apiPath}`,
      {
        method,
        ca: info.caPem,
        timeout: 30_000,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${apiPath}: no answer within 30 s`)));
    req.end(payload);
  });
}

/** Creates a namespace as admin (an existing one is fine). */
export async function createNamespace(info: KubeApiserverInfo, name: string): Promise<void> {
  await adminWrite(info, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/**
 * Binds `user` to a Role granting `verbs` on secrets in `namespace`, and returns once the authorizer
 * allows every one of them (RBAC reads bindings through a cache, so a binding takes effect shortly after).
 */
export async function grantSecrets(info: KubeApiserverInfo, namespace: string, user: string, verbs: readonly string[]): Promise<void> {
  const name = `${user}-secrets`;
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}`;
  await adminWrite(info, `${rbac}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace },
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs }],
  });
  await adminWrite(info, `${rbac}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  });
  const deadline = Date.now() + 30_000;
  for (const verb of verbs) {
    while (!(await allowed(info, namespace, user, verb))) {
      if (Date.now() > deadline) throw new Error(`RBAC never allowed ${user} to ${verb} secrets in ${namespace}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function allowed(info: KubeApiserverInfo, namespace: string, user: string, verb: string): Promise<boolean> {
  const review = await kubeRequest(info, info.tokens.admin, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { user, resourceAttributes: { namespace, verb, resource: 'secrets' } },
  });
  return (review.body as { status?: { allowed?: boolean } }).status?.allowed === true;
}

async function adminWrite(info: KubeApiserverInfo, collection: string, object: { kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>): Promise<void> {
  const created = await kubeRequest(info, info.tokens.admin, 'POST', collection, object);
  if (created.status === 201 || created.status === 409) return;
  throw new Error(`creating ${collection}/${object.metadata.name}: ${created.status} ${JSON.stringify(created.body)}`);
}

/** How a kubeconfig variant differs from the test one. */
export interface KubeconfigChange {
  /** Another API server address; an `http://` one (a proxy on 127.0.0.1) is used without TLS. */
  server?: string;
  /** One token for every user (a wrong one, for credential failures). */
  token?: string;
}

/** Writes a kubeconfig like the test one, with `change` applied, to a new temp file; returns its path. */
export function kubeconfigVariant(info: KubeApiserverInfo, change: KubeconfigChange): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'statestore-kubeconfig-')), 'kubeconfig');
  writeFileSync(file, kubeconfigText(info, change), { mode: 0o600 });
  return file;
}

function kubeconfigText(info: KubeApiserverInfo, change: KubeconfigChange = {}): string {
  const identities: [string, string][] = [
    [info.user, info.tokens.user],
    [info.readonlyUser, info.tokens.readonly],
    ['admin', info.tokens.admin],
  ];
  const server = change.server ?? info.server;
  const cluster = server.startsWith('http:')
    ? { server, 'insecure-skip-tls-verify': true }
    : { server, 'certificate-authority-data': Buffer.from(info.caPem).toString('base64') };
  // JSON is YAML: one line per value, nothing to escape by hand.
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster }],
      users: identities.map(([name, token]) => ({ name, user: { token: change.token ?? token } })),
      contexts: identities.map(([name]) => ({ name, context: { cluster: 'test', user: name, namespace: info.namespace } })),
      'current-context': info.user,
    },
    null,
    2,
  );
}

/** Status of GET /readyz, trusting the serving certificate once the server has written it; 0 before that. */
async function readyz(server: string, caFile: string, token: string): Promise<number> {
  let caPem: string;
  try {
    caPem = readFileSync(caFile, 'utf8');
  } catch {
    return 0;
  }
  return kubeRequest({ server, caPem }, token, 'GET', '/readyz').then(
    (r) => r.status,
    () => 0,
  );
}

function randomToken(): string {
  return randomBytes(24).toString('hex');
}
