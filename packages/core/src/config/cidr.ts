/**
 * IPv4 CIDR arithmetic for subnet assignment, as kops does it: split a network into 2^n equal parts,
 * test overlap, and allocate the next free block of a size (never the first one).
 */
import { InvalidConfigError } from '../errors/errors.js';

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Ipv4Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : NaN;
  if (!m || octets.some((o) => o > 255) || prefix > 32) {
    throw new InvalidConfigError(`Invalid IPv4 CIDR ${JSON.stringify(text)}: expected a.b.c.d/n, e.g. 172.20.0.0/16`);
  }
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  return { base: (address & mask(prefix)) >>> 0, prefix };
}

export function isIpv4Cidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function formatCidr(c: Ipv4Cidr): string {
  return `${c.base >>> 24}.${(c.base >>> 16) & 255}.${(c.base >>> 8) & 255}.${c.base & 255}/${c.prefix}`;
}

function contains(outer: Ipv4Cidr, address: number): boolean {
  return ((address & mask(outer.prefix)) >>> 0) === outer.base;
}

/** True when the two blocks share any address. */
export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return contains(a, b.base) || contains(b, a.base);
}

/** True when `inner`'s network address lies inside `outer` (kops's "Contains(IP)" test). */
export function containsAddress(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return contains(outer, inner.base);
}

/** Splits a block into 2^bits equal blocks, in address order. */
export function splitCidr(parent: Ipv4Cidr, bits: number): Ipv4Cidr[] {
  const prefix = parent.prefix + bits;
  if (prefix > 32) throw new InvalidConfigError(`Cannot split ${formatCidr(parent)} into ${2 ** bits} parts`);
  return Array.from({ length: 2 ** bits }, (_, i) => ({ base: (parent.base + i * 2 ** (32 - prefix)) >>> 0, prefix }));
}

/** Hands out blocks of a size from a range, skipping the range's first block and blocks in use. */
export class CidrAllocator {
  private readonly used: Ipv4Cidr[] = [];

  markInUse(cidr: Ipv4Cidr): void {
    this.used.push(cidr);
  }

  allocate(from: Ipv4Cidr, prefix: number): Ipv4Cidr {
    const step = 2 ** (32 - prefix);
    for (let base = from.base + step; base < from.base + 2 ** (32 - from.prefix); base += step) {
      const candidate = { base: base >>> 0, prefix };
      if (!this.used.some((u) => overlaps(u, candidate))) {
        this.used.push(candidate);
        return candidate;
      }
    }
    throw new InvalidConfigError(`Cannot allocate a /${prefix} block in ${formatCidr(from)}: the range is full`);
  }
}
