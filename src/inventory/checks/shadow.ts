// Shadowed-rule analysis for one organization's ordered firewall rules.
//
// Rule A covers rule B when A's protocol is `any` or B's, every source prefix
// of B lies inside some source prefix of A, every destination prefix likewise,
// and B's ports are a subset of A's (no ports = all ports). A first-match
// firewall never reaches B when an earlier rule covers it.
//
// Comparing every rule with every earlier one is quadratic: 200,000 rules
// would take minutes. Instead the earlier rules are indexed per protocol by
// source prefix, then destination prefix, then port (a trie of tries), and
// each rule is compared only with the earlier rules that contain its first
// source prefix, its first destination prefix and its lowest port: a superset
// of the rules that cover it, and in practice a handful.
import type { Prefix } from "../../model/net.js";
import { prefixContains } from "../../model/net.js";
import type { PortRange } from "../../model/values.js";
import { PrefixTrie } from "./prefix-trie.js";

export type Protocol = "tcp" | "udp" | "icmp" | "icmpv6" | "any";

export interface ShadowRule {
  /** the rule's position in the organization's firewall list */
  index: number;
  protocol: Protocol;
  src: readonly Prefix[];
  dst: readonly Prefix[];
  /** undefined = all ports */
  ports: readonly PortRange[] | undefined;
  action: string;
}

export interface ShadowFinding {
  /** the rule that is never reached */
  rule: number;
  /** the earliest rule that already matches all of its traffic */
  by: number;
  sameAction: boolean;
}

/** Injected by tests and benchmarks to prove the analysis is not quadratic. */
export interface ShadowStats {
  rules: number;
  /** full coverage tests between two rules */
  comparisons: number;
}

const ALL_PORTS: readonly PortRange[] = [{ from: 1, to: 65535 }];

