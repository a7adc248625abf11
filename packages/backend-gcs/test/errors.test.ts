/**
 * The SDK → core error mapping for statuses fake-gcs-server does not produce on demand (401, 403, 429,
 * 5xx, socket errors). The statuses it does produce (404, 412, refused connections) are covered against
 * the server in the other files.
 */
import { isNotFound, isPermissionDenied, isPreconditionFailed, isTransient, registerSecret } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { mapGcsError } from '../src/errors.js';

const context = { url: 'gs://bucket/cluster/config', bucket: 'bucket' };
const apiError = (code: number, message = 'boom') => Object.assign(new Error(message), { code });

describe('mapGcsError', () => {
  it('maps statuses to core errors that name the URL', () => {
    expect(isNotFound(mapGcsError(apiError(404), context))).toBe(true);
    expect(isPreconditionFailed(mapGcsError(apiError(412), context))).toBe(true);
    for (const code of [401, 403]) expect(isPermissionDenied(mapGcsError(apiError(code), context)), String(code)).toBe(true);
    for (const code of [408, 429, 500, 502, 503, 504]) expect(isTransient(mapGcsError(apiError(code), context)), String(code)).toBe(true);
    // gaxios (resumable uploads) puts the status on the response.
    expect(isTransient(mapGcsError(Object.assign(new Error('x'), { response: { status: 503 } }), context))).toBe(true);
    for (const e of [apiError(403), apiError(503)]) expect(mapGcsError(e, context).message).toContain('gs://bucket/cluster/config');
    expect(mapGcsError(apiError(403), context).message).toContain('bucket bucket');
  });

  it('dropped connections and timeouts are Transient; a bad certificate is not', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'ERR_STREAM_PREMATURE_CLOSE']) {
      expect(isTransient(mapGcsError(Object.assign(new Error(code), { code }), context)), code).toBe(true);
    }
    expect(isTransient(mapGcsError(Object.assign(new Error('t'), { type: 'request-timeout' }), context))).toBe(true);
    expect(isTransient(mapGcsError(Object.assign(new Error('cert'), { code: 'CERT_HAS_EXPIRED' }), context))).toBe(false);
  });

  it('missing credentials say how to set up Application Default Credentials', () => {
    const e = mapGcsError(new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication'), context);
    expect(isPermissionDenied(e)).toBe(true);
    expect(e.message).toContain('gcloud auth application-default login');
  });

  it('never repeats a token the SDK echoed', () => {
    registerSecret('ya29.very-secret-token');
    const e = mapGcsError(apiError(500, 'upstream said: Authorization: Bearer ya29.very-secret-token'), context);
    expect(e.message).not.toContain('ya29.very-secret-token');
  });
});
