// R6: block only the offending traffic, never the whole network. Decides
// whether a block target would cut off an organization or the cloud itself.
// Pure: the inventory in, findings out; the CLI refuses unless --force.
import type { BlockTarget } from "../../model/blocklist.js";
import { parsePrefix, prefixContains, prefixOverlaps, type Prefix } from "../../model/net.js";
import type { Inventory, Org } from "../../model/types.js";

/** The widest prefix an emergency block may have without --force: a /16 of IPv4, a /48 (one site) of IPv6. */
export const WIDEST_BLOCK = { 4: 16, 6: 48 } as const;

/**
 * Suffixes under which anyone registers names: blocking one blocks a country
 * or a whole kind of organization. A small list of what matters here, not
 * the Public Suffix List.
 */
const PUBLIC_SUFFIXES = new Set([
  "com", "net", "org", "info", "biz", "io", "jp", "co.jp", "ne.jp", "or.jp", "go.jp", "lg.jp", "ac.jp", "ed.jp", "gr.jp", "ad.jp",
  "mie.jp",
]);

export interface Refusal {
  message: string;
  hint?: string;
}

export interface TargetAssessment {
  /** why the block would cut off too much; empty when it may go ahead */
  refusals: Refusal[];
  /** the organization whose own host or name the target is (allowed with --org naming it) */
  insideOrg?: string;
}

interface Owned {
  org: Org;
  what: string;
  prefix: Prefix;
}

function orgPrefixes(inventory: Inventory): Owned[] {
  const out: Owned[] = [];
  for (const org of inventory.orgs) {
    const add = (text: string, what: string) => {
      const r = parsePrefix(text);
      if (r.ok) out.push({ org, what, prefix: r.prefix });
    };
    for (const n of org.networks) add(n.cidr, `network "${n.name}"`);
    for (const g of org.globalAddresses) add(g.address, `global address "${g.name}"`);
  }
  return out;
}

/** The cloud's own addresses: resolvers, management, the named objects (except catch-alls like "internet"). */
function infrastructure(inventory: Inventory): Array<{ what: string; prefix: Prefix }> {
  const out: Array<{ what: string; prefix: Prefix }> = [];
  const add = (text: string, what: string) => {
    const r = parsePrefix(text);
    if (r.ok && r.prefix.length > 0) out.push({ what, prefix: r.prefix });
  };
  const infra = inventory.cloud.infrastructure;
  for (const p of infra.resolvers) add(p, "the cloud's DNS resolvers");
  for (const p of infra.management) add(p, "the cloud's management network");
  for (const [name, obj] of Object.entries(inventory.cloud.objects)) for (const p of obj.addresses) add(p, `the cloud's object "${name}"`);
  return out;
}

function assessPrefix(inventory: Inventory, target: Prefix, org: string | undefined): TargetAssessment {
  const refusals: Refusal[] = [];
  let insideOrg: string | undefined;
  const owned = orgPrefixes(inventory).filter((o) => prefixOverlaps(o.prefix, target));
  if (owned.length > 0) {
    const whole = owned.find((o) => prefixContains(target, o.prefix));
    const owners = [...new Set(owned.map((o) => o.org.id))];
    if (whole) {
      refusals.push({
        message: `blocking ${target.text} would cut off ${whole.org.id}'s ${whole.what} (${whole.prefix.text}) entirely`,
        hint: "block the offending host only (a /32 or a narrow prefix inside the network)",
      });
    } else if (owners.length === 1 && owners[0] === org) {
      insideOrg = org;
    } else {
      const o = owned[0]!;
      refusals.push({
        message: `${target.text} is inside ${o.org.id}'s ${o.what} (${o.prefix.text})`,
        hint: owners.length === 1 ? `to block one of ${o.org.id}'s own hosts (an infected machine), name the organization: --org ${o.org.id}` : "the target spans several organizations' space; block each host separately",
      });
    }
  }
  for (const i of infrastructure(inventory)) {
    if (prefixOverlaps(i.prefix, target)) refusals.push({ message: `blocking ${target.text} would cut off ${i.what} (${i.prefix.text})`, hint: "the cloud's own services are never blocked" });
  }
  const plans = [...inventory.cloud.addressPlans.internet, ...inventory.cloud.addressPlans.breakout];
  for (const text of plans) {
    const r = parsePrefix(text);
    // an organization's own global host, named with --org, lies in the plan on purpose
    if (r.ok && prefixOverlaps(r.prefix, target) && !(insideOrg && !prefixContains(target, r.prefix))) {
      refusals.push({ message: `${target.text} overlaps the cloud's own address plan ${r.prefix.text}`, hint: "the plan's addresses are the cloud's and the organizations' own" });
    }
  }
  if (target.length < WIDEST_BLOCK[target.family]) {
    refusals.push({
      message: `${target.text} is wider than /${WIDEST_BLOCK[target.family]}: it would block a large part of the internet`,
      hint: "the specification asks to block only the offending traffic (11(8)エ); block the C&C hosts themselves",
    });
  }
  return { refusals, ...(insideOrg ? { insideOrg } : {}) };
}

