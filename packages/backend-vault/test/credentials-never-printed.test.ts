/**
 * Credentials are never printed, whatever holds them: a token pasted into a vault:// URL as user
 * information (also a secret containing `/`), and `?token=`, `X-Amz-Signature=`, `X-Amz-Credential=` in
 * it. vault:// takes its address from the URL, so there is no endpoint variable to check. Errors (with
 * their causes) are checked, against OpenBao.
 */
import { describe, expect, inject, it } from 'vitest';
import { credentialUrls, leakedSecrets, shownBy } from '@statestore/testkit/credential-forms';
import { resolvePath } from '@statestore/core';
import { registry, vaultEnv } from './helpers.js';

describe('credentials are never printed', () => {
  const server = inject('openbao');
  it.each(credentialUrls('vault', server.hostPort, `${server.kvMount}/cluster/config`, server.tls ? '' : '?tls=false'))('a store URL with $form', async ({ url }) => {
    const shown = await shownBy(async () => (await resolvePath(url, { registry, env: vaultEnv(server), retry: { maxAttempts: 1 } })).readFile());
    expect(shown).toContain('***');
    expect(leakedSecrets(shown)).toEqual([]);
  });

  it('a pasted token that contains / in user information is refused without being shown', async () => {
    const pasted = `vault://s.Token:abc/def-9f8e7d6c@${server.hostPort}/${server.kvMount}/x${server.tls ? '' : '?tls=false'}`;
    const refused = await shownBy(() => resolvePath(pasted, { registry, env: vaultEnv(server) }));
    expect(refused).toContain('credentials do not belong in a store URL');
    expect(leakedSecrets(refused, ['abc/def-9f8e7d6c', 'def-9f8e7d6c'])).toEqual([]);
  });
});
