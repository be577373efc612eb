// Address arithmetic shared by validation, rendering and the shadow analysis.
// Pure functions over bigint ranges, so v4 and v6 are handled the same way.
import { isIP } from "node:net";

export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  /** first address of the prefix, as an integer */
  start: bigint;
  /** last address of the prefix, as an integer */
  end: bigint;
  length: number;
  /** canonical text, e.g. "192.0.2.0/24" */
  text: string;
}

export type PrefixResult = { ok: true; prefix: Prefix } | { ok: false; reason: string };

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function addressToBigInt(address: string): { family: Family; value: bigint } | undefined {
  const family = isIP(address);
  if (family === 4) {
    const parts = address.split(".").map(Number);
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (family === 6) {
    return { family: 6, value: ipv6ToBigInt(address) };
  }
  return undefined;
}

function ipv6ToBigInt(address: string): bigint {
  let text = address.split("%")[0] ?? address;
  // an embedded IPv4 tail (::ffff:192.0.2.1) becomes two hextets
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = v4[1].split(".").map(Number);
    const hi = (((n[0] ?? 0) << 8) | (n[1] ?? 0)).toString(16);
    const lo = (((n[2] ?? 0) << 8) | (n[3] ?? 0)).toString(16);
    text = text.slice(0, -v4[1].length) + `${hi}:${lo}`;
  }
  const [head = "", tail] = text.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const all = [...headParts, ...Array<string>(tail !== undefined ? missing : 0).fill("0"), ...tailParts];
  return all.reduce((acc, h) => (acc << 16n) | BigInt(parseInt(h, 16)), 0n);
}

export function bigIntToAddress(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => Number((value >> s) & 255n)).join(".");
  }
  const hextets: string[] = [];
  for (let i = 7; i >= 0; i--) hextets.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run of zero hextets (length >= 2)
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && hextets[j] === "0") j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return hextets.join(":");
  const left = hextets.slice(0, bestStart).join(":");
  const right = hextets.slice(bestStart + bestLen).join(":");
  return `${left}::${right}`;
}

/**
 * Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (a host prefix).
 * Host bits set below the prefix length are an error, not silently masked:
 * "192.0.2.1/24" usually means the author meant something else.
 */
export function parsePrefix(text: string): PrefixResult {
  if (typeof text !== "string" || text.length === 0 || text.length > 64) {
    return { ok: false, reason: "not an address or CIDR prefix" };
  }
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = addressToBigInt(addrText);
  if (!addr) return { ok: false, reason: `"${addrText}" is not an IPv4 or IPv6 address` };
  const bits = BITS[addr.family];
  let length = bits;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) {
      return { ok: false, reason: `prefix length "/${lenText}" is out of range for IPv${addr.family} (0-${bits})` };
    }
    length = Number(lenText);
  }
  const hostBits = BigInt(bits - length);
  const mask = (1n << hostBits) - 1n;
  if ((addr.value & mask) !== 0n) {
    const network = bigIntToAddress(addr.family, addr.value & ~mask);
    return { ok: false, reason: `host bits are set in ${text}; the network is ${network}/${length}` };
  }
  const canonical = `${bigIntToAddress(addr.family, addr.value)}/${length}`;
  return { ok: true, prefix: { family: addr.family, start: addr.value, end: addr.value | mask, length, text: canonical } };
}

export function mustParsePrefix(text: string): Prefix {
  const r = parsePrefix(text);
  if (!r.ok) throw new Error(`invalid prefix ${text}: ${r.reason}`);
  return r.prefix;
}

export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

export function prefixOverlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

export function prefixSize(p: Prefix): bigint {
  return p.end - p.start + 1n;
}

/** "192.0.2.10" for a /32 (or /128), else the canonical CIDR */
export function prefixHostOrCidr(p: Prefix): string {
  return p.length === BITS[p.family] ? p.text.split("/")[0]! : p.text;
}

