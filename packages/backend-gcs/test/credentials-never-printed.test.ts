/**
 * Credentials are never printed, whatever holds them: a `user:password@` part in STORAGE_EMULATOR_HOST
 * (dropped; the emulator still works), a key pair pasted into the store URL with a secret containing `/`,
 * and `?token=`, `X-Amz-Signature=`, `X-Amz-Credential=` in it. Errors (with their causes), describe() and
 * notices are checked, against fake-gcs-server.
 */
import { describe, expect, it } from 'vitest';
import { parseUrl } from '@statestore/core';
import { credentialUrls, leakedSecrets, shownBy, withUserinfo } from '@statestore/testkit/credential-forms';
import plugin from '../src/index.js';
import { emulator, memoryLogger, newBucket, openGs } from './helpers.js';

describe('credentials are never printed', () => {
  it.each(credentialUrls('gs', 'creds-bucket', 'cluster/config'))('a store URL with $form', async ({ url }) => {
    const logger = memoryLogger();
    const shown = await shownBy(async () => (await openGs(url, { logger, retry: { maxAttempts: 1 } })).readFile());
    expect(shown).toContain('***');
    expect(leakedSecrets(shown + logger.lines.join('\n'))).toEqual([]);
  });

  it('STORAGE_EMULATOR_HOST with user:password@ still works, and no message, notice or description shows the password', async () => {
    const host = withUserinfo(emulator());
    const bucket = await newBucket('creds');
    const logger = memoryLogger();
    const file = await openGs(`gs://${bucket}/config`, { host, logger });
    await file.writeFile('kind: Cluster');
    expect(await file.readText()).toBe('kind: Cluster');
    const missing = await shownBy(async () => (await openGs('gs://no-such-bucket-creds/x', { host, retry: { maxAttempts: 1 } })).readFile());
    const description = await shownBy(() => plugin.describe!(parseUrl(`gs://${bucket}/`), { env: { STORAGE_EMULATOR_HOST: host }, options: {}, warn: () => undefined }));
    expect(description).toContain(new URL(emulator()).host);
    expect(leakedSecrets([missing, description, ...logger.lines].join('\n'))).toEqual([]);
  });
});
