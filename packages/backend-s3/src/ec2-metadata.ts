/**
 * The EC2 region from the instance metadata service (IMDSv2), asked only when running on EC2 — or when
 * AWS_EC2_METADATA_SERVICE_ENDPOINT names a metadata service explicitly. kops tells EC2 apart by
 * product_uuid, which is often readable by root only; the world-readable sys_vendor and board_asset_tag
 * are read as well.
 */
import { readFileSync } from 'node:fs';

const DEFAULT_ENDPOINT = 'http://169.254.169.254';
const TIMEOUT_MS = 1_000;

export interface MetadataSettings {
  endpoint?: string;
  disabled: boolean;
}

/** The region of this EC2 instance, or undefined when not on EC2, disabled, or the service does not answer. */
export async function ec2Region(settings: MetadataSettings): Promise<string | undefined> {
  if (settings.disabled) return undefined;
  if (!settings.endpoint && !looksLikeEc2()) return undefined;
  const base = (settings.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  try {
    const tokenResponse = await fetch(`${base}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const headers: Record<string, string> = {};
    if (tokenResponse.ok) headers['x-aws-ec2-metadata-token'] = await tokenResponse.text();
    else await tokenResponse.arrayBuffer();
    const response = await fetch(`${base}/latest/meta-data/placement/region`, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = (await response.text()).trim();
    return response.ok && /^[a-z0-9-]+$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

function looksLikeEc2(): boolean {
  if (process.platform !== 'linux') return false;
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim().toLowerCase();
    } catch {
      return '';
    }
  };
  const dmi = '/sys/devices/virtual/dmi/id';
  return (
    read(`${dmi}/product_uuid`).startsWith('ec2') ||
    read(`${dmi}/sys_vendor`) === 'amazon ec2' ||
    read(`${dmi}/board_asset_tag`).startsWith('i-') ||
    read('/sys/hypervisor/uuid').startsWith('ec2')
  );
}
