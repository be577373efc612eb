// Tenant isolation: 33 organizations share one gateway, and each file is
// owned by one of them. An organization's settings may use only its own
// networks, addresses and names, the cloud's global objects, and what
// another organization explicitly exports to it. Anything else would let one
// organization's pull request open, block or redirect another's traffic.
import { parsePrefix, prefixOverlaps, type Prefix } from "../../model/net.js";
import { ownObjects, resolveRef, type RefKind, type ResolvedRef } from "../../model/resolve.js";
import type { Inventory, Org } from "../../model/types.js";
import type { PathSegment } from "../diagnostics.js";
import type { Check, Reporter } from "./context.js";
import {
  addressSpace,
  domainIndex,
  foreignOverlaps,
  isInDomain,
  isOwnSpace,
  nameOwners,
  type AddressClaim,
  type AddressSpace,
  type DomainClaim,
  type DomainIndex,
} from "./space.js";

const KIND_WORD: Record<RefKind, (owner?: string) => string> = {
  literal: () => "outside them",
  global: () => "a global object of cloud.yaml",
  export: (owner) => `an object exported by ${owner ?? "another organization"}`,
  own: () => "its own",
};

const FIELD_WORD: Record<AddressClaim["field"], string> = { networks: "network", globalAddresses: "global address" };

/** "mie-pref's network "lan" (10.1.0.0/16, orgs/mie-pref.yaml:8:5)" */
export function describeClaim(report: Reporter, c: AddressClaim): string {
  return `${c.org}'s ${FIELD_WORD[c.field]} "${c.name}" (${c.prefix.text}, ${report.whereInOrg(c.org, [c.field, c.index])})`;
}

/** Reports a literal prefix that reaches into other organizations' space; true when it does. */
function refuseForeignLiteral(report: Reporter, space: AddressSpace, org: Org, path: PathSegment[], prefix: Prefix, what: string): boolean {
  const others = foreignOverlaps(space, org.id, prefix);
  if (others.length === 0) return false;
  const shown = others.slice(0, 3).map((c) => describeClaim(report, c)).join("; ");
  const more = others.length > 3 ? ` and ${others.length - 3} more` : "";
  report.org(org.id, "error", "tenant-isolation", path,
    `${what} ${prefix.text} of ${org.id} overlaps ${shown}${more}`,
    "an organization may use only its own addresses; name another organization's object as <org-id>:<name> once it exports it to you");
  return true;
}

function ownerNames(index: DomainIndex, name: string): string {
  const owners = nameOwners(index, name);
  return owners.length ? `it belongs to ${[...new Set(owners.map((c) => c.org))].join(", ")}` : "no organization claims it";
}

function ownsName(index: DomainIndex, orgId: string, name: string): boolean {
  // a domain claimed twice is reported by the uniqueness check, once
  return nameOwners(index, name).some((c) => c.org === orgId);
}

/**
 * The cloud's own objects are not services: a rule may reach only objects
 * cloud.yaml marks `role: service` (or `outside`). Internal objects, the
 * management range and literal addresses inside them are refused.
 */
function refuseInternalDestination(inventory: Inventory, report: Reporter, org: Org, path: PathSegment[], v: ResolvedRef): void {
  if (v.kind === "global") {
    const obj = inventory.cloud.objects[v.name];
    if (obj?.role === "internal") {
      report.org(org.id, "error", "tenant-isolation", path,
        `"${v.name}" is an internal object of the cloud (${report.whereInCloud(["objects", v.name])}); organizations may not reach it`,
        `reachable objects are those cloud.yaml marks role: service: ${serviceNames(inventory)}`);
    }
    return;
  }
  if (v.kind !== "literal") return;
  const p = v.prefixes[0]!;
  const internal: Array<{ what: string; where: string; prefix: string }> = [];
  inventory.cloud.infrastructure.management.forEach((m, i) =>
    internal.push({ what: "the cloud's management range", where: report.whereInCloud(["infrastructure", "management", i]), prefix: m }));
  for (const [name, obj] of Object.entries(inventory.cloud.objects)) {
    if (obj.role !== "internal") continue;
    obj.addresses.forEach((a, i) => internal.push({ what: `the cloud's internal object "${name}"`, where: report.whereInCloud(["objects", name, "addresses", i]), prefix: a }));
  }
  const hit = internal.find((x) => {
    const q = parsePrefix(x.prefix);
    return q.ok && prefixOverlaps(q.prefix, p);
  });
  if (hit) {
    report.org(org.id, "error", "tenant-isolation", path, `the destination ${p.text} overlaps ${hit.what} ${hit.prefix} (${hit.where}); organizations may not reach it`,
      `reachable objects are those cloud.yaml marks role: service: ${serviceNames(inventory)}`);
  }
}

function serviceNames(inventory: Inventory): string {
  return Object.entries(inventory.cloud.objects).filter(([, o]) => o.role === "service").map(([n]) => n).join(", ") || "(none)";
}