const within = (name: string, zone: string): boolean => name === zone || name.endsWith(`.${zone}`);

function assessDomain(inventory: Inventory, domain: string, org: string | undefined): TargetAssessment {
  const refusals: Refusal[] = [];
  let insideOrg: string | undefined;
  if (PUBLIC_SUFFIXES.has(domain)) refusals.push({ message: `${domain} is a public suffix: blocking it blocks every name registered under it` });
  const cloudNames = [inventory.cloud.domain, ...inventory.cloud.defaults.nameservers];
  for (const n of cloudNames) {
    if (within(domain, n) || within(n, domain)) refusals.push({ message: `blocking ${domain} would block the cloud's own name ${n}`, hint: "the cloud's own services are never blocked" });
  }
  for (const svc of inventory.cloud.breakout) {
    const hit = svc.domains.find((d) => within(domain, d) || within(d, domain));
    if (hit) refusals.push({ message: `blocking ${domain} would block ${hit}, which the cloud routes for the SaaS service "${svc.name}" (breakout)` });
  }
  for (const o of inventory.orgs) {
    const names = [...o.domains, ...o.dns.map((z) => z.zone)];
    const parent = names.find((n) => within(n, domain));
    const child = names.find((n) => within(domain, n) && n !== domain);
    if (parent) {
      refusals.push({ message: `blocking ${domain} would block ${o.id}'s domain ${parent}`, hint: "block the offending name only" });
    } else if (child) {
      if (org === o.id) insideOrg = o.id;
      else refusals.push({ message: `${domain} is a name inside ${o.id}'s domain ${child}`, hint: `to block one of ${o.id}'s own names, name the organization: --org ${o.id}` });
    }
  }
  return { refusals, ...(insideOrg && refusals.length === 0 ? { insideOrg } : {}) };
}

/** Whether blocking the target would cut off an organization or the cloud's own infrastructure. */
export function assessTarget(inventory: Inventory, target: BlockTarget, options: { org?: string } = {}): TargetAssessment {
  if (target.kind !== "prefix") return assessDomain(inventory, target.domain, options.org);
  // parseBlockTarget already turned an IPv4-embedding IPv6 prefix into its IPv4 form, so the guards below judge that
  const a = assessPrefix(inventory, target.prefix, options.org);
  if (!target.embedded) return a;
  const guards = a.refusals.map((r) => r.message);
  return {
    ...a,
    refusals: [
      {
        message: `${target.embedded.written} is the IPv4 prefix ${target.prefix.text} written as ${target.embedded.form}` +
          (guards.length ? `; as ${target.prefix.text} it is refused: ${guards.join("; ")}` : ""),
        hint: `write the IPv4 form ${target.prefix.text}: squid and dual-stack hosts match IPv4 as ::ffff:a.b.c.d, so the IPv6 form would block IPv4 traffic past the guards`,
      },
      ...a.refusals,
    ],
  };
}

/** A refusal for an IPv4-embedding IPv6 target that even --force does not override: the IPv4 form is what to block. */
export function embeddedRefusal(target: BlockTarget): string | undefined {
  return target.kind === "prefix" && target.embedded
    ? `${target.embedded.written} embeds the IPv4 prefix ${target.prefix.text} (${target.embedded.form}); block ${target.prefix.text} instead`
    : undefined;
}
