/**
 * A proxy on 127.0.0.1 in front of OpenStack Swift whose container listings leave out every object created
 * less than `hideMs` ago (counted from when Swift answered its PUT): what a client sees when container
 * updates lag behind object writes (Swift's "async pendings", when a container server is slow or down).
 * Objects stay readable by name meanwhile; overwrites of an object already listed and deletes are passed
 * through as they are. It shows the limit of a lease kept by listing (core's candidate protocol): safe
 * while new objects show within its settle delay, not beyond. tempauth's storage URL follows the Host
 * header, so pointing OS_AUTH_URL at the proxy sends all traffic through it. Built on the recording
 * proxy's rewrite of answers.
 */
import { startRecordingProxy } from './recording-proxy.js';

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
  const proxy = await startRecordingProxy(target.origin, {
    rewrite: (request, response) => {
      // /v1/<account>/<container>[/<object>]
      const [, version, account, container, ...object] = request.path.split('/');
      if (version !== 'v1' || !account || !container) return undefined;
      const ok = response.status < 300;
      if (object.join('/') !== '') {
        const objectKey = `${account}/${container}/${decodeURIComponent(object.join('/'))}`;
        if (ok && request.method === 'PUT' && !created.has(objectKey)) created.set(objectKey, Date.now());
        if (request.method === 'DELETE') created.delete(objectKey);
        return undefined;
      }
      if (object.length > 0 || request.method !== 'GET' || !ok || !/json/.test(String(response.headers['content-type']))) return undefined;
      counts.listings++;
      const entries = JSON.parse(response.body.toString('utf8')) as { name?: string }[];
      const now = Date.now();
      const shown = entries.filter((e) => {
        const at = e.name === undefined ? undefined : created.get(`${account}/${container}/${e.name}`);
        const hidden = at !== undefined && now - at < hideMs;
        if (hidden) counts.hidden++;
        return !hidden;
      });
      return { ...response, body: Buffer.from(JSON.stringify(shown)) };
    },
  });
  return {
    url: proxy.endpoint,
    counts,
    setHideMs: (ms) => {
      hideMs = ms;
    },
    close: () => proxy.stop(),
  };
}
