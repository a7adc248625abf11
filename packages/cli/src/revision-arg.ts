/**
 * Reading a cluster as it was: `NAME@REV` arguments (`demo.example.com@3f2a9c1b`, `demo.example.com@-1` or
 * `demo.example.com@@-1` for @-1) and `--rev REV`, opened as the store root at that revision (read-only).
 */
import { openRevision, type VfsPath } from '@statestore/core';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';

/** `NAME@REV` split (a cluster name is a DNS name, so it has no `@`). */
export function splitRevision(arg: string): { name: string; rev?: string } {
  const at = arg.indexOf('@');
  if (at === -1) return { name: arg };
  const rev = arg.slice(at + 1);
  if (at === 0 || rev === '') throw new UsageError(`${JSON.stringify(arg)}: give NAME@REV, e.g. demo.example.com@-1 or demo.example.com@3f2a9c1b`);
  return { name: arg.slice(0, at), rev: /^-\d+$/.test(rev) ? `@${rev}` : rev };
}

/** The state store root, or the store as it was at `rev` of `cluster` when a revision is given. */
export async function storeAt(ctx: CommandContext, cluster: string, rev: string | undefined): Promise<VfsPath> {
  const store = await ctx.openStore();
  return rev === undefined ? store : (await openRevision(store, cluster, rev, await ctx.historyLocation())).root;
}
