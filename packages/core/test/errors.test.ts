import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

describe('typed errors', () => {
  it('each class has a stable code and a guard that works across copies of the package', () => {
    const pairs = [
      [core.NotFoundError, core.isNotFound, 'NotFound'],
      [core.AlreadyExistsError, core.isAlreadyExists, 'AlreadyExists'],
      [core.PreconditionFailedError, core.isPreconditionFailed, 'PreconditionFailed'],
      [core.PermissionDeniedError, core.isPermissionDenied, 'PermissionDenied'],
      [core.InvalidUrlError, core.isInvalidUrl, 'InvalidUrl'],
      [core.BackendNotInstalledError, core.isBackendNotInstalled, 'BackendNotInstalled'],
      [core.UnsupportedError, core.isUnsupported, 'Unsupported'],
      [core.TransientError, core.isTransient, 'Transient'],
      [core.ConflictError, core.isConflict, 'Conflict'],
    ] as const;
    for (const [Cls, guard, code] of pairs) {
      const e = new Cls('m');
      expect(e.code).toBe(code);
      expect(e.name).toBe(`${code}Error`);
      expect(guard(e)).toBe(true);
      expect(e).toBeInstanceOf(core.StatestoreError);
      // A structurally identical error from another copy of core: same code, same global brand.
      const foreign = Object.assign(new Error('m'), { code, [Symbol.for('statestore.error')]: true });
      expect(guard(foreign)).toBe(true);
      expect(guard(Object.assign(new Error('m'), { code }))).toBe(false);
    }
  });
  it('redacts known secret variables and authorization headers', () => {
    const env = { S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI' };
    const out = core.redactSecrets('failed with key wJalrXUtnFEMI and Authorization: AWS4-HMAC-SHA256 Credential=abc', env);
    expect(out).not.toContain('wJalrXUtnFEMI');
    expect(out).not.toContain('Credential=abc');
  });
});
