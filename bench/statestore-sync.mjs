#!/usr/bin/env node
// The Statestore side of the benchmark when the CLI is not built: the same calls `statestore sync`
// makes (resolve both URLs with the s3:// plugin, sync), one process per run so that wall time and
// peak memory include start-up, as they do for rclone and mc.
// Usage: node statestore-sync.mjs SRC DST [--transfers N] [--checkers N]
import s3Plugin from '@statestore/backend-s3';
import { PluginRegistry, resolvePath } from '@statestore/core';
import { describeSyncSummary, sync } from '@statestore/core/sync';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : Number(args[i + 1]);
};
const [src, dst] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const registry = new PluginRegistry(() => []);
registry.register(s3Plugin);
const summary = await sync(await resolvePath(src, { registry }), await resolvePath(dst, { registry }), {
  ...(flag('--transfers') ? { transfers: flag('--transfers') } : {}),
  ...(flag('--checkers') ? { checkers: flag('--checkers') } : {}),
});
process.stderr.write(`${describeSyncSummary(summary)}\n`);
process.exit(summary.errors.length > 0 ? 1 : 0);
