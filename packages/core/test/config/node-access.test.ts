/** Stores a cluster's nodes cannot read: local paths and k8s://; buckets and memfs:// are not refused here. */
import { describe, expect, it } from 'vitest';
import { unreadableByNodes } from '../../src/config-entry.js';

describe('unreadableByNodes', () => {
  it('names local stores and k8s:// with the reason, and nothing else', () => {
    expect(unreadableByNodes('file:///srv/state')?.kind).toBe('a local store');
    expect(unreadableByNodes('relative/state', { cwd: '/tmp' })?.reason).toMatch(/cannot read this machine's disk/);
    expect(unreadableByNodes('k8s://kops-state/clusters')).toEqual({
      kind: 'a k8s:// store',
      reason: 'kops cannot read Kubernetes Secrets as a state store (its k8s:// is a stub), so cluster nodes cannot read their configuration from it',
    });
    for (const url of ['s3://b/k', 'gs://b/k', 'memfs://x', 'swift://c/k', 'vault://h:8200/secret/x']) expect(unreadableByNodes(url), url).toBeUndefined();
  });
});
