/**
 * History on an OSS bucket with versioning on (testkit's OSS server): kops-style writes made around Statestore
 * (ali-oss, straight to the bucket) appear in `history` as revisions of their own, "outside Statestore", at the
 * times OSS stored them, merged with the journal: a version a Statestore command wrote is shown once, as that
 * command's revision with its author and message, and names its native version; a kops change the journal
 * recorded (as first seen by the next Statestore write) takes OSS's time. The OSS counterpart of history-native.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, inject, it } from 'vitest';
import { CLUSTER } from './support/history-scenario.js';
import { nativeHistoryScenario, type KopsWrite } from './support/native-history-scenario.js';
import { cliEnv } from './support/stores.js';


/** ali-oss as the oss:// plugin has it (resilience does not depend on it itself). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const AliOss = createRequire(createRequire(import.meta.url).resolve('@statestore/backend-oss/package.json'))('ali-oss') as new (options: Record<string, unknown>) => any;

describe('history on a versioned OSS bucket', () => {
  it('shows each write made around Statestore at its time, and Statestore revisions once, with their attribution', async () => {
    const o = inject('oss');
    const bucket = `resilience-${randomUUID().slice(0, 8)}`;
    const client = new AliOss({ endpoint: o.endpoint, region: `oss-${o.region}`, accessKeyId: o.accessKeyId, accessKeySecret: o.accessKeySecret, bucket, secure: false, sldEnable: true, retryMax: 0, authorizationV4: true });
    await client.putBucket(bucket);
    await client.putBucketVersioning(bucket, 'Enabled');
    const storeUrl = `oss://${bucket}/store`;
    const env = { ...cliEnv('oss'), HOME: mkdtempSync(path.join(os.tmpdir(), 'statestore-native-home-')), KOPS_STATE_STORE: storeUrl };
    /** kops writing a file: straight to the bucket; returns the version and the second OSS stored it in (HTTP dates have seconds). */
    const kopsWrites: KopsWrite = async (relative, body) => {
      const key = `store/${CLUSTER}/${relative}`;
      const put = await client.put(key, Buffer.from(body));
      const versionId = put.res.headers['x-oss-version-id'] as string;
      const head = await client.head(key, { versionId });
      return { versionId, second: new Date(head.res.headers['last-modified'] as string).toISOString() };
    };
    await nativeHistoryScenario(storeUrl, env, kopsWrites);
  });
});
