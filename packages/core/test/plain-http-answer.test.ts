/**
 * An https:// endpoint that speaks plain HTTP: a driver that calls a local plain-HTTP server over TLS
 * (node:https and fetch) and reports the failure as a transient network error, as SDKs do. VfsPath turns
 * it into an InvalidConfigError that says what is wrong and names the endpoint, on the first attempt.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemfsBackend, TransientError, isInvalidConfig, isPlainHttpAnswer, pathForBackend, type Backend, type ObjectInfo, type WriteBody } from '../src/index.js';

let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((req, res) => res.end('plain'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** stat over node:https, write over fetch; every failure reported as transient (a network error). */
class TlsDriver implements Backend {
  calls = 0;
  private readonly data = new MemfsBackend();
  get capabilities() {
    return this.data.capabilities;
  }
  urlFor(key: string) {
    return `tls://${key}`;
  }
  async stat(key: string) {
    this.calls++;
    await new Promise((resolve, reject) => https.get(`https://${origin}/${key}`, resolve).on('error', (e) => reject(new TransientError(`network: ${e.message}`, { cause: e }))));
    return this.data.stat(key);
  }
  async write(key: string, body: WriteBody): Promise<ObjectInfo> {
    this.calls++;
    await fetch(`https://${origin}/${key}`, { method: 'PUT', body: 'x' }).catch((e: Error) => {
      throw new TransientError(`network: ${e.message}`, { cause: e });
    });
    return this.data.write(key, body);
  }
  read(key: string) {
    return this.data.read(key);
  }
  delete(key: string) {
    return this.data.delete(key);
  }
  list(prefix: string) {
    return this.data.list(prefix);
  }
}

describe('an https:// endpoint that speaks plain HTTP', () => {
  for (const [transport, call] of [
    ['node:https', (driver: TlsDriver) => pathForBackend(driver).join('a').exists()],
    ['fetch', (driver: TlsDriver) => pathForBackend(driver).join('b').writeFile('x')],
  ] as const) {
    it(`is InvalidConfig saying so and naming the endpoint, never retried (${transport})`, async () => {
      const driver = new TlsDriver();
      const e = (await call(driver).catch((x: unknown) => x)) as Error;
      expect(isInvalidConfig(e), String(e)).toBe(true);
      expect(e.message).toContain(`https://${origin} answers in plain HTTP, not HTTPS`);
      expect(e.message).toContain(`Set the endpoint to http://${origin}`);
      expect(e.message).not.toMatch(/ssl3_get_record|gave up after/);
      expect(isPlainHttpAnswer(e)).toBe(true);
      expect(driver.calls).toBe(1);
    });
  }

  it('is not mistaken for other failures', () => {
    expect(isPlainHttpAnswer(new TransientError('ECONNRESET'))).toBe(false);
    expect(isPlainHttpAnswer(new Error('outer', { cause: Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }) }))).toBe(true);
  });
});
