/**
 * A proxy on 127.0.0.1 in front of OpenStack Swift whose container listings leave out every object created
 * less than `hideMs` ago (counted from when Swift answered its PUT): what a client sees when container
 * updates lag behind object writes (Swift's "async pendings", when a container server is slow or down).
 * Objects stay readable by name meanwhile; overwrites of an object already listed and deletes are passed
 * through as they are. It shows the limit of a lease kept by listing (core's candidate protocol): safe
 * while new objects show within its settle delay, not beyond. tempauth's storage URL follows the Host
 * header, so pointing OS_AUTH_URL at the proxy sends all traffic through it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListingDelayProxy {
  url: string;
  /** How many listings were answered, and how many entries they left out. */
  counts: { listings: number; hidden: number };
  /** Changes how long new objects stay out of listings, ms. */
  setHideMs(ms: number): void;
  close(): Promise<void>;
}

export async function startListingDelayProxy(options: { target: string; hideMs: number }): Promise<ListingDelayProxy> {
  const target = new URL(options.target);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`The listing delay proxy only forwards to loopback addresses, not ${target.hostname}`);
  }
  let hideMs = options.hideMs;
  /** `account/container/object` of each object created through the proxy and not deleted since, with when it was created. */
  const created = new Map<string, number>();
  const counts = { listings: 0, hidden: 0 };
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    // /v1/<account>/<container>[/<object>]
    const [, version, account, container, ...object] = url.pathname.split('/');
    const isObject = version === 'v1' && account && container && object.length > 0 && object.join('/') !== '';
    const isListing = version === 'v1' && account && container && object.length === 0 && req.method === 'GET';
    const objectKey = isObject ? `${account}/${container}/${decodeURIComponent(object.join('/'))}` : undefined;
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
      const ok = (up.statusCode ?? 500) < 300;
      if (objectKey && ok && req.method === 'PUT' && !created.has(objectKey)) up.once('end', () => created.set(objectKey, Date.now()));
      if (objectKey && req.method === 'DELETE') created.delete(objectKey);
      if (!isListing || !ok || !/json/.test(String(up.headers['content-type']))) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        counts.listings++;
        const entries = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name?: string }[];
        const now = Date.now();
        const shown = entries.filter((e) => {
          const at = e.name === undefined ? undefined : created.get(`${account}/${container}/${e.name}`);
          const hidden = at !== undefined && now - at < hideMs;
          if (hidden) counts.hidden++;
          return !hidden;
        });
        const body = Buffer.from(JSON.stringify(shown));
        res.writeHead(up.statusCode ?? 200, { ...up.headers, 'content-length': String(body.byteLength) });
        res.end(body);
      });
    });
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    setHideMs: (ms) => {
      hideMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
