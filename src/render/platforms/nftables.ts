// nftables: the firewall rules of every organization as one `table inet
// scconf`, replaced whole and atomically by `nft -f`. Named sets per
// organization object (separate IPv4/IPv6 sets, nft sets are single-family),
// a forward chain with policy drop, the global blocklist first, then the
// per-organization bandwidth caps as named limit objects.
import { PLATFORM_KINDS } from "../../model/kinds.js";
import type { Family, Prefix } from "../../model/net.js";
import { prefixHostOrCidr } from "../../model/net.js";
import { artifactPath, headerLines, RenderError, type Platform, type RenderContext } from "../platform.js";
import {
  blocklistPrefixes,
  firewallByOrg,
  insideSets,
  orgTitle,
  portRangeText,
  truncateUtf8,
  type BandwidthCap,
  type ExpandedRule,
  type FamilyTerm,
  type InsideSets,
  type OrgFirewall,
  type RefPrefixes,
} from "./firewall-common.js";

/** nft refuses a comment longer than 128 bytes (NFTNL_UDATA_COMMENT_MAXLEN), counted in bytes, not characters. */
export const NFT_COMMENT_MAX_BYTES = 128;

/**
 * A quoted nft string. Inventory text is already free of quotes, backslashes
 * and control characters (safeText); this re-checks rather than trusts,
 * because a quote here would end the string and open a statement.
 */
