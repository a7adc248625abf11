/**
 * Credentials are never printed, whatever holds them: a `user:password@` part in OS_AUTH_URL (dropped;
 * authentication still works), a key pair pasted into the store URL with a secret containing `/`, and
 * `?token=`, `X-Amz-Signature=`, `X-Amz-Credential=` in it. Errors (with their causes) and describe() are
 * checked, against Swift with tempauth.
 */
import { describe, expect, it } from 'vitest';
import { parseUrl } from '@statestore/core';
import { credentialUrls, leakedSecrets, shownBy, withUserinfo } from '@statestore/testkit/credential-forms';
import plugin from '../src/index.js';
import { newContainer, openSwift, tempauthEnv } from './helpers.js';

describe('credentials are never printed', () => {
  it.each(credentialUrls('swift', 'creds-container', 'cluster/config'))('a store URL with $form', async ({ url }) => {
    const shown = await shownBy(async () => (await openSwift(url, tempauthEnv(), { attempts: 1 })).readFile());
    expect(shown).toContain('***');
    expect(leakedSecrets(shown)).toEqual([]);
  });

  it('OS_AUTH_URL with user:password@ still authenticates, and no message or description shows the password', async () => {
    const env = { ...tempauthEnv(), OS_AUTH_URL: withUserinfo(tempauthEnv().OS_AUTH_URL!) };
    const file = await openSwift(`swift://${newContainer('creds')}/config`, env);
    await file.writeFile('kind: Cluster');
    expect(await file.readText()).toBe('kind: Cluster');
    const refused = await shownBy(async () => (await openSwift(`swift://${newContainer('creds')}/x`, { ...env, OS_PASSWORD: 'wrong-password' }, { attempts: 1 })).readFile());
    const description = await shownBy(() => plugin.describe!(parseUrl('swift://creds/'), { env, options: {}, warn: () => undefined }));
    expect(description).toContain(new URL(tempauthEnv().OS_AUTH_URL!).host);
    expect(leakedSecrets(`${refused}\n${description}`)).toEqual([]);
  });
});
