// FortiOS firewall artifact: per organization its addresses, groups,
// services, policies and bandwidth shaping, each in its own `config ... end`
// blocks so that a `#` comment line can mark where an organization starts.
// Rules are read by firewall-common (shared with nftables/junos/ietf-acl).
import type { Prefix } from "../../model/net.js";
import type { Org } from "../../model/types.js";
import { headerLines, type RenderContext } from "../platform.js";
import { blocklistPrefixes, firewallByOrg, insideSets, portRangeText, type ExpandedRule, type RefPrefixes } from "./firewall-common.js";
import { cliText, fail, FORTIOS_ID_RANGES, FORTIOS_NAME_MAX, ipv4Subnet, objectName, orgSlots, SlotAllocator } from "./fortios.js";
import { activeIpsExceptions, hasWebfilter, ipsSensorName, webfilterProfileName } from "./fortios-utm.js";

interface FwAddress { name: string; subnet?: string; ip6?: string; comment: string }
interface FwGroup { name: string; members: string[]; comment: string }
interface FwService { name: string; protocol: string; tcp?: string; udp?: string; comment: string }
interface FwPolicy {
  id: number;
  name: string;
  srcaddr: string[];
  dstaddr: string[];
  srcaddr6: string[];
  dstaddr6: string[];
  /** per side: the address lists (both families) are negated, i.e. the side is "not inside the cloud" */
  negate: { src: boolean; dst: boolean };
  service: string;
  action: "accept" | "deny";
  sendDeny: boolean;
  logtraffic: "all" | "disable";
  comments: string;
  webfilter?: string;
  ips?: string;
}
interface FwShaper { name: string; mbps: number; comment: string }
interface FwShapingPolicy { id: number; name: string; srcaddr: string[]; dstaddr: string[]; srcaddr6: string[]; dstaddr6: string[]; shaper: string; reverse: string; comment: string }

interface FwSection {
  title: string;
  addresses: FwAddress[];
  addresses6: FwAddress[];
  groups: FwGroup[];
  groups6: FwGroup[];
  services: FwService[];
  policies: FwPolicy[];
  /** `move <id> after <previous id>`: list order is evaluation order */
  moves: Array<{ id: number; after: number }>;
  shapers: FwShaper[];
  shapingPolicies: FwShapingPolicy[];
}

function emptySection(title: string): FwSection {
  return { title, addresses: [], addresses6: [], groups: [], groups6: [], services: [], policies: [], moves: [], shapers: [], shapingPolicies: [] };
}

/** Address objects of one section, one per name; a name asked for twice must mean the same thing. */
class AddressBook {
  private readonly seen = new Map<string, string>();
  constructor(private readonly ctx: RenderContext, private readonly section: FwSection, private readonly orgId: string) {}

  private claim(name: string, meaning: string, where: string): boolean {
    const prev = this.seen.get(name);
    if (prev === meaning) return false;
    if (prev !== undefined) fail(this.ctx, where, `two objects would both be named "${name}" (${prev} / ${meaning}); rename one of them`);
    this.seen.set(name, meaning);
    return true;
  }

  /** the name(s) standing for these prefixes of one family: one address, or a group of addresses */
  objectFor(label: string, prefixes: readonly Prefix[], comment: string, where: string): string {
    const family = prefixes[0]!.family;
    const base = objectName(this.orgId, label);
    const meaning = `IPv${family} ${prefixes.map((p) => p.text).join(",")}`;
    const addr = (name: string, p: Prefix): FwAddress =>
      family === 4 ? { name, subnet: ipv4Subnet(p), comment } : { name, ip6: p.text, comment };
    if (prefixes.length === 1) {
      if (this.claim(`${family}/${base}`, meaning, where)) (family === 4 ? this.section.addresses : this.section.addresses6).push(addr(base, prefixes[0]!));
      return base;
    }
    if (this.claim(`${family}/${base}`, meaning, where)) {
      const members = prefixes.map((p, i) => {
        const name = objectName(this.orgId, `${label}.${i + 1}`);
        this.claim(`${family}/${name}`, `IPv${family} ${p.text}`, where);
        (family === 4 ? this.section.addresses : this.section.addresses6).push(addr(name, p));
        return name;
      });
      (family === 4 ? this.section.groups : this.section.groups6).push({ name: base, members, comment });
    }
    return base;
  }
}

function refLabel(r: RefPrefixes): string {
  const v = r.resolved;
  if (v.kind === "export") return `${v.owner}.${v.name}`;
  if (v.kind === "literal") return `net-${v.name.replace(/\//g, "_").replace(/:/g, "-")}`;
  return v.name;
}

function sideObjects(book: AddressBook, refs: RefPrefixes[], family: 4 | 6, org: Org, where: string): string[] {
  return refs.map((r) => {
    const prefixes = family === 4 ? r.v4 : r.v6;
    return book.objectFor(refLabel(r), prefixes, cliText(`${org.id} ${r.ref}`, 255), where);
  });
}

