/**
 * A test plugin whose URLs end in a query, as vault://…?tls=false does: `SCHEME://HOST/KEY?opt=1`, keys
 * kept in memory per host. It shows that what joins a relative path onto a store URL keeps the query at
 * the end for any scheme, by asking the backend (urlFor) rather than appending to the string.
 */
import { MemfsBackend, PluginRegistry, definePlugin, resolvePath, type VfsPath } from '../src/index.js';
import { DelegatingBackend } from './delegating-backend.js';

const QUERY = '?opt=1';

class QueryBackend extends DelegatingBackend {
  constructor(
    private readonly scheme: string,
    private readonly host: string,
  ) {
    super(new MemfsBackend());
  }
  override urlFor(key: string): string {
    return `${this.scheme}://${this.host}/${key}${QUERY}`;
  }
}

/** A registry with a query-URL plugin for each of `schemes`. */
export function queryRegistry(...schemes: string[]): PluginRegistry {
  const registry = new PluginRegistry(() => []);
  const hosts = new Map<string, QueryBackend>();
  registry.register(
    definePlugin({
      name: 'query-url-test-plugin',
      schemes,
      async open(url) {
        const id = `${url.scheme}://${url.host}`;
        if (!hosts.has(id)) hosts.set(id, new QueryBackend(url.scheme, url.host));
        return { backend: hosts.get(id)!, key: url.path.endsWith(QUERY) ? url.path.slice(0, -QUERY.length) : url.path };
      },
    }),
  );
  return registry;
}

export function openQuery(url: string, registry: PluginRegistry): Promise<VfsPath> {
  return resolvePath(url, { registry });
}
