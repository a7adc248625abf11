/**
 * Authentication against the real server: a VAULT_TOKEN renewed before it expires, tokens kept out of
 * messages, and AWS IAM login — the exact request (method, URL, signed headers, base64 body) with its SigV4
 * signature recomputed here independently, logging in again when tokens are not renewable, and the real
 * server's answer when it has no AWS auth method.
 */
import { createHash, createHmac } from 'node:crypto';
import { isPermissionDenied, redactSecrets, resolvePath } from '@statestore/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STS_BODY, STS_URL } from '../src/aws-iam-login.js';
import { rawOk, registry, tokenWithPolicy, vaultUrl } from './helpers.js';
import { startLoginShim, type LoginShim, type RecordedLogin } from './login-shim.js';

const server = inject('openbao');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fromBase64 = (s: unknown) => Buffer.from(String(s), 'base64').toString('utf8');
const flag = { KOPS_FEATURE_FLAGS: '+VFSVaultSupport' };
const aws = { AWS_ACCESS_KEY_ID: 'AKIDSTATESTORETEST', AWS_SECRET_ACCESS_KEY: 'statestore/test/secret/key/0123456789abcdef', AWS_SESSION_TOKEN: 'session-token-for-the-test' };

describe('VAULT_TOKEN', () => {
  it('is renewed (renew-self) at about two thirds of its TTL, so work goes on past the original expiry', async () => {
    const token = await tokenWithPolicy(server, { 'secret/*': ['create', 'read', 'update', 'delete', 'list'] }, { ttl: '6s', renewable: true });
    const root = await resolvePath(vaultUrl(server, `renewal-${Date.now()}`), { registry, env: { ...flag, VAULT_TOKEN: token } });
    await root.join('a').writeFile('1');
    const before = await rawOk(server, 'POST', 'auth/token/lookup', { token });
    expect(before.data.last_renewal_time).toBeUndefined();
    await sleep(4_300);
    await root.join('b').writeFile('2');
    const after = await rawOk(server, 'POST', 'auth/token/lookup', { token });
    expect(after.data.last_renewal_time).toBeGreaterThan(0);
    await sleep(2_500); // now past the 6 s the token was created with
    expect(await root.join('a').readText()).toBe('1');
  });

  it('never appears in an error message', async () => {
    const token = await tokenWithPolicy(server, { 'secret/data/nothing/*': ['read'] });
    const root = await resolvePath(vaultUrl(server, 'forbidden'), { registry, env: { ...flag, VAULT_TOKEN: token } });
    const e = await root.join('x').writeFile('x').then(() => undefined, (err: Error) => err);
    expect(isPermissionDenied(e)).toBe(true);
    expect(e!.message).not.toContain(token);
    expect(redactSecrets(`header ${token}`)).toBe('header ***');
  });
});

