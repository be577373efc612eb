// What the firewall dialects (nftables, junos, ietf-acl, fortios) share: a
// rule of the inventory read once into address families, prefixes and ports,
// so that every dialect refuses the same rules for the same reasons and only
// differs in how it writes them down. Pure: no I/O.
import { createHash } from "node:crypto";
import { activeBlocks } from "../../model/blocklist.js";
import { coverPrefixes, parsePrefix, prefixContains, type Family, type Prefix } from "../../model/net.js";
import { insidePrefixes, isActive, ownObjects, resolveRef, type ResolvedRef } from "../../model/resolve.js";
import type { FirewallRule, Inventory, Org } from "../../model/types.js";
import type { PortRange } from "../../model/values.js";
import { orgsInOrder, RenderError, type RenderContext } from "../platform.js";

export type FirewallProtocol = FirewallRule["protocol"];

/** IANA protocol numbers; "any" has none. */
export const PROTOCOL_NUMBERS: Readonly<Record<Exclude<FirewallProtocol, "any">, number>> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  icmpv6: 58,
};

/** One reference of a rule (from/to), its prefixes split by family. */
export interface RefPrefixes {
  /** the reference as written, e.g. "lan", "internet", "mie-pref:egov-servers", "192.0.2.0/24" */
  ref: string;
  resolved: ResolvedRef;
  v4: Prefix[];
  v6: Prefix[];
  /** of an outside object: its addresses as written, per family (v4/v6 above are these minus the inside prefixes) */
  outside?: { v4: Prefix[]; v6: Prefix[] };
}

/** The part of one rule that applies to one address family. */
export interface FamilyTerm {
  family: Family;
  /** the references that have prefixes of this family, in rule order */
  from: RefPrefixes[];
  to: RefPrefixes[];
  /**
   * all source / destination prefixes of this family as the fewest CIDR
   * prefixes holding the same addresses (siblings joined), sorted: a dialect
   * that writes one entry per (source, destination) pair pays for every extra prefix
   */
  sources: Prefix[];
  destinations: Prefix[];
}

/** One active firewall rule of an organization, read for rendering. */
export interface ExpandedRule {
  org: Org;
  rule: FirewallRule;
  /** index in org.firewall, for messages */
  index: number;
  /** "tsu firewall[2] (block-c2)": where a RenderError points */
  where: string;
  protocol: FirewallProtocol;
  /** destination ports; empty when the rule has none (all ports, or a protocol without ports) */
  ports: PortRange[];
  /** the families the rule really matches (both sides present and the protocol fits), v4 first */
  terms: FamilyTerm[];
  /**
   * Per side, true when "not inside the cloud" is exactly what the side
   * matches: every reference of the side is an outside object and together
   * they hold 0.0.0.0/0 and ::/0. A dialect that negates an address list
   * may then write the side as the negated inside set (insideSets()).
   */
  outsideOnly: { from: boolean; to: boolean };
}

export interface BandwidthCap {
  ingressMbps: number;
  egressMbps: number;
  /** the organization's own prefixes (networks and global addresses), aggregated */
  v4: Prefix[];
  v6: Prefix[];
}

export interface OrgFirewall {
  org: Org;
  rules: ExpandedRule[];
  /** present when the org has a bandwidth cap (R8) */
  bandwidth?: BandwidthCap;
}

export interface BlocklistPrefix {
  prefix: Prefix;
  reason: string;
  added: string;
}

function fail(ctx: RenderContext, where: string, message: string): never {
  throw new RenderError(ctx.device.name, ctx.device.platform, where, message);
}

function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.length - b.length;
}

/**
 * Sorted, without duplicates and without prefixes contained in another one.
 * CIDR prefixes either nest or are disjoint, so this leaves a set that nft
 * accepts in an interval set without auto-merge.
 */
export function aggregatePrefixes(prefixes: readonly Prefix[]): Prefix[] {
  const sorted = [...prefixes].sort((a, b) => comparePrefixes(a, b) || a.length - b.length);
  const out: Prefix[] = [];
  for (const p of sorted) {
    if (out.some((q) => prefixContains(q, p))) continue;
    out.push(p);
  }
  return out;
}

function splitRef(ctx: RenderContext, org: Org, ref: string, where: string): RefPrefixes {
  const r = resolveRef(ctx.inventory, org, ref);
  if (!r.ok) fail(ctx, where, `${r.reason}${r.hint ? ` (${r.hint})` : ""}`);
  const base = r.value.outside?.base;
  return {
    ref,
    resolved: r.value,
    v4: aggregatePrefixes(r.value.prefixes.filter((p) => p.family === 4)),
    v6: aggregatePrefixes(r.value.prefixes.filter((p) => p.family === 6)),
    ...(base ? { outside: { v4: aggregatePrefixes(base.filter((p) => p.family === 4)), v6: aggregatePrefixes(base.filter((p) => p.family === 6)) } } : {}),
  };
}

/** True when the side is exactly "not inside": only outside objects, together holding both default routes. */
function isOutsideOnly(refs: readonly RefPrefixes[]): boolean {
  if (refs.length === 0 || refs.some((r) => !r.outside)) return false;
  const covers = (family: Family) => refs.some((r) => (family === 4 ? r.outside!.v4 : r.outside!.v6).some((p) => p.length === 0));
  return covers(4) && covers(6);
}

export interface InsideSets {
  /** every inside prefix (insidePrefixes()), aggregated, per family */
  v4: Prefix[];
  v6: Prefix[];
}

const insideSetMemo = new WeakMap<Inventory, InsideSets>();

