/**
 * Errors from the real API server, as users meet them: RBAC denials name the verb, the resource, the
 * namespace, the user and the rule (and the kubectl commands) that would allow the request; a missing
 * namespace is named; rejected credentials are PermissionDenied; an unreachable API server is Transient. No
 * token ever appears in a message.
 */
import { isNotFound, isPermissionDenied, isTransient } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { allTokens, kube, newNamespace, openK8s, variantKubeconfig } from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<Error> {
  const e = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(e instanceof Error)) throw new Error('expected the operation to fail');
  for (const token of allTokens()) expect(`${e.message} ${e.stack}`).not.toContain(token);
  return e;
}

describe('RBAC denials', () => {
  it('a read-only user may read and list, and a write names the create verb, the namespace and the rule', async () => {
    const { namespace, readonlyUser } = kube();
    const writer = await openK8s(`k8s://${namespace}/denials/config`);
    await writer.writeFile('written by the store user');
    const reader = await openK8s(`k8s://${namespace}/denials/config?context=${readonlyUser}`);
    expect(await reader.readText()).toBe('written by the store user');
    expect((await reader.parent()!.readDir()).map((e) => e.name)).toEqual(['config']);

    const create = await failure(reader.parent()!.join('new').createFile('x'));
    expect(isPermissionDenied(create)).toBe(true);
    expect(create.message).toContain(`Permission denied: ${readonlyUser} may not create secrets in namespace ${namespace}`);
    expect(create.message).toContain(`{apiGroups: [""], resources: ["secrets"], verbs: ["create"]}`);
    expect(create.message).toContain(`kubectl create role statestore --namespace=${namespace} --resource=secrets --verb=get,list,create,update,delete`);
    expect(create.message).toContain(`--user=${readonlyUser}`);

    const update = await failure(reader.updateFile(() => 'changed'));
    expect(update.message).toMatch(/may not update secrets/);
    const remove = await failure(reader.remove());
    expect(remove.message).toMatch(/may not delete secrets/);
    expect(await writer.readText()).toBe('written by the store user');
  });

  it('without a binding in a namespace, reads name the get verb and listings the list verb', async () => {
    const namespace = await newNamespace('unbound', []);
    const store = await openK8s(`k8s://${namespace}/c`);
    const stat = await failure(store.join('config').stat());
    expect(isPermissionDenied(stat)).toBe(true);
    expect(stat.message).toContain(`${kube().user} may not get secrets in namespace ${namespace}`);
    const list = await failure(store.readDir());
    expect(list.message).toContain(`${kube().user} may not list secrets in namespace ${namespace}`);
  });

  it('a missing namespace is named, with the command that creates it', async () => {
    const namespace = `missing-${Date.now()}`;
    const e = await failure((await openK8s(`k8s://${namespace}/c/config?context=admin`)).writeFile('x'));
    expect(isNotFound(e)).toBe(true);
    expect(e.message).toContain(`Namespace ${namespace} does not exist`);
    expect(e.message).toContain(`kubectl create namespace ${namespace}`);
  });
});

describe('connection failures', () => {
  it('rejected credentials are PermissionDenied, without the token', async () => {
    const wrongToken = 'wrong-token-0123456789abcdef';
    const kubeconfig = await variantKubeconfig({ token: wrongToken });
    const e = await failure((await openK8s(`k8s://${kube().namespace}/x`, { env: { KUBECONFIG: kubeconfig } })).readText());
    expect(isPermissionDenied(e)).toBe(true);
    expect(e.message).toMatch(/rejected the credentials .*\(401/);
    expect(e.message).not.toContain(wrongToken);
  });

  it('an unreachable API server is Transient and names the server', async () => {
    const kubeconfig = await variantKubeconfig();
    const backend = (await openK8s(`k8s://${kube().namespace}/`, { env: { KUBECONFIG: kubeconfig } })).backend;
    const e = await failure(backend.stat('config'));
    expect(isTransient(e)).toBe(true);
    expect(e.message).toMatch(/Cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+ for k8s:\/\/.*\(ECONNREFUSED\)/);
  });
});
