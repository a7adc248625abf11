/**
 * The fast path's connection pool: one undici keep-alive pool (Agent) per client, built from core's HTTP
 * settings as the SDK path's node agents are: HTTPS_PROXY/HTTP_PROXY with NO_PROXY (a CONNECT tunnel, as
 * core's TunnelAgent), AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS on top of Node's roots, and STATESTORE_TIMEOUT
 * as the connect limit and the longest wait for an answer's headers or between two chunks of its body (the
 * SDK path's idle-socket limit). Whole-call deadlines stay with core's deadline layer (through the signal).
 */
import { rootCertificates } from 'node:tls';
import type { HttpSettings } from '@statestore/core/driver-kit';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';

/** Connections kept per origin: above core's sync transfers and checkers together, below what a server minds. */
const CONNECTIONS_PER_ORIGIN = 128;

/** A keep-alive pool for one client's settings. */
export function createDispatcher(settings: HttpSettings): Dispatcher {
  const tls = {
    ...(settings.extraCa.length > 0 ? { ca: [...rootCertificates, ...settings.extraCa] } : {}),
    ...(settings.insecure ? { rejectUnauthorized: false } : {}),
  };
  const limits = { headersTimeout: settings.timeoutMs, bodyTimeout: settings.timeoutMs, connections: CONNECTIONS_PER_ORIGIN };
  const connectTimeout = Math.min(settings.timeoutMs, 30_000);
  if (settings.proxy) {
    return new ProxyAgent({ uri: settings.proxy, requestTls: { ...tls, timeout: connectTimeout }, proxyTls: { ...tls, timeout: connectTimeout }, ...limits });
  }
  return new Agent({ connect: { ...tls, timeout: connectTimeout }, ...limits });
}