function checkFirewallRefs(inventory: Inventory, report: Reporter, space: AddressSpace, org: Org): void {
  org.firewall.forEach((rule, i) => {
    const sideOwn: boolean[] = [];
    let resolved = true;
    for (const side of ["from", "to"] as const) {
      let own = true;
      rule[side].forEach((ref, j) => {
        const path = ["firewall", i, side, j];
        const r = resolveRef(inventory, org, ref);
        if (!r.ok) {
          report.org(org.id, "error", "unresolved-ref", path, r.reason, r.hint);
          resolved = false;
          return;
        }
        const v = r.value;
        if (side === "to") refuseInternalDestination(inventory, report, org, path, v);
        if (v.kind === "literal") {
          const foreign = refuseForeignLiteral(report, space, org, path, v.prefixes[0]!, "the literal address");
          if (foreign || !isOwnSpace(space, org.id, v.prefixes[0]!)) own = false;
        } else if (v.kind !== "own") own = false;
      });
      sideOwn.push(own);
    }
    if (resolved && !sideOwn.some(Boolean)) {
      report.org(org.id, "error", "tenant-isolation", ["firewall", i],
        `rule "${rule.name}": a rule must involve the organization's own addresses on one side (from or to)`,
        `use one of ${org.id}'s networks or global addresses on one side; global objects and exports may be the other side only`);
    }
  });
}

function checkIpsScopes(inventory: Inventory, report: Reporter, space: AddressSpace, org: Org): void {
  org.ipsExceptions.forEach((ex, i) => {
    ex.scope.forEach((ref, j) => {
      const path = ["ipsExceptions", i, "scope", j];
      const r = resolveRef(inventory, org, ref);
      if (!r.ok) {
        report.org(org.id, "error", "unresolved-ref", path, r.reason, r.hint);
        return;
      }
      const v = r.value;
      if (v.kind === "literal") {
        if (refuseForeignLiteral(report, space, org, path, v.prefixes[0]!, "the IPS exception scope")) return;
        if (isOwnSpace(space, org.id, v.prefixes[0]!)) return;
      } else if (v.kind === "own") return;
      report.org(org.id, "error", "tenant-isolation", path,
        `an IPS exception may cover only ${org.id}'s own addresses; "${ref}" is ${KIND_WORD[v.kind](v.owner)}`,
        "an exception switches detection off for everything in its scope; name your own networks or global addresses");
    });
  });
}

function checkNames(report: Reporter, names: DomainIndex, space: AddressSpace, org: Org): void {
  const domainsHint = `${org.id}'s domains: ${org.domains.join(", ") || "(none)"}; add the domain to domains if ${org.id} owns it`;
  org.dns.forEach((zone, i) => {
    if (!ownsName(names, org.id, zone.zone)) {
      report.org(org.id, "error", "tenant-isolation", ["dns", i, "zone"],
        `the zone ${zone.zone} is not one of ${org.id}'s domains or below one; ${ownerNames(names, zone.zone)}`, domainsHint);
      return;
    }
    zone.records.forEach((rec, j) => {
      const fqdn = rec.name === "@" ? zone.zone : `${rec.name}.${zone.zone}`;
      const owners = nameOwners(names, fqdn);
      if (owners.length && !owners.some((c) => c.org === org.id)) {
        report.org(org.id, "error", "tenant-isolation", ["dns", i, "records", j, "name"],
          `the record ${fqdn} lies in ${owners[0]!.domain}, which belongs to ${owners.map((c) => c.org).join(", ")}, not to ${org.id}`);
      }
    });
  });
  org.reverseProxy.forEach((rp, i) => {
    if (!ownsName(names, org.id, rp.hostname)) {
      report.org(org.id, "error", "tenant-isolation", ["reverseProxy", i, "hostname"],
        `the hostname ${rp.hostname} is not inside ${org.id}'s domains; ${ownerNames(names, rp.hostname)}`, domainsHint);
    }
    const origin = parsePrefix(rp.origin.address);
    if (origin.ok && !isOwnSpace(space, org.id, origin.prefix)) {
      const others = foreignOverlaps(space, org.id, origin.prefix);
      report.org(org.id, "error", "tenant-isolation", ["reverseProxy", i, "origin", "address"],
        `the origin ${rp.origin.address} is not in ${org.id}'s networks or global addresses` +
          (others.length ? `; it is ${describeClaim(report, others[0]!)}` : ""),
        "a reverse proxy may forward only to the organization's own servers");
    }
  });
  org.mailRelay.forEach((route, i) => {
    if (!ownsName(names, org.id, route.domain)) {
      report.org(org.id, "error", "tenant-isolation", ["mailRelay", i, "domain"],
        `the mail domain ${route.domain} is not ${org.id}'s domain or below one; ${ownerNames(names, route.domain)}`, domainsHint);
    }
    const hop = parsePrefix(route.nextHop);
    if (hop.ok) {
      if (!isOwnSpace(space, org.id, hop.prefix)) {
        const others = foreignOverlaps(space, org.id, hop.prefix);
        report.org(org.id, "error", "tenant-isolation", ["mailRelay", i, "nextHop"],
          `the next hop ${route.nextHop} is not in ${org.id}'s networks or global addresses` +
            (others.length ? `; it is ${describeClaim(report, others[0]!)}` : ""),
          "mail for the organization's domain may be relayed only to its own servers");
      }
    } else if (!ownsName(names, org.id, route.nextHop)) {
      report.org(org.id, "warning", "tenant-isolation", ["mailRelay", i, "nextHop"],
        `the next hop ${route.nextHop} is not inside ${org.id}'s domains; mail would leave for a host ${org.id} does not control`,
        "use the address of the organization's own mail server, or a name in its domains");
    }
  });
}