function service(rule: ExpandedRule, name: string): FwService {
  const comment = cliText(`${rule.org.id} ${rule.rule.name}`, 255);
  const ports = rule.ports.length > 0 ? rule.ports.map((p) => portRangeText(p)).join(" ") : "1-65535";
  switch (rule.protocol) {
    case "tcp": return { name, protocol: "TCP/UDP/SCTP", tcp: ports, comment };
    case "udp": return { name, protocol: "TCP/UDP/SCTP", udp: ports, comment };
    case "icmp": return { name, protocol: "ICMP", comment };
    case "icmpv6": return { name, protocol: "ICMP6", comment };
    case "any": return { name, protocol: "IP", comment };
  }
}

/** Only traffic that leaves the organization's own networks goes through its web filter. */
function isOutbound(rule: ExpandedRule): boolean {
  return rule.rule.action === "accept" && rule.terms.every((t) => t.from.every((r) => r.resolved.kind === "own"));
}

function orgSection(ctx: RenderContext, org: Org, rules: ExpandedRule[], bandwidth: ReturnType<typeof firewallByOrg>[number]["bandwidth"], slot: number, inside: InsideObjects): FwSection {
  const section = emptySection(`org ${org.id} ${org.name.ja}`);
  const book = new AddressBook(ctx, section, org.id);
  const base = FORTIOS_ID_RANGES.orgs.from + FORTIOS_ID_RANGES.orgs.perOrg * slot;
  const ruleSlots = new SlotAllocator(FORTIOS_ID_RANGES.orgs.perOrg);
  const webfilter = ctx.kinds.includes("urlFilter") && hasWebfilter(ctx, org) ? webfilterProfileName(org) : undefined;
  const ips = ctx.kinds.includes("ipsExceptions") && activeIpsExceptions(org, ctx.today).length > 0 ? ipsSensorName(org) : undefined;
  for (const rule of rules) {
    const v4 = rule.terms.find((t) => t.family === 4);
    const v6 = rule.terms.find((t) => t.family === 6);
    const serviceName = objectName(org.id, `svc.${rule.rule.name}`);
    section.services.push(service(rule, serviceName));
    const accept = rule.rule.action === "accept";
    const comment = rule.rule.comment ? `${org.id} ${rule.rule.name}: ${rule.rule.comment}` : `${org.id} ${rule.rule.name}`;
    const negate = { src: inside.negates(rule, "from"), dst: inside.negates(rule, "to") };
    const addresses = (term: typeof v4, family: 4 | 6, which: "from" | "to"): string[] => {
      if (!term) return [];
      if (negate[which === "from" ? "src" : "dst"]) return [inside.name(family)];
      return sideObjects(book, term[which], family, org, `${rule.where}.${which}`);
    };
    section.policies.push({
      id: base + ruleSlots.take(rule.rule.name),
      name: objectName(org.id, rule.rule.name, FORTIOS_NAME_MAX.policy),
      srcaddr: addresses(v4, 4, "from"),
      dstaddr: addresses(v4, 4, "to"),
      srcaddr6: addresses(v6, 6, "from"),
      dstaddr6: addresses(v6, 6, "to"),
      negate,
      service: serviceName,
      action: accept ? "accept" : "deny",
      sendDeny: rule.rule.action === "reject",
      logtraffic: rule.rule.log ? "all" : "disable",
      comments: cliText(comment, 1023),
      ...(accept && webfilter && isOutbound(rule) ? { webfilter } : {}),
      ...(accept && ips ? { ips } : {}),
    });
  }
  if (bandwidth) {
    const own4 = bandwidth.v4.length > 0 ? [book.objectFor("own", bandwidth.v4, cliText(`${org.id} own addresses`, 255), `${org.id} bandwidth`)] : [];
    const own6 = bandwidth.v6.length > 0 ? [book.objectFor("own", bandwidth.v6, cliText(`${org.id} own addresses`, 255), `${org.id} bandwidth`)] : [];
    const egress = objectName(org.id, "egress", FORTIOS_NAME_MAX.profile);
    const ingress = objectName(org.id, "ingress", FORTIOS_NAME_MAX.profile);
    section.shapers.push(
      { name: egress, mbps: bandwidth.egressMbps, comment: cliText(`${org.id} egress cap`, 255) },
      { name: ingress, mbps: bandwidth.ingressMbps, comment: cliText(`${org.id} ingress cap`, 255) },
    );
    const any4 = own4.length > 0 ? ["all"] : [];
    const any6 = own6.length > 0 ? ["all"] : [];
    // sessions the organization opens (egress forward, ingress reply) and sessions opened towards it
    section.shapingPolicies.push(
      { id: base + 1, name: objectName(org.id, "out", FORTIOS_NAME_MAX.policy), srcaddr: own4, dstaddr: any4, srcaddr6: own6, dstaddr6: any6, shaper: egress, reverse: ingress, comment: cliText(`${org.id} sessions from the organization`, 255) },
      { id: base + 2, name: objectName(org.id, "in", FORTIOS_NAME_MAX.policy), srcaddr: any4, dstaddr: own4, srcaddr6: any6, dstaddr6: own6, shaper: ingress, reverse: egress, comment: cliText(`${org.id} sessions to the organization`, 255) },
    );
  }
  return section;
}

