/**
 * sync/migrate-cluster owns `migrateCluster`: move one cluster to another store in one step, replacing
 * the documented "copy the bucket, then edit configBase by hand" procedure. It copies `{store}/{cluster}`
 * to `{to}/{cluster}` (resumable, like sync), writes the cluster's `config` last with `spec.configBase`
 * (and `spec.keyStore`/`spec.secretStore` where they pointed into the old folder) rewritten and every
 * other byte unchanged, verifies every file by hash, and never touches the source. The new store holds
 * the cluster (its `config`) only once everything else has arrived. The target must be able to hold
 * cluster configuration (never vault://).
 */
import { ConflictError, InvalidConfigError, NotFoundError, isNotFound } from '../errors/errors.js';
import { KopsYamlDocument } from '../config/kops-yaml.js';
import { assertNotVaultTarget } from '../config/vault-guards.js';
import { replaceScalars, type ScalarEdit } from '../config/scalar-edit.js';
import { unreadableByNodes } from '../config/node-access.js';
import { PATH_CLUSTER_CONFIG, PATH_COMPLETED_SPEC } from '../config/store-layout.js';
import { bytesEqual } from '../path/body.js';
import type { VfsPath } from '../path/vfs-path.js';
import { parseUrl } from '../url/parse-url.js';
import { checkNoOverlap } from './plan.js';
import type { SyncSummary } from './summary.js';
import { sync, type SyncOptions } from './sync.js';
import { verifyTrees } from './verify.js';

/** `dryRun`: read both stores, report what would be copied and rewritten, write nothing. */
export type MigrateOptions = Pick<SyncOptions, 'transfers' | 'checkers' | 'onProgress' | 'signal' | 'dryRun'>;

/** A field of the cluster's config that was rewritten. */
export interface FieldRewrite {
  field: 'spec.configBase' | 'spec.keyStore' | 'spec.secretStore';
  from: string;
  to: string;
}

export interface MigrateResult {
  /** The old cluster folder (left untouched). */
  from: string;
  /** The new cluster folder. */
  to: string;
  sync: SyncSummary;
  rewrites: FieldRewrite[];
  /** Files verified identical by hash (the config: equal to the rewritten text). */
  verified: number;
  mismatches: { key: string; reason: string }[];
  /** Things the user still has to do or know. */
  warnings: string[];
  /** True when every file arrived and verified and the rewritten config was written (never in a dry run). */
  complete: boolean;
  /** Nothing was written: `sync` says what would be copied, `rewrites` what the config would get. */
  dryRun: boolean;
}

const STORE_FIELDS = ['configBase', 'keyStore', 'secretStore'] as const;
/** Files and folders kops writes on `update cluster --yes` that embed the configBase. */
const GENERATED = [PATH_COMPLETED_SPEC, 'igconfig', 'addons'];

