import { randomUUID } from 'node:crypto';
import { describeConformance } from '../src/conformance/index.js';
import { resolvePath } from '../src/index.js';

describeConformance('memfs', async () => ({
  newRoot: () => resolvePath(`memfs://conformance/${randomUUID()}`, { listPageSize: 7 }),
  missingStore: () => resolvePath(`memfs://missing-${randomUUID()}`),
}));