/** The prefixes an outside object leaves out, per family: the set a negating dialect writes once. */
export function insideSets(inventory: Inventory): InsideSets {
  let sets = insideSetMemo.get(inventory);
  if (!sets) {
    const all = aggregatePrefixes(insidePrefixes(inventory));
    sets = { v4: all.filter((p) => p.family === 4), v6: all.filter((p) => p.family === 6) };
    insideSetMemo.set(inventory, sets);
  }
  return sets;
}

function familyTerm(family: Family, from: RefPrefixes[], to: RefPrefixes[]): FamilyTerm | undefined {
  const pick = (r: RefPrefixes) => (family === 4 ? r.v4 : r.v6);
  const f = from.filter((r) => pick(r).length > 0);
  const t = to.filter((r) => pick(r).length > 0);
  if (f.length === 0 || t.length === 0) return undefined;
  return { family, from: f, to: t, sources: coverPrefixes(f.flatMap(pick)), destinations: coverPrefixes(t.flatMap(pick)) };
}

/** Reads one rule; refuses what no dialect could render faithfully. */
export function expandRule(ctx: RenderContext, org: Org, rule: FirewallRule, index: number): ExpandedRule {
  const where = `${org.id} firewall[${index}] (${rule.name})`;
  const ports = rule.ports ?? [];
  if (ports.length > 0 && rule.protocol !== "tcp" && rule.protocol !== "udp") {
    fail(ctx, `${where}.ports`, `ports need protocol tcp or udp, not ${rule.protocol}`);
  }
  const from = rule.from.map((ref) => splitRef(ctx, org, ref, `${where}.from`));
  const to = rule.to.map((ref) => splitRef(ctx, org, ref, `${where}.to`));
  const families: Family[] = rule.protocol === "icmp" ? [4] : rule.protocol === "icmpv6" ? [6] : [4, 6];
  const terms = families.map((f) => familyTerm(f, from, to)).filter((t): t is FamilyTerm => t !== undefined);
  if (terms.length === 0) {
    fail(
      ctx,
      where,
      `the rule can match no packet: no address family (${families.map((f) => `IPv${f}`).join(", ")}) has both a source and a destination${
        rule.protocol === "icmp" || rule.protocol === "icmpv6" ? ` for ${rule.protocol}` : ""
      }`,
    );
  }
  const sortedPorts = [...ports].sort((a, b) => a.from - b.from || a.to - b.to);
  return { org, rule, index, where, protocol: rule.protocol, ports: sortedPorts, terms, outsideOnly: { from: isOutsideOnly(from), to: isOutsideOnly(to) } };
}

/** The organization's own prefixes (networks and global addresses), aggregated. */
export function ownPrefixes(org: Org): Prefix[] {
  const texts = [...ownObjects(org).values()].flat();
  return aggregatePrefixes(
    texts.map((t) => {
      const r = parsePrefix(t);
      if (!r.ok) throw new Error(`unvalidated prefix ${t}`);
      return r.prefix;
    }),
  );
}

/**
 * The firewall part of the inventory for this device: organizations in
 * orgsInOrder() order, each with its active rules (expired ones left out)
 * and its bandwidth cap. Organizations with neither are left out.
 */
export function firewallByOrg(ctx: RenderContext): OrgFirewall[] {
  const out: OrgFirewall[] = [];
  for (const org of orgsInOrder(ctx.inventory)) {
    const rules = org.firewall
      .map((rule, index) => ({ rule, index }))
      .filter(({ rule }) => isActive(rule.expires, ctx.today))
      .map(({ rule, index }) => expandRule(ctx, org, rule, index));
    let bandwidth: BandwidthCap | undefined;
    if (org.bandwidth) {
      const own = ownPrefixes(org);
      if (own.length === 0) fail(ctx, `${org.id} bandwidth`, "a bandwidth cap needs at least one network or global address to apply to");
      bandwidth = { ...org.bandwidth, v4: own.filter((p) => p.family === 4), v6: own.filter((p) => p.family === 6) };
    }
    if (rules.length === 0 && !bandwidth) continue;
    out.push({ org, rules, ...(bandwidth ? { bandwidth } : {}) });
  }
  return out;
}

/** Active blocks (cloud.yaml's blocklist and emergency.yaml) whose target is an address or prefix (domains and URLs are for other kinds). */
export function blocklistPrefixes(inventory: Inventory, today: string): BlocklistPrefix[] {
  const out: BlocklistPrefix[] = [];
  const seen = new Set<string>();
  for (const b of activeBlocks(inventory, today).blocks) {
    if (b.target.kind !== "prefix" || seen.has(b.target.text)) continue;
    seen.add(b.target.text);
    out.push({ prefix: b.target.prefix, reason: b.reason, added: b.added });
  }
  return out.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
}

/** Cuts text to at most maxBytes of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let out = "";
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** First 8 hex digits of SHA-256: a stable suffix that keeps shortened names unique. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8);
}

/** The name itself when it fits, else a prefix of it plus "-" and a hash of the whole (stable across runs). */
export function shortName(name: string, max: number): string {
  if (name.length <= max) return name;
  return `${name.slice(0, max - 9)}-${shortHash(name)}`;
}

/** "443" or "8000-8080" */
export function portRangeText(p: PortRange, sep = "-"): string {
  return p.from === p.to ? String(p.from) : `${p.from}${sep}${p.to}`;
}

/** The org's heading used by every dialect's comment: id and Japanese name. */
export function orgTitle(org: Org): string {
  return `${org.id} ${org.name.ja} (${org.name.en})`;
}
