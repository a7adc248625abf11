import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeConformance } from '../src/conformance/index.js';
import { resolvePath } from '../src/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'statestore-conformance-'));

describeConformance('file', async () => ({
  newRoot: () => resolvePath(`file://${path.join(dir, randomUUID())}`, { listPageSize: 7 }),
  missingStore: () => resolvePath(`file://${path.join(dir, `missing-${randomUUID()}`)}`),
  teardown: async () => rmSync(dir, { recursive: true, force: true }),
}));