function blocklistSection(ctx: RenderContext): FwSection | undefined {
  const entries = blocklistPrefixes(ctx.inventory, ctx.today);
  if (entries.length === 0) return undefined;
  const section = emptySection("cloud blocklist: every organization, before any other scconf policy");
  const book = new AddressBook(ctx, section, "cloud");
  const v4 = entries.filter((e) => e.prefix.family === 4).map((e) => e.prefix);
  const v6 = entries.filter((e) => e.prefix.family === 6).map((e) => e.prefix);
  const g4 = v4.length > 0 ? [book.objectFor("blocklist", v4, "cloud blocklist", "cloud blocklist")] : [];
  const g6 = v6.length > 0 ? [book.objectFor("blocklist", v6, "cloud blocklist", "cloud blocklist")] : [];
  const all4 = g4.length > 0 ? ["all"] : [];
  const all6 = g6.length > 0 ? ["all"] : [];
  const policy = (id: number, name: string, src: "block" | "all"): FwPolicy => ({
    id,
    name: objectName("cloud", name, FORTIOS_NAME_MAX.policy),
    srcaddr: src === "block" ? g4 : all4,
    dstaddr: src === "block" ? all4 : g4,
    srcaddr6: src === "block" ? g6 : all6,
    dstaddr6: src === "block" ? all6 : g6,
    negate: { src: false, dst: false },
    service: "ALL",
    action: "deny",
    sendDeny: false,
    logtraffic: "all",
    comments: cliText(`cloud blocklist (${name}): ${entries.map((e) => `${e.prefix.text} ${e.reason}`).join(" / ")}`, 1023),
  });
  section.policies.push(policy(FORTIOS_ID_RANGES.cloud.from, "blocklist-dst", "all"), policy(FORTIOS_ID_RANGES.cloud.from + 1, "blocklist-src", "block"));
  return section;
}

/**
 * The inside prefixes as one address group per family, in a section of its
 * own, defined when the first policy negates them. A policy side that is
 * exactly "outside the cloud" (ExpandedRule.outsideOnly) names the group with
 * srcaddr-negate / dstaddr-negate (and the -6 forms): "any address but
 * these". FortiOS negates a whole list, so this is only for such sides, and
 * only when every family of the policy has inside prefixes to negate (else
 * the complement list stays, and a negation of one family cannot leak into
 * the other on a release that negates both lists with one switch).
 */
class InsideObjects {
  readonly section = emptySection("cloud: every inside prefix (organizations, the cloud's own objects, resolvers, management, address plans), negated by policies whose side is outside the cloud");
  private readonly book: AddressBook;
  private readonly names: Partial<Record<4 | 6, string>> = {};
  constructor(private readonly ctx: RenderContext) {
    this.book = new AddressBook(ctx, this.section, "cloud");
  }

  negates(rule: ExpandedRule, which: "from" | "to"): boolean {
    if (!rule.outsideOnly[which]) return false;
    const sets = insideSets(this.ctx.inventory);
    return rule.terms.every((t) => (t.family === 4 ? sets.v4 : sets.v6).length > 0);
  }

  /** the group (or single address) of the family's inside prefixes; only after negates() said yes */
  name(family: 4 | 6): string {
    const known = this.names[family];
    if (known) return known;
    const sets = insideSets(this.ctx.inventory);
    const name = this.book.objectFor("inside", family === 4 ? sets.v4 : sets.v6, "cloud inside prefixes", "cloud inside");
    this.names[family] = name;
    return name;
  }
}

export function renderFirewall(ctx: RenderContext): string {
  const slots = orgSlots(ctx.inventory.orgs.map((o) => o.id));
  const sections: FwSection[] = [];
  const cloud = blocklistSection(ctx);
  if (cloud) sections.push(cloud);
  const inside = new InsideObjects(ctx);
  const orgSections = firewallByOrg(ctx).map(({ org, rules, bandwidth }) => orgSection(ctx, org, rules, bandwidth, slots.get(org.id)!, inside));
  // before the organizations, whose policies name it
  if (inside.section.addresses.length + inside.section.addresses6.length > 0) sections.push(inside.section);
  sections.push(...orgSections);
  // one evaluation order over all scconf policies: each follows the one before it
  let previous: number | undefined;
  for (const s of sections) {
    for (const p of s.policies) {
      if (previous !== undefined) s.moves.push({ id: p.id, after: previous });
      previous = p.id;
    }
  }
  return ctx.templates.render("firewall", { header: headerLines(ctx, "firewall"), sections });
}
