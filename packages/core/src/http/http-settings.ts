/**
 * http/ owns the HTTP settings every network backend shares: proxies (HTTPS_PROXY/HTTP_PROXY with
 * NO_PROXY), extra CA certificates (NODE_EXTRA_CA_CERTS plus a per-cloud variable such as AWS_CA_BUNDLE),
 * and one global request timeout (STATESTORE_TIMEOUT, seconds; default 60). Drivers turn these into their
 * SDK's agent or dispatcher with `nodeAgents`. The proxy agent (https-proxy-agent) is loaded only when a
 * proxy is configured.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { rootCertificates } from 'node:tls';
import type { HttpsProxyAgent } from 'https-proxy-agent';
import { InvalidConfigError } from '../errors/errors.js';
import { timeoutMsFrom } from './deadlines.js';

export interface HttpSettings {
  /** Proxy URL to use for this target, if any. */
  proxy?: string;
  /** PEM certificates to trust in addition to Node's roots. */
  extraCa: string[];
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** Skip TLS verification (only when a backend's own variable asks for it, e.g. VAULT_SKIP_VERIFY). */
  insecure: boolean;
}

export interface HttpSettingsOptions {
  env?: NodeJS.ProcessEnv;
  /** Name of the cloud's own CA-bundle variable (AWS_CA_BUNDLE, VAULT_CACERT, OS_CACERT, …). */
  caBundleVariable?: string;
  insecure?: boolean;
}

export function httpSettingsFor(targetUrl: string, options: HttpSettingsOptions = {}): HttpSettings {
  const env = options.env ?? process.env;
  const extraCa: string[] = [];
  for (const variable of ['NODE_EXTRA_CA_CERTS', options.caBundleVariable]) {
    const file = variable ? env[variable] : undefined;
    if (!file) continue;
    try {
      extraCa.push(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new InvalidConfigError(`${variable}=${file} cannot be read (${(e as NodeJS.ErrnoException).code}); point it at a PEM file or unset it`);
    }
  }
  const proxy = proxyFor(targetUrl, env);
  return { ...(proxy ? { proxy } : {}), extraCa, timeoutMs: timeoutMsFrom(env), insecure: options.insecure ?? false };
}

/** The proxy for a URL by the usual variables, honouring NO_PROXY (hosts, domains, `*`, host:port). */
export function proxyFor(targetUrl: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = new URL(targetUrl);
  const proxy = url.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const rule of noProxy) {
    if (rule === '*') return undefined;
    const [ruleHost, rulePort] = rule.split(':') as [string, string | undefined];
    if (rulePort && rulePort !== port) continue;
    const bare = ruleHost.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return undefined;
  }
  return proxy;
}

/** Node agents built from the settings (keep-alive; proxy and CAs applied). */
export function nodeAgents(settings: HttpSettings): { http: http.Agent; https: https.Agent } {
  const tls = {
    ...(settings.extraCa.length > 0 ? { ca: [...rootCertificates, ...settings.extraCa] } : {}),
    ...(settings.insecure ? { rejectUnauthorized: false } : {}),
  };
  if (settings.proxy) {
    const agent = new (tunnelAgentClass())(settings.proxy, tls);
    return { http: agent as unknown as http.Agent, https: agent as unknown as https.Agent };
  }
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true, ...tls }) };
}

type TunnelAgent = HttpsProxyAgent<string>;
type TunnelTls = { ca?: string[]; rejectUnauthorized?: boolean };
let tunnelAgent: (new (proxy: string, tls: TunnelTls) => TunnelAgent) | undefined;

/**
 * HttpsProxyAgent gives its constructor's TLS options to the connection to the proxy only; the TLS upgrade to
 * the target through the tunnel takes the request's options. This agent applies the CAs and `insecure` to both.
 * Defined on first use: `nodeAgents` is synchronous, so the (CommonJS) package is required, not imported.
 */
function tunnelAgentClass(): new (proxy: string, tls: TunnelTls) => TunnelAgent {
  if (tunnelAgent) return tunnelAgent;
  const { HttpsProxyAgent: Base } = createRequire(import.meta.url)('https-proxy-agent') as typeof import('https-proxy-agent');
  tunnelAgent = class extends Base<string> {
    constructor(
      proxy: string,
      private readonly tls: TunnelTls,
    ) {
      super(proxy, { keepAlive: true, ...tls });
    }

    override connect(req: http.ClientRequest, opts: Parameters<TunnelAgent['connect']>[1]): ReturnType<TunnelAgent['connect']> {
      return super.connect(req, { ...opts, ...this.tls } as typeof opts);
    }
  };
  return tunnelAgent;
}
