/**
 * The shared contract, against a real kube-apiserver (with etcd) on 127.0.0.1, as the least-privilege test
 * user: one namespace for the run, a fresh prefix per test, canonical URLs resolved back through this plugin.
 * Files are at most 1 MiB here (a Secret's limit), so the large-file round trip uses exactly that.
 */
import { randomUUID } from 'node:crypto';
import { describeConformance } from '@statestore/core/conformance';
import { MAX_FILE_BYTES } from '../src/index.js';
import { newNamespace, openK8s } from './helpers.js';

describeConformance(
  'k8s:// against kube-apiserver',
  async () => {
    const namespace = await newNamespace('conformance');
    return {
      newRoot: () => openK8s(`k8s://${namespace}/run-${randomUUID()}`),
      // As the admin: the least-privilege user may not look into a namespace it has no Role in (403, not 404).
      missingStore: () => openK8s(`k8s://missing-${randomUUID().slice(0, 8)}/?context=admin`),
      resolve: (url) => openK8s(url),
    };
  },
  { largeFileBytes: MAX_FILE_BYTES },
);
