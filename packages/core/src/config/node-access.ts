/**
 * Which state stores a cluster's nodes can read. kops's nodes fetch their configuration from configBase;
 * they cannot read this machine's disk (file://), and kops cannot use Kubernetes Secrets as a state store
 * (its k8s:// is a stub whose every operation fails). Such stores serve review and safekeeping:
 * `update cluster --yes` is refused on them, and `migrate` to them warns.
 */
import { parseUrl } from '../url/parse-url.js';

/** What kind of store nodes cannot read (`a local store`), and why. */
export interface UnreadableStore {
  kind: string;
  reason: string;
}

/** Why a cluster's nodes cannot read configuration at `url`, or undefined when they can. */
export function unreadableByNodes(url: string, options: { cwd?: string } = {}): UnreadableStore | undefined {
  switch (parseUrl(url, options).scheme) {
    case 'file':
      return { kind: 'a local store', reason: "cluster nodes read their configuration from configBase and cannot read this machine's disk" };
    case 'k8s':
      return { kind: 'a k8s:// store', reason: 'kops cannot read Kubernetes Secrets as a state store (its k8s:// is a stub), so cluster nodes cannot read their configuration from it' };
    default:
      return undefined;
  }
}
