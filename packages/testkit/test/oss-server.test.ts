/**
 * The OSS-protocol server against the Alibaba Cloud OSS API reference: the published signature examples
 * (string-to-sign → signature), then the documented request/response behaviour over real HTTP, with requests
 * signed by the (example-checked) signature functions.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OssServer, startOssServer } from '../src/oss-server.js';
import { type SignableRequest, v1Signature, v1StringToSign, v4CanonicalRequest, v4Scope, v4Signature, v4StringToSign } from '../src/oss-server/signature.js';

describe('signature algorithms against the published examples', () => {
  it('V1: the example of the "Include a V1 signature in the Authorization header" page', () => {
    // AccessKeySecret and request of the reference's example (PUT /nelson in bucket oss-example).
    const req: SignableRequest = {
      method: 'PUT',
      bucket: 'oss-example',
      key: 'nelson',
      headers: {
        'content-md5': 'ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=',
        'content-type': 'text/html',
        date: 'Thu, 17 Nov 2005 18:49:58 GMT',
        'x-oss-meta-author': 'foo@bar.com',
        'x-oss-magic': 'abracadabra',
      },
      query: [],
    };
    const stringToSign = v1StringToSign(req);
    expect(stringToSign).toBe(
      'PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson',
    );
    expect(v1Signature('OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV', stringToSign)).toBe('26NBxoKdsyly4EDv6inkoDft/yA=');
  });

  it('V1: x-oss-date in place of Date, and a sub-resource (Alibaba SDK vectors)', () => {
    const headers = {
      'content-md5': 'eB5eJF1ptWaXm4bijSPyxw==',
      'content-type': 'text/html',
      'x-oss-meta-author': 'alice',
      'x-oss-meta-magic': 'abracadabra',
      'x-oss-date': 'Wed, 28 Dec 2022 10:27:41 GMT',
    };
    const plain = v1StringToSign({ method: 'PUT', bucket: 'examplebucket', key: 'nelson', headers, query: [] });
    expect(plain).toBe(
      'PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson',
    );
    expect(v1Signature('sk', plain)).toBe('kSHKmLxlyEAKtZPkJhG9bZb5k7M=');
    const acl = v1StringToSign({ method: 'PUT', bucket: 'examplebucket', key: 'nelson', headers, query: [['acl', '']] });
    expect(acl.endsWith('/examplebucket/nelson?acl')).toBe(true);
    expect(v1Signature('sk', acl)).toBe('/afkugFbmWDQ967j1vr6zygBLQk=');
    // Query parameters that are not sub-resources are not signed.
    const other = v1StringToSign({ method: 'GET', bucket: 'examplebucket', headers: { 'x-oss-date': headers['x-oss-date'] }, query: [['acl', ''], ['non-resource', 'null']] });
    expect(other.endsWith('/examplebucket/?acl')).toBe(true);
  });

  it('V4: canonical request, string-to-sign and signature (Alibaba SDK vectors)', () => {
    const query: [string, string][] = [
      ['param1', 'value1'],
      ['+param1', 'value3'],
      ['|param1', 'value4'],
      ['+param2', ''],
      ['|param2', ''],
      ['param2', ''],
    ];
    const headers: Record<string, string> = {
      'x-oss-head1': 'value',
      abc: 'value',
      zabc: 'value',
      xyz: 'value',
      'content-type': 'text/plain',
      'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-oss-date': '20231216T162057Z',
    };
    const req: SignableRequest = { method: 'PUT', bucket: 'bucket', key: '1234+-/123/1.txt', headers, query };
    const canonical = v4CanonicalRequest(req, []);
    expect(canonical).toBe(
      'PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\n' +
        'content-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD',
    );
    const sts = v4StringToSign('20231216T162057Z', v4Scope('20231216', 'cn-hangzhou'), canonical);
    expect(v4Signature('sk', '20231216', 'cn-hangzhou', sts)).toBe('e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe');

    const withToken = { ...req, headers: { ...headers, 'x-oss-date': '20231217T034736Z', 'x-oss-security-token': 'token' } };
    const sts2 = v4StringToSign('20231217T034736Z', v4Scope('20231217', 'cn-hangzhou'), v4CanonicalRequest(withToken, []));
    expect(v4Signature('sk', '20231217', 'cn-hangzhou', sts2)).toBe('b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea');
  });
});

describe('the server over HTTP', () => {
  let server: OssServer;
  const bucket = 'examplebucket';

  beforeAll(async () => {
    server = await startOssServer({ buckets: [bucket] });
  });
  afterAll(async () => {
    await server?.close();
  });

  interface Call {
    headers?: Record<string, string>;
    query?: [string, string][];
    body?: string | Buffer;
    v4?: boolean;
    secret?: string;
    accessKeyId?: string;
    date?: Date;
    unsigned?: boolean;
  }

  /** One request signed as an OSS client signs it. */
  async function call(method: string, key: string | undefined, options: Call = {}) {
    const date = options.date ?? new Date();
    const headers: Record<string, string> = { ...options.headers };
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    if (body && headers['content-md5'] === undefined) headers['content-md5'] = createHash('md5').update(body).digest('base64');
    const query = options.query ?? [];
    const accessKeyId = options.accessKeyId ?? server.accessKeyId;
    const secret = options.secret ?? server.accessKeySecret;
    if (!options.unsigned) {
      if (options.v4) {
        const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
        headers['x-oss-date'] = stamp;
        headers['x-oss-content-sha256'] = 'UNSIGNED-PAYLOAD';
        const day = stamp.slice(0, 8);
        const sts = v4StringToSign(stamp, v4Scope(day, server.region), v4CanonicalRequest({ method, bucket, ...(key ? { key } : {}), headers, query }, []));
        headers.authorization = `OSS4-HMAC-SHA256 Credential=${accessKeyId}/${v4Scope(day, server.region)},Signature=${v4Signature(secret, day, server.region, sts)}`;
      } else {
        headers.date = date.toUTCString();
        headers.authorization = `OSS ${accessKeyId}:${v1Signature(secret, v1StringToSign({ method, bucket, ...(key ? { key } : {}), headers, query }))}`;
      }
    }
    const path = `/${bucket}/${key === undefined ? '' : key.split('/').map(encodeURIComponent).join('/')}`;
    const qs = query.map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
    const res = await fetch(`${server.endpoint}${path}${qs ? `?${qs}` : ''}`, { method, headers, ...(body ? { body } : {}) });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  const tag = (xml: string, name: string): string[] => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]!);

  it('rejects a request signed with a wrong secret: 403 SignatureDoesNotMatch with the OSS error body (V1 and V4)', async () => {
    for (const v4 of [false, true]) {
      const res = await call('GET', 'anything', { secret: 'not-the-secret', v4 });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/xml');
      expect(tag(res.text, 'Code')).toEqual(['SignatureDoesNotMatch']);
      expect(tag(res.text, 'RequestId')[0]).toBe(res.headers.get('x-oss-request-id'));
      expect(tag(res.text, 'StringToSign')[0]).toBeTruthy();
      const ok = await call('GET', 'anything', { v4 });
      expect(ok.status).toBe(404);
      expect(tag(ok.text, 'Code')).toEqual(['NoSuchKey']);
    }
  });

  it('refuses unknown keys, anonymous requests and skewed clocks', async () => {
    expect(tag((await call('GET', 'x', { accessKeyId: 'LTAIunknown' })).text, 'Code')).toEqual(['InvalidAccessKeyId']);
    const anonymous = await call('GET', 'x', { unsigned: true });
    expect([anonymous.status, tag(anonymous.text, 'Code')]).toEqual([403, ['AccessDenied']]);
    const skewed = await call('GET', 'x', { date: new Date(Date.now() - 20 * 60 * 1000) });
    expect([skewed.status, tag(skewed.text, 'Code')]).toEqual([403, ['RequestTimeTooSkewed']]);
  });

  it('STS keys need their token and stop working when they expire', async () => {
    const sts = server.keys.issueTemporary(60_000);
    const withToken = { accessKeyId: sts.accessKeyId, secret: sts.accessKeySecret, headers: { 'x-oss-security-token': sts.securityToken! } };
    expect((await call('PUT', 'sts/object', { ...withToken, body: 'x' })).status).toBe(200);
    expect(tag((await call('GET', 'sts/object', { accessKeyId: sts.accessKeyId, secret: sts.accessKeySecret })).text, 'Code')).toEqual(['InvalidSecurityToken']);
    server.keys.expire(sts.accessKeyId);
    const expired = await call('GET', 'sts/object', withToken);
    expect([expired.status, tag(expired.text, 'Code'), expired.headers.get('x-oss-ec')]).toEqual([403, ['SecurityTokenExpired'], '0002-00000007']);
  });

  it('PutObject answers as the reference example: ETag is the MD5, Content-MD5 returned', async () => {
    const res = await call('PUT', 'test.txt', { body: '', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"D41D8CD98F00B204E9800998ECF8427E"');
    expect(res.headers.get('content-md5')).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    const bad = await call('PUT', 'test.txt', { body: 'abc', headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' } });
    expect([bad.status, tag(bad.text, 'Code')]).toEqual([400, ['InvalidDigest']]);
  });

  it('PutObject honours no conditional header: If-Match and friends are 400 NotImplemented (EC 0017-00000245)', async () => {
    for (const header of ['If-Match', 'If-None-Match', 'If-Modified-Since', 'If-Unmodified-Since']) {
      const res = await call('PUT', 'cond.txt', { body: 'x', headers: { [header]: header.includes('Since') ? new Date().toUTCString() : '"abc"' } });
      expect(res.status).toBe(400);
      expect(tag(res.text, 'Code')).toEqual(['NotImplemented']);
      expect(tag(res.text, 'Header')).toEqual([header]);
      expect(res.headers.get('x-oss-ec')).toBe('0017-00000245');
    }
  });

  it('x-oss-forbid-overwrite: 409 FileAlreadyExists on an existing key; only true/false are valid', async () => {
    expect((await call('PUT', 'once', { body: 'first', headers: { 'x-oss-forbid-overwrite': 'true' } })).status).toBe(200);
    const again = await call('PUT', 'once', { body: 'second', headers: { 'x-oss-forbid-overwrite': 'true' } });
    expect([again.status, tag(again.text, 'Code')]).toEqual([409, ['FileAlreadyExists']]);
    expect((await call('GET', 'once')).text).toBe('first');
    const invalid = await call('PUT', 'once', { body: 'x', headers: { 'x-oss-forbid-overwrite': 'abc' } });
    expect([invalid.status, tag(invalid.text, 'Code'), invalid.headers.get('x-oss-ec')]).toEqual([400, ['InvalidArgument'], '0017-00000279']);
    expect((await call('PUT', 'once', { body: 'third', headers: { 'x-oss-forbid-overwrite': 'false' } })).status).toBe(200);
  });

  it('16 concurrent forbid-overwrite creators of one key: exactly one wins, the others get 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => call('PUT', 'race', { body: `writer ${i}`, headers: { 'x-oss-forbid-overwrite': 'true' }, v4: i % 2 === 0 })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(15);
    const winner = results.findIndex((r) => r.status === 200);
    expect((await call('GET', 'race')).text).toBe(`writer ${winner}`);
  });

  it('GetObject Range as in the reference example (206 bytes 100-900/344606); an invalid range gives the whole object', async () => {
    const data = Buffer.alloc(344606, 7);
    await call('PUT', 'oss.jpg', { body: data, headers: { 'content-type': 'image/jpg' } });
    const res = await call('GET', 'oss.jpg', { headers: { range: 'bytes=100-900' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 100-900/344606');
    expect(res.headers.get('content-length')).toBe('801');
    expect(res.headers.get('x-oss-object-type')).toBe('Normal');
    const whole = await call('GET', 'oss.jpg', { headers: { range: 'bytes=400000-500000' } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-range')).toBeNull();
    expect(whole.headers.get('content-length')).toBe('344606');
  });

  it('GetObject/HeadObject conditions: If-Match → 412, If-None-Match → 304', async () => {
    const put = await call('PUT', 'conditional', { body: 'c' });
    const etag = put.headers.get('etag')!;
    expect((await call('GET', 'conditional', { headers: { 'if-match': etag } })).status).toBe(200);
    const failed = await call('GET', 'conditional', { headers: { 'if-match': '"0000"' } });
    expect([failed.status, tag(failed.text, 'Code')]).toEqual([412, ['PreconditionFailed']]);
    expect((await call('GET', 'conditional', { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await call('HEAD', 'conditional', { headers: { 'if-match': '"0000"' } })).status).toBe(412);
    const missing = await call('HEAD', 'no-such-object');
    expect([missing.status, missing.text]).toEqual([404, '']);
    // No body on HEAD: the error document comes base64-encoded in x-oss-err.
    expect(tag(Buffer.from(missing.headers.get('x-oss-err')!, 'base64').toString(), 'Code')).toEqual(['NoSuchKey']);
  });

  it('ListObjectsV2 as the reference describes prefix, delimiter, start-after and continuation', async () => {
    for (const k of ['fun/test.jpg', 'fun/movie/001.avi', 'fun/movie/007.avi']) await call('PUT', k, { body: k });
    const list = (query: [string, string][]) => call('GET', undefined, { query: [['list-type', '2'], ...query] });
    const all = await list([['prefix', 'fun/']]);
    expect(tag(all.text, 'Key')).toEqual(['fun/movie/001.avi', 'fun/movie/007.avi', 'fun/test.jpg']);
    const level = await list([['prefix', 'fun/'], ['delimiter', '/']]);
    expect(tag(level.text, 'Key')).toEqual(['fun/test.jpg']);
    expect(tag(level.text, 'Prefix')).toEqual(['fun/', 'fun/movie/']);
    expect(tag(level.text, 'KeyCount')).toEqual(['2']);
    const after = await list([['prefix', 'fun/'], ['start-after', 'fun/movie/001.avi']]);
    expect(tag(after.text, 'Key')).toEqual(['fun/movie/007.avi', 'fun/test.jpg']);
    // Pages of one entry, a common prefix counting as one.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await list([['prefix', 'fun/'], ['delimiter', '/'], ['max-keys', '1'], ...(token ? ([['continuation-token', token]] as [string, string][]) : [])]);
      seen.push(...tag(page.text, 'Key'), ...tag(page.text, 'Prefix').filter((p) => p !== 'fun/'));
      token = tag(page.text, 'NextContinuationToken')[0];
      expect(tag(page.text, 'IsTruncated')).toEqual([token ? 'true' : 'false']);
    } while (token);
    expect(seen).toEqual(['fun/movie/', 'fun/test.jpg']);
    const encoded = await list([['prefix', 'fun/'], ['encoding-type', 'url']]);
    expect(tag(encoded.text, 'Key')).toEqual(['fun%2Fmovie%2F001.avi', 'fun%2Fmovie%2F007.avi', 'fun%2Ftest.jpg']);
    expect((await list([['max-keys', '1001']])).status).toBe(400);
  });

  it('DeleteMultipleObjects: verbose lists every key (missing ones too), quiet answers with no body', async () => {
    for (const k of ['multipart.data', 'test.jpg']) await call('PUT', k, { body: k });
    const xml = (quiet: boolean) =>
      `<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>${quiet}</Quiet><Object><Key>multipart.data</Key></Object><Object><Key>test.jpg</Key></Object><Object><Key>demo.jpg</Key></Object></Delete>`;
    const verbose = await call('POST', undefined, { query: [['delete', '']], body: xml(false) });
    expect(verbose.status).toBe(200);
    expect(tag(verbose.text, 'Key')).toEqual(['multipart.data', 'test.jpg', 'demo.jpg']);
    expect((await call('GET', 'test.jpg')).status).toBe(404);
    const quiet = await call('POST', undefined, { query: [['delete', '']], body: xml(true) });
    expect([quiet.status, quiet.text]).toEqual([200, '']);
    const malformed = await call('POST', undefined, { query: [['delete', '']], body: '<Delete><Object>' });
    expect(tag(malformed.text, 'Code')).toEqual(['MalformedXML']);
  });

  it('CopyObject copies data and metadata; forbid-overwrite and source conditions apply', async () => {
    await call('PUT', 'src', { body: 'copy me', headers: { 'x-oss-meta-sha256': 'abc', 'content-type': 'text/plain' } });
    const copy = await call('PUT', 'dst', { headers: { 'x-oss-copy-source': `/${bucket}/src` } });
    expect(copy.status).toBe(200);
    expect(tag(copy.text, 'ETag')).toHaveLength(1);
    const head = await call('HEAD', 'dst');
    expect([head.headers.get('x-oss-meta-sha256'), head.headers.get('content-type')]).toEqual(['abc', 'text/plain']);
    const refused = await call('PUT', 'dst', { headers: { 'x-oss-copy-source': `/${bucket}/src`, 'x-oss-forbid-overwrite': 'true' } });
    expect(refused.status).toBe(409);
    const stale = await call('PUT', 'dst2', { headers: { 'x-oss-copy-source': `/${bucket}/src`, 'x-oss-copy-source-if-match': '"00"' } });
    expect(stale.status).toBe(412);
  });

  it('multipart upload: parts, the 100 KB minimum, the -N ETag, and forbid-overwrite at completion', async () => {
    const init = await call('POST', 'multipart.data', { query: [['uploads', '']], headers: { 'content-type': 'application/octet-stream' } });
    const uploadId = tag(init.text, 'UploadId')[0]!;
    const part1 = Buffer.alloc(100 * 1024, 1);
    const part2 = Buffer.from('tail');
    const etags: string[] = [];
    for (const [n, data] of [[1, part1], [2, part2]] as const) {
      const res = await call('PUT', 'multipart.data', { query: [['partNumber', String(n)], ['uploadId', uploadId]], body: data });
      etags.push(res.headers.get('etag')!);
    }
    const complete = (ids: string, parts: [number, string][], headers: Record<string, string> = {}) =>
      call('POST', 'multipart.data', {
        query: [['uploadId', ids]],
        headers,
        body: `<CompleteMultipartUpload>${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
      });
    expect(tag((await complete(uploadId, [[2, etags[1]!], [1, etags[0]!]])).text, 'Code')).toEqual(['InvalidPartOrder']);
    expect(tag((await complete(uploadId, [[1, '"00"'], [2, etags[1]!]])).text, 'Code')).toEqual(['InvalidPart']);
    const done = await complete(uploadId, [[1, etags[0]!], [2, etags[1]!]]);
    expect(done.status).toBe(200);
    expect(tag(done.text, 'ETag')[0]).toMatch(/^"[0-9A-F]{32}-2"$/);
    expect((await call('GET', 'multipart.data')).text.length).toBe(part1.length + part2.length);
    expect((await complete(uploadId, [[1, etags[0]!]])).status).toBe(404);

    const small = tag((await call('POST', 'small', { query: [['uploads', '']] })).text, 'UploadId')[0]!;
    const e1 = (await call('PUT', 'small', { query: [['partNumber', '1'], ['uploadId', small]], body: 'a' })).headers.get('etag')!;
    const e2 = (await call('PUT', 'small', { query: [['partNumber', '2'], ['uploadId', small]], body: 'b' })).headers.get('etag')!;
    const tooSmall = await call('POST', 'small', {
      query: [['uploadId', small]],
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>${e2}</ETag></Part></CompleteMultipartUpload>`,
    });
    expect(tag(tooSmall.text, 'Code')).toEqual(['EntityTooSmall']);

    const second = tag((await call('POST', 'multipart.data', { query: [['uploads', '']] })).text, 'UploadId')[0]!;
    const e = (await call('PUT', 'multipart.data', { query: [['partNumber', '1'], ['uploadId', second]], body: 'x' })).headers.get('etag')!;
    const refused = await call('POST', 'multipart.data', {
      query: [['uploadId', second]],
      headers: { 'x-oss-forbid-overwrite': 'true' },
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e}</ETag></Part></CompleteMultipartUpload>`,
    });
    expect([refused.status, tag(refused.text, 'Code'), refused.headers.get('x-oss-ec')]).toEqual([409, ['FileAlreadyExists'], '0042-00000214']);
    expect((await call('DELETE', 'multipart.data', { query: [['uploadId', second]] })).status).toBe(204);
  });

  it('bucket versioning: reported by GetBucketVersioning; forbid-overwrite no longer applies once enabled', async () => {
    const create = await call('PUT', undefined, {});
    expect([create.status, tag(create.text, 'Code')]).toEqual([409, ['BucketAlreadyExists']]);
    const before = await call('GET', undefined, { query: [['versioning', '']] });
    expect(tag(before.text, 'Status')).toEqual([]);
    const body = '<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>';
    expect((await call('PUT', undefined, { query: [['versioning', '']], body })).status).toBe(200);
    expect(tag((await call('GET', undefined, { query: [['versioning', '']] })).text, 'Status')).toEqual(['Enabled']);
    const first = await call('PUT', 'versioned', { body: '1', headers: { 'x-oss-forbid-overwrite': 'true' } });
    expect(first.headers.get('x-oss-version-id')).toBeTruthy();
    expect((await call('PUT', 'versioned', { body: '2', headers: { 'x-oss-forbid-overwrite': 'true' } })).status).toBe(200);
    expect((await call('GET', 'versioned')).text).toBe('2');
  });

  it('versioned bucket: writes keep versions, DeleteObject adds a delete marker, GetObject reads a version, ListObjectVersions pages', async () => {
    const versioning = (status: string) => `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`;
    expect((await call('PUT', undefined, { query: [['versioning', '']], body: versioning('Enabled') })).status).toBe(200);
    const ids: string[] = [];
    for (const body of ['1', '2', '3']) ids.push((await call('PUT', 'v/a', { body })).headers.get('x-oss-version-id')!);
    expect(new Set(ids).size).toBe(3);
    const deleted = await call('DELETE', 'v/a');
    const marker = deleted.headers.get('x-oss-version-id')!;
    expect([deleted.status, deleted.headers.get('x-oss-delete-marker'), ids.includes(marker)]).toEqual([204, 'true', false]);

    const current = await call('GET', 'v/a');
    expect([current.status, tag(current.text, 'Code'), current.headers.get('x-oss-delete-marker'), current.headers.get('x-oss-version-id')]).toEqual([404, ['NoSuchKey'], 'true', marker]);
    const first = await call('GET', 'v/a', { query: [['versionId', ids[0]!]] });
    expect([first.status, first.text, first.headers.get('x-oss-version-id')]).toEqual([200, '1', ids[0]]);
    expect((await call('HEAD', 'v/a', { query: [['versionId', ids[1]!]] })).headers.get('content-length')).toBe('1');
    const missing = await call('GET', 'v/a', { query: [['versionId', 'CAEQNRiBgICv8uaA0BYiIDliZDc3MTc1NjE5MjRkMDI4ZGU4MTZkYjY1ZDgy']] });
    expect([missing.status, tag(missing.text, 'Code')]).toEqual([404, ['NoSuchVersion']]);
    const ofMarker = await call('GET', 'v/a', { query: [['versionId', marker]] });
    expect([ofMarker.status, ofMarker.headers.get('x-oss-delete-marker')]).toEqual([404, 'true']);

    await call('PUT', 'v/b', { body: 'b' });
    const all = await call('GET', undefined, { query: [['versions', ''], ['prefix', 'v/']] });
    expect(tag(all.text, 'Key')).toEqual(['v/a', 'v/a', 'v/a', 'v/a', 'v/b']);
    expect(tag(all.text, 'VersionId').slice(0, 4)).toEqual([marker, ids[2], ids[1], ids[0]]);
    expect(tag(all.text, 'IsLatest')).toEqual(['true', 'false', 'false', 'false', 'true']);
    expect(all.text).toContain(`<DeleteMarker>\n    <Key>v/a</Key>\n    <VersionId>${marker}</VersionId>`);
    expect(tag(all.text, 'Size')).toEqual(['1', '1', '1', '1']);
    // ListObjectsV2 shows current versions only: v/a's is a delete marker.
    expect(tag((await call('GET', undefined, { query: [['list-type', '2'], ['prefix', 'v/']] })).text, 'Key')).toEqual(['v/b']);

    // Two at a time, resuming from NextKeyMarker / NextVersionIdMarker, gives the same entries.
    const paged: string[] = [];
    let markers: [string, string][] = [];
    for (;;) {
      const page = await call('GET', undefined, { query: [['versions', ''], ['prefix', 'v/'], ['max-keys', '2'], ...markers] });
      paged.push(...tag(page.text, 'VersionId'));
      if (tag(page.text, 'IsTruncated')[0] !== 'true') break;
      markers = [['key-marker', tag(page.text, 'NextKeyMarker')[0]!], ['version-id-marker', tag(page.text, 'NextVersionIdMarker')[0]!]];
    }
    expect(paged).toEqual(tag(all.text, 'VersionId'));
    expect(tag((await call('GET', undefined, { query: [['versions', ''], ['delimiter', '/']] })).text, 'Prefix')).toContain('v/');
    const noKeyMarker = await call('GET', undefined, { query: [['versions', ''], ['version-id-marker', ids[0]!]] });
    expect([noKeyMarker.status, tag(noKeyMarker.text, 'Code')]).toEqual([400, ['InvalidArgument']]);

    // DeleteObject with the marker's version id removes it for good: the newest object version is current again.
    const unmarked = await call('DELETE', 'v/a', { query: [['versionId', marker]] });
    expect([unmarked.status, unmarked.headers.get('x-oss-delete-marker'), unmarked.headers.get('x-oss-version-id')]).toEqual([204, 'true', marker]);
    expect((await call('GET', 'v/a')).text).toBe('3');
    // CopyObject of an old version.
    const copied = await call('PUT', 'v/copy', { headers: { 'x-oss-copy-source': `/${bucket}/v/a?versionId=${ids[0]}` } });
    expect(copied.status).toBe(200);
    expect((await call('GET', 'v/copy')).text).toBe('1');

    // Suspended: writes and deletes replace the one `null` version.
    expect((await call('PUT', undefined, { query: [['versioning', '']], body: versioning('Suspended') })).status).toBe(200);
    expect((await call('PUT', 'v/s', { body: 'x' })).headers.get('x-oss-version-id')).toBe('null');
    expect((await call('PUT', 'v/s', { body: 'y' })).headers.get('x-oss-version-id')).toBe('null');
    const suspended = await call('GET', undefined, { query: [['versions', ''], ['prefix', 'v/s']] });
    expect([tag(suspended.text, 'VersionId'), tag(suspended.text, 'Size')]).toEqual([['null'], ['1']]);
    expect((await call('GET', 'v/s', { query: [['versionId', 'null']] })).text).toBe('y');
  });
});