describe('AWS IAM login (no VAULT_TOKEN)', () => {
  let shim: LoginShim;
  let policy: string;
  let mint: { ttl: string; renewable: boolean } = { ttl: '60s', renewable: true };
  const minted: string[] = [];

  beforeAll(async () => {
    policy = `iam-${Date.now()}`;
    await rawOk(server, 'PUT', `sys/policies/acl/${policy}`, { policy: 'path "secret/*" { capabilities = ["create", "read", "update", "delete", "list"] }' });
    shim = await startLoginShim(server, async () => {
      const answer = await rawOk(server, 'POST', 'auth/token/create', { policies: [policy], ...mint });
      minted.push(answer.auth.client_token);
      return { status: 200, body: { auth: answer.auth } };
    });
  });
  afterAll(async () => shim?.stop());

  const open = (path: string, env: NodeJS.ProcessEnv = {}) =>
    resolvePath(`vault://${shim.hostPort}/secret/${path}?tls=false`, { registry, env: { ...flag, ...aws, VAULT_AWS_ROLE: 'nodes.example.com', ...env } });

  it('posts a SigV4-signed sts:GetCallerIdentity to auth/aws/login, base64-encoded, with the server ID header signed', async () => {
    const before = shim.logins.length;
    const f = await open(`iam-${Date.now()}/file`);
    await f.writeFile('via IAM');
    expect(await f.readText()).toBe('via IAM');
    expect(shim.logins.length).toBe(before + 1);
    const login = shim.logins.at(-1)!;
    expect(login.method).toBe('POST');
    expect(login.path).toBe('/v1/auth/aws/login');
    expect(login.headers['x-vault-token']).toBeUndefined();
    expect(Object.keys(login.body).sort()).toEqual(['iam_http_request_method', 'iam_request_body', 'iam_request_headers', 'iam_request_url', 'role']);
    expect(login.body.role).toBe('nodes.example.com');
    expect(login.body.iam_http_request_method).toBe('POST');
    expect(fromBase64(login.body.iam_request_url)).toBe('https://sts.amazonaws.com/');
    expect(fromBase64(login.body.iam_request_body)).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    const headers = signedHeaders(login);
    // As kops: the Vault host name (no port) unless VAULT_AWS_IAM_SERVER_ID says otherwise.
    expect(headers['x-vault-aws-iam-server-id']).toBe('127.0.0.1');
    expect(headers['x-amz-security-token']).toBe(aws.AWS_SESSION_TOKEN);
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    const check = verifySigV4(login, aws.AWS_SECRET_ACCESS_KEY);
    expect(check.credential).toMatch(/^AKIDSTATESTORETEST\/\d{8}\/us-east-1\/sts\/aws4_request$/);
    expect(check.signedHeaders).toEqual(expect.arrayContaining(['content-type', 'host', 'x-amz-date', 'x-amz-security-token', 'x-vault-aws-iam-server-id']));
    expect(check.signature).toBe(check.expected);
    expect(redactSecrets(`token ${minted.at(-1)}`)).toBe('token ***');
  });

  it('VAULT_AWS_IAM_SERVER_ID sets the header value; empty sends no header', async () => {
    await (await open(`iam-${Date.now()}/a`, { VAULT_AWS_IAM_SERVER_ID: 'vault.example.com' })).writeFile('x');
    expect(signedHeaders(shim.logins.at(-1)!)['x-vault-aws-iam-server-id']).toBe('vault.example.com');
    expect(verifySigV4(shim.logins.at(-1)!, aws.AWS_SECRET_ACCESS_KEY).signature).toBe(verifySigV4(shim.logins.at(-1)!, aws.AWS_SECRET_ACCESS_KEY).expected);
    await (await open(`iam-${Date.now()}/b`, { VAULT_AWS_IAM_SERVER_ID: '' })).writeFile('x');
    const last = shim.logins.at(-1)!;
    expect(signedHeaders(last)['x-vault-aws-iam-server-id']).toBeUndefined();
    expect(verifySigV4(last, aws.AWS_SECRET_ACCESS_KEY).signedHeaders).not.toContain('x-vault-aws-iam-server-id');
  });

  it('logs in again when the token is not renewable and two thirds of its TTL have passed', async () => {
    mint = { ttl: '3s', renewable: false };
    try {
      const root = await open(`relogin-${Date.now()}`, { VAULT_AWS_ROLE: 'relogin' });
      const before = shim.logins.length;
      await root.join('a').writeFile('1');
      expect(shim.logins.length).toBe(before + 1);
      const first = minted.at(-1)!;
      await sleep(2_300);
      await root.join('b').writeFile('2');
      expect(shim.logins.length).toBeGreaterThanOrEqual(before + 2);
      expect(minted.at(-1)).not.toBe(first);
      await sleep(1_200); // the first token has expired by now
      expect((await rawOk(server, 'POST', 'auth/token/lookup', { token: minted.at(-1) })).data.ttl).toBeGreaterThan(0);
      expect(await root.join('a').readText()).toBe('1');
      expect(await root.join('b').readText()).toBe('2');
    } finally {
      mint = { ttl: '60s', renewable: true };
    }
  });

  it("the real server without an AWS auth method rejects the login, and the error says what to do", async () => {
    const f = await resolvePath(vaultUrl(server, 'no-aws-auth/file'), { registry, env: { ...flag, ...aws } });
    const e = await f.writeFile('x').then(() => undefined, (err: Error) => err);
    expect(isPermissionDenied(e)).toBe(true);
    expect(e!.message).toContain('refused the AWS IAM login at auth/aws/login');
    expect(e!.message).toContain('VAULT_TOKEN');
    expect(e!.message).not.toContain(aws.AWS_SECRET_ACCESS_KEY);
  });
});

/** The decoded JSON headers of a recorded login, lower-case names, first value each. */
function signedHeaders(login: RecordedLogin): Record<string, string> {
  const json = JSON.parse(fromBase64(login.body.iam_request_headers)) as Record<string, string | string[]>;
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0]! : v]));
}

/** AWS Signature Version 4 recomputed from the recorded request with node:crypto alone (what STS would check). */
function verifySigV4(login: RecordedLogin, secretKey: string) {
  const headers: Record<string, string> = { ...signedHeaders(login), host: new URL(fromBase64(login.body.iam_request_url)).host };
  const authorization = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '');
  if (!authorization) throw new Error(`not a SigV4 Authorization header: ${headers.authorization}`);
  const [, credential, signed, signature] = authorization as unknown as [string, string, string, string];
  const signedList = signed.split(';');
  const url = new URL(fromBase64(login.body.iam_request_url));
  const body = fromBase64(login.body.iam_request_body);
  const canonical = [
    String(login.body.iam_http_request_method),
    url.pathname,
    url.search.slice(1),
    ...signedList.map((h) => `${h}:${String(headers[h]).trim().replace(/\s+/g, ' ')}`),
    '',
    signed,
    createHash('sha256').update(body).digest('hex'),
  ].join('\n');
  const [, date, region, service] = credential.split('/') as [string, string, string, string];
  const stringToSign = ['AWS4-HMAC-SHA256', headers['x-amz-date'], `${date}/${region}/${service}/aws4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), service), 'aws4_request');
  expect(url.toString()).toBe(STS_URL);
  expect(body).toBe(STS_BODY);
  return { credential, signedHeaders: signedList, signature, expected: createHmac('sha256', signingKey).update(stringToSign).digest('hex') };
}