/** IPv6 ranges that carry an IPv4 address in their last 32 bits. */
const EMBEDDED_V4: ReadonlyArray<{ form: string; base: bigint }> = [
  { form: "IPv4-mapped IPv6 (::ffff:0:0/96)", base: 0xffffn << 32n },
  { form: "IPv4-compatible IPv6 (::/96)", base: 0n },
  { form: "NAT64 IPv6 (64:ff9b::/96)", base: 0x64ff9bn << 96n },
];

export interface EmbeddedIPv4 {
  /** the IPv4 prefix the IPv6 prefix stands for (0.0.0.0/0 when it contains the whole range) */
  v4: Prefix;
  /** which encoding, e.g. "IPv4-mapped IPv6 (::ffff:0:0/96)" */
  form: string;
}

/**
 * The IPv4 prefix an IPv6 prefix means when it lies in (or contains) one of
 * the ranges that embed IPv4 addresses. Squid and dual-stack sockets match
 * IPv4 traffic as ::ffff:a.b.c.d, so a guard that compares per family must
 * see the IPv4 form. Undefined for an IPv4 prefix or ordinary IPv6.
 */
export function embeddedIPv4(p: Prefix): EmbeddedIPv4 | undefined {
  if (p.family !== 6) return undefined;
  for (const e of EMBEDDED_V4) {
    const range = { family: 6 as const, start: e.base, end: e.base | 0xffffffffn };
    if (p.length >= 96 && p.start >= range.start && p.end <= range.end) {
      const start = p.start - e.base;
      const length = p.length - 96;
      return { form: e.form, v4: { family: 4, start, end: p.end - e.base, length, text: `${bigIntToAddress(4, start)}/${length}` } };
    }
    // a wider prefix that holds the whole range stands for all of IPv4 (::/0 is left to the width guard)
    if (p.length > 0 && p.length < 96 && p.start <= range.start && range.end <= p.end) {
      return { form: e.form, v4: { family: 4, start: 0n, end: 0xffffffffn, length: 0, text: "0.0.0.0/0" } };
    }
  }
  return undefined;
}

/**
 * The parts of `base` not covered by any of `remove`, as CIDR prefixes
 * (split in halves where a removed prefix lies inside). Used to render a
 * global object such as "internet" without the cloud's inside addresses.
 */
export function subtractPrefixes(base: readonly Prefix[], remove: readonly Prefix[]): Prefix[] {
  const out: Prefix[] = [];
  // each half is compared only with the removed prefixes that overlapped its parent
  const visit = (p: Prefix, candidates: readonly Prefix[]): void => {
    const hits = candidates.filter((r) => prefixOverlaps(r, p));
    if (hits.length === 0) { out.push(p); return; }
    if (hits.some((r) => prefixContains(r, p))) return;
    const bits = BITS[p.family];
    const length = p.length + 1;
    const half = 1n << BigInt(bits - length);
    for (const start of [p.start, p.start + half]) {
      visit({ family: p.family, start, end: start + half - 1n, length, text: `${bigIntToAddress(p.family, start)}/${length}` }, hits);
    }
  };
  for (const p of base) visit(p, remove);
  return out;
}

/**
 * The fewest CIDR prefixes that hold exactly the addresses of `prefixes`
 * (per family): contained prefixes dropped, then sibling halves joined into
 * their parent until none are left (198.51.100.32/32 + .33/32 → .32/31).
 * Sorted by family, then start.
 */
export function coverPrefixes(prefixes: readonly Prefix[]): Prefix[] {
  const sorted = [...prefixes].sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : a.length - b.length));
  const out: Prefix[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === p.family && prefixContains(last, p)) continue;
    let cur = p;
    // CIDR prefixes nest or are disjoint: sorted and disjoint, a prefix can only join the one before it
    for (;;) {
      const prev = out[out.length - 1];
      if (!prev || prev.family !== cur.family || prev.length !== cur.length || cur.length === 0) break;
      const size = prev.end - prev.start + 1n;
      if (prev.end + 1n !== cur.start || prev.start % (size * 2n) !== 0n) break;
      out.pop();
      const length = cur.length - 1;
      cur = { family: cur.family, start: prev.start, end: cur.end, length, text: `${bigIntToAddress(cur.family, prev.start)}/${length}` };
    }
    out.push(cur);
  }
  return out;
}
