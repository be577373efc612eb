// Junos (SRX): the firewall rules as `set` commands. Everything scconf owns
// lives in `groups scconf`, so the artifact replaces exactly one hierarchy
// with `delete groups scconf` and touches nothing the operators wrote by
// hand. (Deleting `security policies global` or a zone pair would take their
// own policies with it, and `security policies global policy scconf-*` is not
// one hierarchy that a single `delete` can replace.) Global policies are used
// because an organization's rules are not tied to a zone pair; they can only
// name addresses of the global address book, hence
// `security address-book global` inside the group, every name prefixed
// "scconf-".
import type { Prefix } from "../../model/net.js";
import { PLATFORM_KINDS } from "../../model/kinds.js";
import { artifactPath, headerLines, RenderError, type Platform, type RenderContext } from "../platform.js";
import {
  blocklistPrefixes,
  firewallByOrg,
  insideSets,
  orgTitle,
  portRangeText,
  shortName,
  truncateUtf8,
  type ExpandedRule,
  type OrgFirewall,
  type RefPrefixes,
} from "./firewall-common.js";

/** Junos object names (policies, addresses, applications, policers) are at most 63 characters. */
export const JUNOS_NAME_MAX = 63;
const DESCRIPTION_MAX_BYTES = 255;

/** A quoted Junos string; re-checks what safeText promised, because a quote would end it. */
export function junosString(text: string): string {
  if (/[\u0000-\u001f\u007f"\\]/u.test(text)) throw new Error(`unsafe text reached the junos renderer: ${JSON.stringify(text)}`);
  return `"${truncateUtf8(text, DESCRIPTION_MAX_BYTES)}"`;
}

/** Letters, digits, "-", "_", "." only: ":" of exports and "/" of literal prefixes are mapped. */
function nameOf(text: string): string {
  return shortName(`scconf-${text.replace(/:/g, ".").replace(/\//g, "_")}`, JUNOS_NAME_MAX);
}

interface Section {
  title: string;
  lines: string[];
}

/**
 * Names the artifact defines, so that two different objects never share one.
 * Junos keeps one namespace per object type (a policy and an address may
 * share a name); the type is the first word of `what`.
 */
class Names {
  private readonly seen = new Map<string, string>();
  constructor(private readonly ctx: RenderContext) {}
  /** true when the name is new; false when the same object was already defined */
  claim(name: string, what: string): boolean {
    const space = what.split(" ")[0] === "set" ? "address" : what.split(" ")[0]!;
    const key = `${space} ${name}`;
    const prev = this.seen.get(key);
    if (prev === undefined) {
      this.seen.set(key, what);
      return true;
    }
    if (prev !== what) throw new RenderError(this.ctx.device.name, "junos", name, `two different objects would get this name (${prev} / ${what})`);
    return false;
  }
}

/** The address-set of every inside prefix, which a policy side "outside the cloud" names with `-excluded`. */
const INSIDE_SET = nameOf("cloud-inside");

class JunosBuilder {
  readonly addresses: string[] = [];
  readonly applications: string[] = [];
  readonly names: Names;
  private readonly inside: readonly Prefix[];
  constructor(ctx: RenderContext) {
    this.names = new Names(ctx);
    const sets = insideSets(ctx.inventory);
    this.inside = [...sets.v4, ...sets.v6];
  }

  /**
   * The inside address-set, defined on first use; undefined when the cloud
   * has no inside prefix (an outside object is then its complement list).
   */
  insideRef(): string | undefined {
    if (this.inside.length === 0) return undefined;
    const what = `set ${this.inside.map((p) => p.text).join(",")}`;
    if (!this.names.claim(INSIDE_SET, what)) return INSIDE_SET;
    const members = this.inside.map((p, i) => {
      const member = nameOf(`cloud-inside-${i + 1}`);
      this.names.claim(member, `address ${p.text}`);
      this.addresses.push(`security address-book global address ${member} ${p.text}`);
      return member;
    });
    this.addresses.push(`security address-book global address-set ${INSIDE_SET} description ${junosString("every inside prefix of the cloud: a policy side matching outside the cloud names this set with -excluded")}`);
    for (const m of members) this.addresses.push(`security address-book global address-set ${INSIDE_SET} address ${m}`);
    return INSIDE_SET;
  }

  /** The address or address-set name for a reference of an org; defines it on first use. */
  addressRef(orgId: string, ref: RefPrefixes, prefixes: readonly Prefix[]): string {
    const base = nameOf(`${orgId}-${ref.ref}`);
    const what = `address ${prefixes.map((p) => p.text).join(",")}`;
    if (prefixes.length === 1) {
      if (this.names.claim(base, what)) this.addresses.push(`security address-book global address ${base} ${prefixes[0]!.text}`);
      return base;
    }
    if (!this.names.claim(base, `set ${what}`)) return base;
    prefixes.forEach((p, i) => {
      const member = nameOf(`${orgId}-${ref.ref}-${i + 1}`);
      this.names.claim(member, `address ${p.text}`);
      this.addresses.push(`security address-book global address ${member} ${p.text}`);
    });
    prefixes.forEach((_, i) => this.addresses.push(`security address-book global address-set ${base} address ${nameOf(`${orgId}-${ref.ref}-${i + 1}`)}`));
    return base;
  }

  /** The applications a rule matches: predefined ones for ICMP and "any", scconf-<proto>-<ports> otherwise. */
  applicationRefs(r: ExpandedRule): string[] {
    switch (r.protocol) {
      case "any":
        return ["any"];
      case "icmp":
        return ["junos-icmp-all"];
      case "icmpv6":
        return ["junos-icmp6-all"];
      case "tcp":
      case "udp": {
        if (r.ports.length === 0) {
          const name = `scconf-${r.protocol}`;
          if (this.names.claim(name, `application ${r.protocol}`)) this.applications.push(`applications application ${name} protocol ${r.protocol}`);
          return [name];
        }
        return r.ports.map((p) => {
          const name = `scconf-${r.protocol}-${portRangeText(p)}`;
          if (this.names.claim(name, `application ${r.protocol} ${portRangeText(p)}`)) {
            this.applications.push(`applications application ${name} protocol ${r.protocol}`);
            this.applications.push(`applications application ${name} destination-port ${portRangeText(p)}`);
          }
          return name;
        });
      }
    }
  }
}

const THEN: Record<ExpandedRule["rule"]["action"], string> = { accept: "permit", drop: "deny", reject: "reject" };

function policyLines(b: JunosBuilder, o: OrgFirewall, r: ExpandedRule): string[] {
  const name = nameOf(`${o.org.id}-${r.rule.name}`);
  b.names.claim(name, `policy ${o.org.id}/${r.rule.name}`);
  const p = `security policies global policy ${name}`;
  const lines = [`${p} description ${junosString(`${o.org.id} ${r.rule.name}${r.rule.comment ? `: ${r.rule.comment}` : ""}`)}`];
  // an address object is the whole reference (both families): a policy never
  // pairs an IPv4 source with an IPv6 destination, so the extra family of a
  // mixed object matches nothing, and each object keeps one definition
  const collect = (side: "from" | "to"): string[] => {
    const refs = new Map<string, RefPrefixes>();
    for (const t of r.terms) for (const x of t[side]) refs.set(x.ref, x);
    return [...refs.values()].map((x) => b.addressRef(o.org.id, x, [...x.v4, ...x.v6]));
  };
  // a side that is exactly "outside the cloud" (internet: 0/0 and ::/0 without
  // the inside prefixes) is the inside set, negated: `-excluded` negates the
  // whole address list of that side, so it is used only when the side has
  // nothing else
  const side = (which: "from" | "to"): string[] => {
    const inside = r.outsideOnly[which] ? b.insideRef() : undefined;
    return inside ? [inside] : collect(which);
  };
  const insideExcluded = (which: "from" | "to"): boolean => r.outsideOnly[which] && b.insideRef() !== undefined;
  for (const s of side("from")) lines.push(`${p} match source-address ${s}`);
  if (insideExcluded("from")) lines.push(`${p} match source-address-excluded`);
  for (const d of side("to")) lines.push(`${p} match destination-address ${d}`);
  if (insideExcluded("to")) lines.push(`${p} match destination-address-excluded`);
  for (const a of b.applicationRefs(r)) lines.push(`${p} match application ${a}`);
  lines.push(`${p} then ${THEN[r.rule.action]}`);
  if (r.rule.log) lines.push(`${p} then log session-init`);
  return lines;
}

function blocklistSection(ctx: RenderContext, b: JunosBuilder): Section | undefined {
  const entries = blocklistPrefixes(ctx.inventory, ctx.today);
  if (entries.length === 0) return undefined;
  const lines: string[] = [];
  for (const e of entries) {
    const name = nameOf(`block-${e.prefix.text}`);
    b.names.claim(name, `address ${e.prefix.text}`);
    b.addresses.push(`security address-book global address ${name} description ${junosString(`blocklist ${e.added}: ${e.reason}`)}`);
    b.addresses.push(`security address-book global address ${name} ${e.prefix.text}`);
    b.addresses.push(`security address-book global address-set scconf-blocklist address ${name}`);
  }
  for (const [dir, src, dst] of [["from", "scconf-blocklist", "any"], ["to", "any", "scconf-blocklist"]] as const) {
    const p = `security policies global policy scconf-blocklist-${dir}`;
    lines.push(`${p} description ${junosString(`global blocklist of cloud.yaml, traffic ${dir} listed addresses`)}`);
    lines.push(`${p} match source-address ${src}`, `${p} match destination-address ${dst}`, `${p} match application any`);
    lines.push(`${p} then deny`, `${p} then log session-init`);
  }
  return { title: "global blocklist of cloud.yaml: first, so that no organization's rule can open it", lines };
}

/**
 * R8 as policers and a filter per family. The filter `scconf-bandwidth` must
 * be applied to the interfaces towards the organizations by the operators
 * (outside this artifact). Each term ends in `next term`, so a packet between
 * two capped organizations counts against both. A policer is instantiated
 * per filter, so IPv4 and IPv6 each get the full rate: Junos cannot share one
 * bucket across families without a family-any filter, which cannot match addresses.
 * Burst: 10 ms of the rate.
 */
function bandwidthSection(orgs: OrgFirewall[]): Section | undefined {
  const lines: string[] = [];
  const filter: Record<4 | 6, string[]> = { 4: [], 6: [] };
  for (const o of orgs) {
    if (!o.bandwidth) continue;
    for (const direction of ["egress", "ingress"] as const) {
      const mbps = direction === "egress" ? o.bandwidth.egressMbps : o.bandwidth.ingressMbps;
      const policer = nameOf(`${o.org.id}-${direction}`);
      lines.push(`firewall policer ${policer} if-exceeding bandwidth-limit ${mbps}m`);
      lines.push(`firewall policer ${policer} if-exceeding burst-size-limit ${mbps * 1250}`);
      lines.push(`firewall policer ${policer} then discard`);
      for (const family of [4, 6] as const) {
        const prefixes = family === 4 ? o.bandwidth.v4 : o.bandwidth.v6;
        if (prefixes.length === 0) continue;
        const term = `firewall family ${family === 4 ? "inet" : "inet6"} filter scconf-bandwidth term ${o.org.id}-${direction}`;
        const side = direction === "egress" ? "source-address" : "destination-address";
        for (const p of prefixes) filter[family].push(`${term} from ${side} ${p.text}`);
        filter[family].push(`${term} then policer ${policer}`, `${term} then next term`);
      }
    }
  }
  if (lines.length === 0) return undefined;
  for (const family of [4, 6] as const) {
    if (filter[family].length > 0) filter[family].push(`firewall family ${family === 4 ? "inet" : "inet6"} filter scconf-bandwidth term scconf-default then accept`);
  }
  return { title: "bandwidth caps (R8): apply filter scconf-bandwidth to the organization-facing interfaces", lines: [...lines, ...filter[4], ...filter[6]] };
}

export function renderSecurityPolicies(ctx: RenderContext): string {
  const orgs = firewallByOrg(ctx);
  const b = new JunosBuilder(ctx);
  const policySections: Section[] = [];
  const block = blocklistSection(ctx, b);
  if (block) policySections.push(block);
  for (const o of orgs) {
    if (o.rules.length === 0) continue;
    policySections.push({ title: `org ${orgTitle(o.org)}`, lines: o.rules.flatMap((r) => policyLines(b, o, r)) });
  }
  const sections: Section[] = [];
  if (b.addresses.length > 0) sections.push({ title: "addresses (global address book: global policies can use no other)", lines: b.addresses });
  if (b.applications.length > 0) sections.push({ title: "applications", lines: b.applications });
  sections.push(...policySections);
  const bw = bandwidthSection(orgs);
  if (bw) sections.push(bw);
  return ctx.templates.render("security-policies", {
    header: [
      ...headerLines(ctx, "security-policies"),
      "Replaces: groups scconf (deleted and rewritten whole) and adds apply-groups scconf; nothing else.",
      "Inside the group: security address-book global address/address-set scconf-*, applications application scconf-*,",
      "security policies global policy scconf-*, firewall policer scconf-*, firewall family inet/inet6 filter scconf-bandwidth.",
    ],
    sections,
  });
}

export const junos: Platform = {
  name: "junos",
  description: "Junos SRX: global security policies, addresses, applications and policers in `groups scconf`, as set commands",
  kinds: PLATFORM_KINDS["junos"],
  features: ["ipv6", "portRanges", "icmp", "reject", "logging", "comments", "bandwidth"],
  defaultPaths: { "security-policies": "cli:security" },
  helpers: {},
  render(ctx) {
    if (!ctx.kinds.includes("firewall")) return [];
    return [
      {
        id: "security-policies",
        path: artifactPath(ctx, junos, "security-policies"),
        content: renderSecurityPolicies(ctx),
        kinds: ["firewall"],
        format: "junos-set",
      },
    ];
  },
};
