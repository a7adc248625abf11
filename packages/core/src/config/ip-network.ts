/**
 * IPv4 and IPv6 networks as kops's validation reads them (Go's net.ParseCIDR and pkg/util/subnet):
 * parse a CIDR keeping the address as written (so "bits outside the prefix" can be reported), test
 * whether networks overlap or one belongs to another, and parse a bare IP.
 */

export interface IpNetwork {
  /** 32 or 128. */
  bits: 32 | 128;
  /** The address as written. */
  address: bigint;
  prefix: number;
}

/** The address of an IPv4 dotted quad or IPv6 text (with `::` and an embedded IPv4 tail), or undefined. */
export function parseIp(text: string): { bits: 32 | 128; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!text.includes(':') || (text.match(/::/g)?.length ?? 0) > 1) return undefined;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined): bigint[] | undefined => {
    if (s === undefined || s === '') return [];
    const out: bigint[] = [];
    const pieces = s.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) out.push(BigInt(`0x${piece}`));
      else return undefined;
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  return [...h, ...Array<bigint>(Math.max(missing, 0)).fill(0n), ...t].reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** A CIDR as net.ParseCIDR takes it, or undefined. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > ip.bits) return undefined;
  return { bits: ip.bits, address: ip.value, prefix };
}

function mask(n: IpNetwork, prefix = n.prefix): bigint {
  const all = (1n << BigInt(n.bits)) - 1n;
  return all ^ ((1n << BigInt(n.bits - prefix)) - 1n);
}

/** The network address (the address with the host bits cleared). */
export function networkAddress(n: IpNetwork): bigint {
  return n.address & mask(n);
}

/** Formats an address of a family (IPv6 in full hex groups with `::` compression). */
export function formatIp(value: bigint, bits: 32 | 128): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

function contains(outer: IpNetwork, address: bigint, bits: number): boolean {
  return outer.bits === bits && (address & mask(outer)) === networkAddress(outer);
}

/** subnet.Overlap: either network contains the other's address. */
export function networksOverlap(a: IpNetwork | undefined, b: IpNetwork | undefined): boolean {
  if (!a || !b) return false;
  return contains(a, networkAddress(b), b.bits) || contains(b, networkAddress(a), a.bits);
}

/** subnet.BelongsTo: `child` lies within `parent` (same family, prefix at least as long). */
export function networkBelongsTo(parent: IpNetwork, child: IpNetwork): boolean {
  if (parent.bits !== child.bits || parent.prefix > child.prefix) return false;
  return (child.address & mask(parent)) === networkAddress(parent);
}

/** The network in CIDR form (as Go prints an IPNet). */
export function formatNetwork(n: IpNetwork): string {
  return `${formatIp(networkAddress(n), n.bits)}/${n.prefix}`;
}
