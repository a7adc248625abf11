/**
 * Credentials are never printed, whatever holds them: a `user:password@` part in OSS_ENDPOINT (dropped;
 * OSS signs requests, so the endpoint still works), a key pair pasted into the store URL with a secret
 * containing `/`, and `?token=`, `X-Amz-Signature=`, `X-Amz-Credential=` in it. Errors (with their causes),
 * describe() and notices are checked, against the OSS-protocol server.
 */
import { describe, expect, it } from 'vitest';
import { parseUrl } from '@statestore/core';
import { credentialUrls, leakedSecrets, shownBy, withUserinfo } from '@statestore/testkit/credential-forms';
import plugin from '../src/index.js';
import { memoryLogger, newBucket, openOss, ossEnv, ossServer } from './helpers.js';

describe('credentials are never printed', () => {
  it.each(credentialUrls('oss', 'creds-bucket', 'cluster/config'))('a store URL with $form', async ({ url }) => {
    const logger = memoryLogger();
    const shown = await shownBy(async () => (await openOss(url, { logger, retry: { maxAttempts: 1 } })).readFile());
    expect(shown).toContain('***');
    expect(leakedSecrets(shown + logger.lines.join('\n'))).toEqual([]);
  });

  it('OSS_ENDPOINT with user:password@ still works, and no message, notice or description shows the password', async () => {
    const env = { OSS_ENDPOINT: withUserinfo(ossServer().endpoint) };
    const bucket = await newBucket('creds');
    const logger = memoryLogger();
    const file = await openOss(`oss://${bucket}/config`, { env, logger });
    await file.writeFile('kind: Cluster');
    expect(await file.readText()).toBe('kind: Cluster');
    const missing = await shownBy(async () => (await openOss('oss://no-such-bucket-creds/x', { env, retry: { maxAttempts: 1 } })).readFile());
    const description = await shownBy(() => plugin.describe!(parseUrl(`oss://${bucket}/`), { env: { ...ossEnv(), ...env }, options: {}, warn: () => undefined }));
    expect(description).toContain(new URL(ossServer().endpoint).host);
    expect(leakedSecrets([missing, description, ...logger.lines].join('\n'))).toEqual([]);
  });
});