function checkSpamAndExports(inventory: Inventory, report: Reporter, space: AddressSpace, org: Org): void {
  org.spamExclusions.forEach((ex, i) => {
    const p = parsePrefix(ex.sender);
    if (p.ok) refuseForeignLiteral(report, space, org, ["spamExclusions", i, "sender"], p.prefix, "the excluded sender range");
  });
  const objects = ownObjects(org);
  const orgIds = new Set(inventory.orgs.map((o) => o.id));
  org.exports.forEach((ex, i) => {
    if (!objects.has(ex.name)) {
      report.org(org.id, "error", "unresolved-ref", ["exports", i, "name"], `${org.id} has no network or global address named "${ex.name}" to export`,
        `known: ${[...objects.keys()].join(", ") || "(none)"}`);
    }
    ex.to.forEach((to, j) => {
      if (to !== "*" && !orgIds.has(to)) {
        report.org(org.id, "error", "unresolved-ref", ["exports", i, "to", j], `no organization "${to}" exists`,
          "use an organization id (the file name under orgs/), or \"*\" for all");
      }
    });
  });
}

/**
 * The names an organization claims (domains:). A claim equal to or below
 * another organization's domain, the cloud's own domain or a breakout
 * service's domain would make the organization the most specific owner of
 * names inside it (its zone then answers for them in the shared resolver);
 * a claim above another organization's domain would let it own every name
 * around that domain. Equal claims between organizations are the uniqueness
 * check's (duplicate-domain).
 */
function checkDomainClaims(inventory: Inventory, report: Reporter, names: DomainIndex, below: Map<string, DomainClaim[]>, org: Org): void {
  const hint = "the NOC assigns domains; claim only the domain assigned to the organization";
  org.domains.forEach((claimed, i) => {
    const d = claimed.toLowerCase();
    const path = ["domains", i];
    const cloudDomain = inventory.cloud.domain.toLowerCase();
    if (isInDomain(d, cloudDomain) || isInDomain(cloudDomain, d)) {
      report.org(org.id, "error", "domain-claim", path,
        `the domain ${d} ${d === cloudDomain ? "is" : isInDomain(d, cloudDomain) ? "lies inside" : "contains"} the cloud's own domain ${cloudDomain} (${report.whereInCloud(["domain"])})`, hint);
    }
    inventory.cloud.breakout.forEach((svc, si) => {
      svc.domains.forEach((b, bi) => {
        if (isInDomain(d, b) || isInDomain(b, d)) {
          report.org(org.id, "error", "domain-claim", path,
            `the domain ${d} ${d === b ? "is" : isInDomain(d, b) ? "lies inside" : "contains"} ${b}, a domain of the breakout service "${svc.name}" (${report.whereInCloud(["breakout", si, "domains", bi])})`, hint);
        }
      });
    });
    // below: a parent of the claim that another organization claims
    for (let n = d.slice(d.indexOf(".") + 1); n.includes("."); n = n.slice(n.indexOf(".") + 1)) {
      for (const c of names.claims.get(n) ?? []) {
        if (c.org === org.id) continue;
        report.org(org.id, "error", "domain-claim", path,
          `the domain ${d} lies inside ${c.domain}, which belongs to ${c.org} (${report.whereInOrg(c.org, ["domains", c.index])})`, hint);
      }
    }
    // above: another organization's claim below this one
    for (const c of below.get(d) ?? []) {
      if (c.org === org.id) continue;
      report.org(org.id, "error", "domain-claim", path,
        `the domain ${d} contains ${c.domain}, which belongs to ${c.org} (${report.whereInOrg(c.org, ["domains", c.index])})`, hint);
    }
  });
}

export const checkTenantIsolation: Check = ({ inventory, report }) => {
  const space = addressSpace(inventory);
  const names = domainIndex(inventory);
  // every proper ancestor of a claimed domain -> the claims below it
  const below = new Map<string, DomainClaim[]>();
  for (const list of names.claims.values()) {
    for (const c of list) {
      for (let n = c.domain.slice(c.domain.indexOf(".") + 1); n.includes("."); n = n.slice(n.indexOf(".") + 1)) {
        const l = below.get(n) ?? [];
        l.push(c);
        below.set(n, l);
      }
    }
  }
  for (const org of inventory.orgs) {
    checkDomainClaims(inventory, report, names, below, org);
    checkFirewallRefs(inventory, report, space, org);
    checkIpsScopes(inventory, report, space, org);
    checkNames(report, names, space, org);
    checkSpamAndExports(inventory, report, space, org);
  }
};
