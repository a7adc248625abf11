/**
 * The history scenario every config store runs: ten changes (create, set, edit, replace, an instance group
 * created and deleted, a direct write that bypasses Statestore, unset, an instance-group edit, set), each by a
 * named actor with a message, the cluster's files hashed after each. Steps run through the built CLI; on a
 * store where the CLI cannot yet do a read–modify–write (Swift has neither compare-and-swap nor atomic create
 * until the lease fallback lands), those steps run through the library as the same journaled operation would.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type VfsPath } from '@statestore/core';
import type { CliResult } from './cli.js';

export const CLUSTER = 'history.example.com';

export interface HistoryTarget {
  label: string;
  storeUrl: string;
  /** Runs the statestore command with the store in KOPS_STATE_STORE and `extra` in the environment. */
  run(args: string[], extra?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** The store, opened without journaling (as any other program would). */
  open(): Promise<VfsPath>;
  /** Writes a cluster file the way another tool would, bypassing Statestore. */
  directWrite(relative: string, text: string): Promise<void>;
  /** A folder for files given to the CLI (replace -f). */
  workDir: string;
}

export interface Step {
  actor?: string;
  message?: string;
  /** Files of the cluster folder after the step, path → sha256. */
  after: Record<string, string>;
}

export async function clusterHashes(store: VfsPath): Promise<Record<string, string>> {
  const folder = store.join(CLUSTER);
  const out: Record<string, string> = {};
  for (const file of await folder.readTree()) out[file.relativeTo(folder)!] = createHash('sha256').update(await file.readFile()).digest('hex');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function cli(t: HistoryTarget, actor: string, message: string, args: string[]): Promise<void> {
  const r = await t.run([...args, '-m', message], { STATESTORE_ACTOR: actor });
  if (r.code !== 0) throw new Error(`${t.label}: statestore ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

/** Runs the ten changes; returns each step with the cluster's files after it (oldest first). */
export async function runScenario(t: HistoryTarget): Promise<Step[]> {
  const steps: Step[] = [];
  const record = async (actor: string | undefined, message: string | undefined) => {
    steps.push({ ...(actor ? { actor } : {}), ...(message ? { message } : {}), after: await clusterHashes(await t.open()) });
  };
  await cli(t, 'alice', 'create the cluster', ['create', 'cluster', CLUSTER, '--zones', 'us-east-1a', '--cloud', 'aws']);
  await record('alice', 'create the cluster');
  await cli(t, 'bob', 'bump kubernetes', ['set', 'cluster', CLUSTER, 'spec.kubernetesVersion=1.31.0']);
  await record('bob', 'bump kubernetes');
  await cli(t, 'alice', 'more pods', ['edit', 'cluster', CLUSTER, '--set', 'spec.kubelet.maxPods=120']);
  await record('alice', 'more pods');
  const replaced = (await (await t.open()).join(CLUSTER, 'config').readText()).replace(/^spec:\n/m, 'spec:\n  # replaced from a reviewed file\n');
  const file = path.join(t.workDir, 'cluster.yaml');
  writeFileSync(file, replaced);
  await cli(t, 'carol', 'replace from review', ['replace', '-f', file]);
  await record('carol', 'replace from review');
  await cli(t, 'bob', 'add an instance group', ['create', 'ig', 'extra', '--name', CLUSTER, '--role', 'Node', '--subnet', 'us-east-1a', '--no-edit']);
  await record('bob', 'add an instance group');
  await cli(t, 'bob', 'drop it again', ['delete', 'ig', 'extra', '--name', CLUSTER, '--yes']);
  await record('bob', 'drop it again');
  const config = await (await t.open()).join(CLUSTER, 'config').readText();
  await t.directWrite('config', `${config}# written by another tool\n`);
  await record(undefined, undefined);
  await cli(t, 'alice', 'back to the default pods', ['unset', 'cluster', CLUSTER, 'spec.kubelet.maxPods']);
  await record('alice', 'back to the default pods');
  await cli(t, 'dave', 'scale out', ['edit', 'ig', 'nodes-us-east-1a', '--name', CLUSTER, '--set', 'spec.maxSize=3']);
  await record('dave', 'scale out');
  await cli(t, 'erin', 'next kubernetes', ['set', 'cluster', CLUSTER, 'spec.kubernetesVersion=1.32.0']);
  await record('erin', 'next kubernetes');
  return steps;
}
