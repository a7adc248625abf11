/**
 * A small HTTP server on 127.0.0.1 that answers what region discovery asks on AWS: the EC2 instance
 * metadata service (IMDSv2 token, then placement/region) and, per bucket, GetBucketLocation, HeadBucket
 * and an empty ListObjectsV2. It records each request with the region it was signed for, so tests can
 * see which region the driver actually used.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeBucket {
  /** LocationConstraint value ('' for us-east-1, 'EU', or a region). */
  location?: string;
  /** GetBucketLocation answers 403 AccessDenied (a cross-account bucket without the policy). */
  denyLocation?: boolean;
  /** HeadBucket status (default 200) and its x-amz-bucket-region header. */
  headStatus?: number;
  headRegion?: string;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  signingRegion: string | undefined;
}

export interface AwsRegionServer {
  endpoint: string;
  requests: SeenRequest[];
  buckets: Map<string, FakeBucket>;
  stop(): Promise<void>;
}

const TOKEN = 'imds-test-token';

export async function startAwsRegionServer(metadataRegion: string): Promise<AwsRegionServer> {
  const requests: SeenRequest[] = [];
  const buckets = new Map<string, FakeBucket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const signingRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\/aws4_request/.exec(req.headers.authorization ?? '')?.[1];
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, signingRegion });
    req.resume();
    const send = (status: number, body = '', headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url.pathname === '/latest/api/token' && req.method === 'PUT') return send(200, TOKEN, { 'content-type': 'text/plain' });
    if (url.pathname === '/latest/meta-data/placement/region') {
      return req.headers['x-aws-ec2-metadata-token'] === TOKEN ? send(200, metadataRegion, { 'content-type': 'text/plain' }) : send(401);
    }
    const name = decodeURIComponent(url.pathname.split('/')[1] ?? '');
    const bucket = buckets.get(name);
    const error = (status: number, code: string, extra: Record<string, string> = {}) =>
      send(status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><BucketName>${name}</BucketName></Error>`, extra);
    if (!bucket) return error(404, 'NoSuchBucket');
    if (req.method === 'GET' && url.searchParams.has('location')) {
      if (bucket.denyLocation) return error(403, 'AccessDenied');
      return send(200, `<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${bucket.location ?? ''}</LocationConstraint>`);
    }
    if (req.method === 'HEAD') return send(bucket.headStatus ?? 200, '', bucket.headRegion ? { 'x-amz-bucket-region': bucket.headRegion } : {});
    if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
      return send(
        200,
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${name}</Name><Prefix>${url.searchParams.get('prefix') ?? ''}</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`,
      );
    }
    return error(501, 'NotImplemented');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    buckets,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
