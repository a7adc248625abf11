/**
 * A pass-through HTTP proxy in front of fake-gcs-server that records every request line, so tests can
 * check what the driver sent (query parameters, how many requests, which upload type). It can also add
 * uniform bucket-level access to bucket resources, a setting fake-gcs-server does not model, so that the
 * ACL rule for such buckets is checked against what the driver actually sends, and drop response headers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, decoded query available through `query`. */
  path: string;
  query: URLSearchParams;
}

export interface RecordingProxy {
  endpoint: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export interface ProxyOptions {
  /** Buckets to report with `iamConfiguration.uniformBucketLevelAccess.enabled = true`. */
  uniformAccessBuckets?: string[];
  /** Response headers to remove from every answer (lowercase), e.g. to act as a server that omits one. */
  dropHeaders?: string[];
}

export async function startRecordingProxy(target: string, options: ProxyOptions = {}): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, query: url.searchParams });
    const bucket = /^\/storage\/v1\/b\/([^/]+)$/.exec(url.pathname)?.[1];
    const patch = req.method === 'GET' && bucket !== undefined && options.uniformAccessBuckets?.includes(decodeURIComponent(bucket));
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        for (const name of options.dropHeaders ?? []) delete up.headers[name];
        if (!patch || up.statusCode !== 200) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const resource = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          resource.iamConfiguration = { uniformBucketLevelAccess: { enabled: true } };
          const body = JSON.stringify(resource);
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(body)) };
          delete headers['transfer-encoding'];
          res.writeHead(200, headers);
          res.end(body);
        });
      },
    );
    forward.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