/** Moves `{store}/{cluster}` to `{to}/{cluster}`; see the module comment. */
export async function migrateCluster(store: VfsPath, cluster: string, to: VfsPath, options: MigrateOptions = {}): Promise<MigrateResult> {
  assertNotVaultTarget(to.toString(), 'migrate');
  const source = store.join(cluster);
  const target = to.join(cluster);
  checkNoOverlap(source, target);
  const signalOptions = options.signal ? { signal: options.signal } : {};
  const configPath = source.join(PATH_CLUSTER_CONFIG);
  const text = await configPath.readText(signalOptions).catch((e: unknown) => {
    if (isNotFound(e)) throw new NotFoundError(`No cluster ${cluster} in ${store.toString()} (${configPath.toString()} does not exist); list the clusters with \`statestore get clusters\``, { url: configPath.toString() });
    throw e;
  });
  const doc = KopsYamlDocument.parse(text, configPath.toString());
  if (doc.kind !== 'Cluster') throw new InvalidConfigError(`${configPath.toString()} is not a kops Cluster (kind: ${doc.kind ?? 'missing'}); nothing was copied`, { url: configPath.toString() });

  const warnings: string[] = [];
  const rewrites: FieldRewrite[] = [];
  const edits: ScalarEdit[] = [];
  for (const field of STORE_FIELDS) {
    const value = doc.getIn(['spec', field]);
    if (typeof value !== 'string' || value.trim() === '') continue;
    const rest = below(value, source);
    if (rest === undefined) {
      warnings.push(`spec.${field} is ${value}, outside ${source.toString()}: left as it is, and its files were not copied.`);
      continue;
    }
    // Joined by the target's backend, so a URL that ends in a query (`?tls=false`) keeps it at the end.
    const next = (rest === '' ? target : target.join(rest.slice(1))).toString();
    rewrites.push({ field: `spec.${field}`, from: value, to: next });
    edits.push({ path: ['spec', field], value: next });
  }
  const newText = edits.length > 0 ? replaceScalars(text, edits, configPath.toString()) : text;
  const newBytes = new TextEncoder().encode(newText);

  const targetConfig = target.join(PATH_CLUSTER_CONFIG);
  if (await targetConfig.statInfo(options.signal)) {
    const existing = await targetConfig.readFile(signalOptions);
    if (!bytesEqual(existing, newBytes) && !bytesEqual(existing, new TextEncoder().encode(text))) {
      throw new ConflictError(
        `A different cluster ${cluster} already exists at ${target.toString()}; nothing was copied. Remove it, or migrate to another place.`,
        { url: targetConfig.toString() },
      );
    }
  }

  const summary = await sync(source, target, { ...options, filter: (key) => key !== PATH_CLUSTER_CONFIG });
  const dryRun = options.dryRun === true;
  const result: MigrateResult = { from: source.toString(), to: target.toString(), sync: summary, rewrites, verified: 0, mismatches: [], warnings, complete: false, dryRun };
  if (summary.errors.length > 0) {
    warnings.push(`${summary.errors.length} file${summary.errors.length === 1 ? '' : 's'} could not be copied, so the config was not written to ${target.toString()}; fix the cause and run migrate again (it resumes).`);
    return result;
  }
  if (!dryRun) {
    await targetConfig.writeFile(newBytes, signalOptions);
    const verify = await verifyTrees(source, target, { expected: new Map([[PATH_CLUSTER_CONFIG, newBytes]]), ...(options.checkers ? { checkers: options.checkers } : {}), ...signalOptions });
    result.verified = verify.verified;
    result.mismatches = verify.mismatches;
    result.complete = verify.mismatches.length === 0;
  }

  const oldMentions = linesNaming(newText, source);
  if (oldMentions.length > 0) {
    warnings.push(`${targetConfig.toString()} still names ${source.toString()} on line${oldMentions.length === 1 ? '' : 's'} ${oldMentions.join(', ')}; edit those fields with \`statestore edit cluster ${cluster}\` if they should move too.`);
  }
  const present = new Set((await source.readDir(signalOptions)).map((e) => e.name));
  const generated = GENERATED.filter((name) => present.has(name)).map((name) => (name === PATH_COMPLETED_SPEC ? name : `${name}/`));
  if (generated.length > 0) {
    warnings.push(`Files kops generates (${generated.join(', ')}) still name ${source.toString()} until \`kops update cluster ${cluster} --yes\` is run against the new store.`);
  }
  const unreadable = unreadableByNodes(target.toString());
  if (unreadable) {
    warnings.push(
      `${target.toString()} is ${unreadable.kind}: ${unreadable.reason}. Keep the cluster there for review and safekeeping, and migrate it to a bucket before running kops update cluster --yes.`,
    );
  }
  warnings.push(`The source ${source.toString()} was left untouched: remove it yourself once the cluster runs from ${target.toString()}.`);
  return result;
}

/** The part of `value` below `place` (`''` or `/pki`…), or undefined when `value` is not at or below it. */
function below(value: string, place: VfsPath): string | undefined {
  try {
    const v = parseUrl(value.trim());
    const p = parseUrl(place.toString());
    if (v.scheme !== p.scheme || v.host !== p.host) return undefined;
    const vp = v.path.replace(/\/+$/, '');
    const pp = p.path.replace(/\/+$/, '');
    if (vp === pp) return '';
    return vp.startsWith(`${pp}/`) ? vp.slice(pp.length) : undefined;
  } catch {
    return undefined;
  }
}

/** 1-based numbers of the lines that name `place` (as a URL or a bare path). */
function linesNaming(text: string, place: VfsPath): number[] {
  const url = place.toString().replace(/\/+$/, '');
  const naming = new RegExp(`${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[/"'\\s#,\\]])`);
  return text
    .split('\n')
    .map((line, i) => (naming.test(line) ? i + 1 : 0))
    .filter((n) => n > 0);
}
