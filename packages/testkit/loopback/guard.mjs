/**
 * The loopback guard owns "tests only ever talk to this machine". Loaded with `node --import` into every
 * test process (vitest's workers through NODE_OPTIONS, see ./vitest.mjs, and every CLI a test spawns, which
 * inherits NODE_OPTIONS), it makes any outgoing connection or DNS query for a host other than 127.0.0.1,
 * ::1 or localhost throw a LoopbackOnlyError at once. A test whose S3_ENDPOINT (or any other endpoint
 * variable) is missing therefore fails on its first request instead of reaching a cloud endpoint or a
 * metadata address (169.254.169.254, 100.100.100.200). Every refusal is also recorded in `refusedHosts()`,
 * so a test can show that a library which swallows errors still never got through. Plain JavaScript, so
 * it needs no build and any package's vitest config can point at it.
 */
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const STATE = Symbol.for('statestore.loopbackGuard');
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost']);

/** Thrown for a connection or lookup that would leave the machine. */
export class LoopbackOnlyError extends Error {
  constructor(what, host) {
    super(
      `loopback guard: refused ${what} ${host}; tests may only reach 127.0.0.1, ::1 or localhost. ` +
        'A test that gets here is missing an endpoint variable (S3_ENDPOINT, STORAGE_EMULATOR_HOST, OS_AUTH_URL, VAULT_ADDR, ...) or a test server.',
    );
    this.name = 'LoopbackOnlyError';
    this.code = 'ERR_STATESTORE_LOOPBACK_ONLY';
    this.host = host;
  }
}

/** True when the guard is installed in this process. */
export function loopbackGuardActive() {
  return globalThis[STATE] !== undefined;
}

/** Every host this process was refused, in order (empty when nothing tried to leave). */
export function refusedHosts() {
  return [...(globalThis[STATE]?.refused ?? [])];
}

function isLoopback(host) {
  return LOOPBACK.has(String(host).toLowerCase().replace(/^\[|\]$/g, ''));
}

function refuse(what, host) {
  globalThis[STATE].refused.push(String(host));
  throw new LoopbackOnlyError(what, host);
}

/** Where `socket.connect(...args)` goes: `{ host }`, or undefined for a local (IPC) path. */
function targetOf(args) {
  // net.connect() hands connect() its normalised [options, callback] array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  // As in Node's net: a truthy `path` is an IPC socket (http's agent passes `path: null` for TCP).
  if (first !== null && typeof first === 'object') return first.path ? undefined : { host: first.host || 'localhost' };
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost' };
}

function install() {
  if (globalThis[STATE]) return;
  globalThis[STATE] = { refused: [] };

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function guardedConnect(...args) {
    const target = targetOf(args);
    if (target && !isLoopback(target.host)) refuse('a connection to', target.host);
    return connect.apply(this, args);
  };

  // Callback functions throw at the call; promise functions reject.
  const guardFirstArgument = (owner, names, what, promises) => {
    for (const name of names) {
      const original = owner[name];
      if (typeof original !== 'function') continue;
      owner[name] = function guarded(host, ...rest) {
        if (!isLoopback(host)) {
          if (!promises) refuse(what, host);
          try {
            refuse(what, host);
          } catch (e) {
            return Promise.reject(e);
          }
        }
        return original.call(this, host, ...rest);
      };
    }
  };
  const queries = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveTxt', 'resolveSrv', 'resolveNs', 'resolveMx', 'resolveCaa', 'resolveNaptr', 'resolvePtr', 'resolveSoa'];
  guardFirstArgument(dns, ['lookup', ...queries], 'a DNS lookup of', false);
  guardFirstArgument(dns.Resolver.prototype, queries, 'a DNS lookup of', false);
  guardFirstArgument(dns.promises, ['lookup', ...queries], 'a DNS lookup of', true);
  guardFirstArgument(dns.promises.Resolver.prototype, queries, 'a DNS lookup of', true);
  // `import { lookup } from 'node:dns'` sees the guarded functions too.
  syncBuiltinESMExports();
}

install();