/** Sorted, merged ranges; undefined (all ports) becomes 1-65535. */
function mergePorts(ports: readonly PortRange[] | undefined): readonly PortRange[] {
  if (!ports || ports.length === 0) return ALL_PORTS;
  const sorted = [...ports].sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

interface Prepared {
  rule: ShadowRule;
  ports: readonly PortRange[];
  allPorts: boolean;
}

function portsCovered(outer: readonly PortRange[], inner: readonly PortRange[]): boolean {
  return inner.every((r) => outer.some((o) => o.from <= r.from && r.to <= o.to));
}

function prefixesCovered(outer: readonly Prefix[], inner: readonly Prefix[]): boolean {
  return inner.every((p) => outer.some((o) => prefixContains(o, p)));
}

function covers(a: Prepared, b: Prepared): boolean {
  if (a.rule.protocol !== "any" && a.rule.protocol !== b.rule.protocol) return false;
  return prefixesCovered(a.rule.src, b.rule.src) && prefixesCovered(a.rule.dst, b.rule.dst) && portsCovered(a.ports, b.ports);
}

/** Rules under one (source, destination) pair of trie nodes, split by port. */
class PortBucket {
  readonly allPorts: number[] = [];
  readonly singlePort = new Map<number, number[]>();
  readonly portRanges: Array<{ range: PortRange; rule: number }> = [];

  add(p: Prepared, id: number): void {
    if (p.allPorts) {
      this.allPorts.push(id);
      return;
    }
    for (const r of p.ports) {
      if (r.from === r.to) {
        const list = this.singlePort.get(r.from);
        if (list) list.push(id);
        else this.singlePort.set(r.from, [id]);
      } else this.portRanges.push({ range: r, rule: id });
    }
  }

  /** Rules that contain `port` (all-port rules included); a covering rule must contain B's lowest port. */
  collect(p: Prepared, into: number[]): void {
    into.push(...this.allPorts);
    if (p.allPorts) return;
    const port = p.ports[0]!.from;
    const single = this.singlePort.get(port);
    if (single) into.push(...single);
    for (const e of this.portRanges) if (e.range.from <= port && port <= e.range.to) into.push(e.rule);
  }
}

/** Above this many (source, destination) pairs a rule is indexed under the prefixes that span its lists. */
const MAX_PAIRS = 64;

/** The longest prefix that contains all of `list` (one family). */
function span(list: readonly Prefix[]): Prefix {
  const first = list[0]!;
  const bits = first.family === 4 ? 32 : 128;
  let length = Math.min(...list.map((p) => p.length));
  for (const p of list) {
    const diff = p.start ^ first.start;
    if (diff !== 0n) length = Math.min(length, bits - diff.toString(2).length);
  }
  const hostBits = BigInt(bits - length);
  const start = (first.start >> hostBits) << hostBits;
  return { family: first.family, start, end: start | ((1n << hostBits) - 1n), length, text: "" };
}

/** Per family, the span of the prefixes; a correct (coarser) index key for a long list. */
function keys(list: readonly Prefix[], collapse: boolean): readonly Prefix[] {
  if (!collapse) return list;
  return ([4, 6] as const).map((f) => list.filter((p) => p.family === f)).filter((l) => l.length > 0).map(span);
}

/**
 * The earlier rules of one protocol in a trie of tries: source prefix, then
 * destination prefix, then port. A rule that can cover B contains B's first
 * source prefix, its first destination prefix and its lowest port, so the
 * look-up walks only the nodes on those paths.
 */
class ProtocolIndex {
  private readonly bySource = new PrefixTrie<PrefixTrie<PortBucket>>();

  add(p: Prepared, id: number): void {
    const collapse = p.rule.src.length * p.rule.dst.length > MAX_PAIRS;
    for (const s of keys(p.rule.src, collapse)) {
      const byDestination = this.bySource.getOrInsert(s, () => new PrefixTrie<PortBucket>());
      for (const d of keys(p.rule.dst, collapse)) byDestination.getOrInsert(d, () => new PortBucket()).add(p, id);
    }
  }

  candidates(p: Prepared, into: number[]): void {
    const src = p.rule.src[0]!;
    const dst = p.rule.dst[0]!;
    for (const byDestination of this.bySource.containing(src)) {
      for (const bucket of byDestination.containing(dst)) bucket.collect(p, into);
    }
  }
}

/**
 * Finds, for each rule that an earlier rule covers, the earliest such rule.
 * Rules without prefixes (an unresolved reference) are left out.
 */
export function findShadowedRules(rules: readonly ShadowRule[], stats?: ShadowStats): ShadowFinding[] {
  const findings: ShadowFinding[] = [];
  const prepared: Prepared[] = [];
  const byProtocol = new Map<Protocol, ProtocolIndex>();
  if (stats) stats.rules += rules.length;

  for (const rule of rules) {
    if (rule.src.length === 0 || rule.dst.length === 0) continue;
    const hasPorts = rule.protocol === "tcp" || rule.protocol === "udp";
    const ports = mergePorts(hasPorts ? rule.ports : undefined);
    const allPorts = ports.length === 1 && ports[0]!.from === 1 && ports[0]!.to === 65535;
    const p: Prepared = { rule, ports, allPorts };

    // a tcp rule can be covered by a tcp or an `any` rule; an `any` rule only by an `any` rule
    const groups = rule.protocol === "any" ? ["any" as const] : [rule.protocol, "any" as const];
    const found: number[] = [];
    for (const g of groups) byProtocol.get(g)?.candidates(p, found);
    let by: Prepared | undefined;
    // earliest first: the first rule that covers B is the one that takes its traffic
    for (const id of [...new Set(found)].sort((a, b) => a - b)) {
      const earlier = prepared[id]!;
      if (stats) stats.comparisons++;
      if (covers(earlier, p)) {
        by = earlier;
        break;
      }
    }
    if (by) {
      findings.push({ rule: rule.index, by: by.rule.index, sameAction: by.rule.action === rule.action });
      // a covered rule adds nothing the covering one does not: keep it out of the index
      continue;
    }
    const id = prepared.length;
    prepared.push(p);
    let index = byProtocol.get(rule.protocol);
    if (!index) {
      index = new ProtocolIndex();
      byProtocol.set(rule.protocol, index);
    }
    index.add(p, id);
  }
  return findings;
}