export function nftString(text: string, maxBytes = NFT_COMMENT_MAX_BYTES): string {
  if (/[\u0000-\u001f\u007f"\\]/u.test(text)) throw new Error(`unsafe text reached the nftables renderer: ${JSON.stringify(text)}`);
  return `"${truncateUtf8(text, maxBytes)}"`;
}

interface SetView {
  heading: string;
  name: string;
  type: "ipv4_addr" | "ipv6_addr";
  elements: string[];
}

interface LimitView {
  title: string;
  name: string;
  direction: "ingress" | "egress";
  mbps: number;
  bytesPerSecond: number;
}

const FAMILY_KEYWORD: Record<Family, "ip" | "ip6"> = { 4: "ip", 6: "ip6" };

function setName(orgId: string, ref: string, family: Family): string {
  // org ids have no "_", and ":" (exports) is not an nft identifier character: "tsu_mie-pref/egov-servers_v4"
  return `${orgId}_${ref.replace(":", "/")}_v${family}`;
}

function elements(prefixes: readonly Prefix[]): string[] {
  return prefixes.map(prefixHostOrCidr);
}

/** Collects the named sets an org needs, each once, in order of first use. */
class SetTable {
  readonly sets: SetView[] = [];
  private readonly byName = new Map<string, string>();
  private lastHeading = "";
  constructor(private readonly ctx: RenderContext, readonly inside: InsideSets) {}

  add(heading: string, name: string, family: Family, prefixes: readonly Prefix[]): string {
    const els = elements(prefixes);
    const key = els.join(",");
    const seen = this.byName.get(name);
    if (seen !== undefined) {
      if (seen !== key) throw new RenderError(this.ctx.device.name, "nftables", name, "two different sets would get this name");
      return name;
    }
    this.byName.set(name, key);
    // the heading is printed once, above the first set of each organization
    const shown = heading === this.lastHeading ? "" : heading;
    this.lastHeading = heading;
    this.sets.push({ heading: shown, name, type: family === 4 ? "ipv4_addr" : "ipv6_addr", elements: els });
    return name;
  }
}

// The shared sets are named cloud_inside_v4/v6: an organization's set would
// get that name only for an org "cloud" with an object "inside", and SetTable
// refuses two different sets of one name rather than merge them.
const INSIDE_HEADING = "cloud: every inside prefix (organizations, the cloud's own objects, resolvers, management, address plans); an outside object is its addresses and not these";

/**
 * An outside object as "in its base and not inside": one shared set of the
 * inside prefixes instead of the complement per organization. Undefined when
 * the family has no inside prefix (then the complement is the base itself).
 */
function outsideMatch(sets: SetTable, family: Family, side: "saddr" | "daddr", ref: RefPrefixes): string | undefined {
  const base = ref.outside ? (family === 4 ? ref.outside.v4 : ref.outside.v6) : undefined;
  const inside = family === 4 ? sets.inside.v4 : sets.inside.v6;
  if (!base || base.length === 0 || inside.length === 0) return undefined;
  const kw = FAMILY_KEYWORD[family];
  const negated = `${kw} ${side} != @${sets.add(INSIDE_HEADING, `cloud_inside_v${family}`, family, inside)}`;
  if (base.some((p) => p.length === 0)) return negated;
  const els = elements(base);
  return `${kw} ${side} ${els.length === 1 ? els[0] : `{ ${els.join(", ")} }`} ${negated}`;
}

function sideMatch(sets: SetTable, org: OrgFirewall, family: Family, side: "saddr" | "daddr", ref: RefPrefixes): string {
  const prefixes = family === 4 ? ref.v4 : ref.v6;
  const kw = FAMILY_KEYWORD[family];
  if (ref.resolved.kind === "literal") return `${kw} ${side} ${elements(prefixes).join("")}`;
  const outside = outsideMatch(sets, family, side, ref);
  if (outside) return outside;
  return `${kw} ${side} @${sets.add(orgTitle(org.org), setName(org.org.id, ref.ref, family), family, prefixes)}`;
}

function protocolMatch(r: ExpandedRule): string {
  switch (r.protocol) {
    case "tcp":
    case "udp": {
      if (r.ports.length === 0) return `meta l4proto ${r.protocol}`;
      const ports = r.ports.map((p) => portRangeText(p));
      return `${r.protocol} dport ${ports.length === 1 ? ports[0] : `{ ${ports.join(", ")} }`}`;
    }
    case "icmp":
      return "meta l4proto icmp";
    case "icmpv6":
      return "meta l4proto ipv6-icmp";
    case "any":
      return "";
  }
}

function verdict(r: ExpandedRule): string {
  if (r.rule.action !== "reject") return r.rule.action;
  // a TCP client gets a reset (fails fast), everything else an ICMP administratively-prohibited
  return r.protocol === "tcp" ? "reject with tcp reset" : "reject with icmpx admin-prohibited";
}

function ruleLines(sets: SetTable, org: OrgFirewall, r: ExpandedRule): string[] {
  const comment = nftString(`${org.org.id} ${r.rule.name}${r.rule.comment ? `: ${r.rule.comment}` : ""}`);
  const log = r.rule.log ? `log prefix ${nftString(`scconf ${org.org.id}/${r.rule.name} `, 127)}` : "";
  const lines: string[] = [];
  const proto = protocolMatch(r);
  for (const term of r.terms as FamilyTerm[]) {
    // one line per (source object, destination object): an nft match takes one named set
    for (const from of term.from) {
      for (const to of term.to) {
        const parts = [sideMatch(sets, org, term.family, "saddr", from), sideMatch(sets, org, term.family, "daddr", to), proto, log, verdict(r), `comment ${comment}`];
        lines.push(parts.filter((p) => p !== "").join(" "));
      }
    }
  }
  return lines;
}

const MBPS_TO_BYTES_PER_SECOND = 125_000;

/**
 * R8 as a named limit object per org and direction: nft evaluates a named
 * limit as one token bucket however many rules use it, so the IPv4 and IPv6
 * rules share the org's cap. Byte rates are written in bytes/second because
 * nft's kbytes/mbytes are binary multiples and the inventory speaks decimal
 * Mbit/s. No burst: the kernel then allows one second's worth of traffic.
 */
function capLines(sets: SetTable, o: OrgFirewall, bw: BandwidthCap, limits: LimitView[]): string[] {
  const lines: string[] = [];
  for (const direction of ["egress", "ingress"] as const) {
    const mbps = direction === "egress" ? bw.egressMbps : bw.ingressMbps;
    const name = `${o.org.id}_${direction}`;
    limits.push({ title: orgTitle(o.org), name, direction, mbps, bytesPerSecond: mbps * MBPS_TO_BYTES_PER_SECOND });
    for (const family of [4, 6] as const) {
      const prefixes = family === 4 ? bw.v4 : bw.v6;
      if (prefixes.length === 0) continue;
      // "/" cannot appear in a reference, so this never meets a rule's set name
      const set = sets.add(orgTitle(o.org), `${o.org.id}/own_v${family}`, family, prefixes);
      const side = direction === "egress" ? "saddr" : "daddr";
      lines.push(`${FAMILY_KEYWORD[family]} ${side} @${set} limit name ${nftString(name)} drop comment ${nftString(`${o.org.id} ${direction} cap ${mbps} Mbit/s`)}`);
    }
  }
  return lines;
}

export function renderRuleset(ctx: RenderContext): string {
  const orgs = firewallByOrg(ctx);
  const sets = new SetTable(ctx, insideSets(ctx.inventory));
  // the shared inside sets first, under their own heading, before any organization's sets
  for (const family of [4, 6] as const) {
    const used = orgs.some((o) => o.rules.some((r) => r.terms.some((t) => t.family === family && [...t.from, ...t.to].some((ref) => ref.outside))));
    const inside = family === 4 ? sets.inside.v4 : sets.inside.v6;
    if (used && inside.length > 0) sets.add(INSIDE_HEADING, `cloud_inside_v${family}`, family, inside);
  }
  const blocklist = blocklistPrefixes(ctx.inventory, ctx.today).flatMap((b) => {
    const kw = FAMILY_KEYWORD[b.prefix.family];
    const c = nftString(`blocklist ${b.added}: ${b.reason}`);
    const addr = prefixHostOrCidr(b.prefix);
    return [`${kw} saddr ${addr} drop comment ${c}`, `${kw} daddr ${addr} drop comment ${c}`];
  });
  const limits: LimitView[] = [];
  const caps: string[] = [];
  const orgViews: { id: string; title: string; rules: string[] }[] = [];
  for (const o of orgs) {
    const rules = o.rules.flatMap((r) => ruleLines(sets, o, r));
    if (rules.length > 0) orgViews.push({ id: o.org.id, title: orgTitle(o.org), rules });
    if (o.bandwidth) caps.push(...capLines(sets, o, o.bandwidth, limits));
  }
  return ctx.templates.render("ruleset", {
    header: headerLines(ctx, "ruleset"),
    limits,
    sets: sets.sets,
    blocklist,
    caps,
    orgs: orgViews,
  });
}

export const nftables: Platform = {
  name: "nftables",
  description: "nftables: one atomically replaced `table inet scconf` with named sets per organization object",
  kinds: PLATFORM_KINDS["nftables"],
  features: ["ipv6", "portRanges", "icmp", "reject", "logging", "comments", "bandwidth"],
  defaultPaths: { ruleset: "/etc/nftables.d/scconf.nft" },
  defaultCheckCommand: "nft -c -f {stage}/ruleset",
  defaultReloadCommand: "nft -f /etc/nftables.d/scconf.nft",
  helpers: {},
  render(ctx) {
    if (!ctx.kinds.includes("firewall")) return [];
    return [
      {
        id: "ruleset",
        path: artifactPath(ctx, nftables, "ruleset"),
        content: renderRuleset(ctx),
        kinds: ["firewall"],
        format: "text",
      },
    ];
  },
};
