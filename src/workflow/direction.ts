// Which way a firewall rule opens. Rules carry no explicit direction, so the
// change policy's `when.direction` is decided here, in one place:
//
//   inbound   some source is "outside": a global object that covers the whole
//             internet (0.0.0.0/0 or ::/0), or a literal prefix outside every
//             organization's networks and global addresses;
//             AND some destination is the organization's own network or address.
//   outbound  every other rule (the org's own hosts going out, traffic between
//             the cloud's infrastructure and the org, exports between orgs).
//
// A source or destination that no longer resolves counts as outside, so an
// unreadable rule is judged the stricter way (inbound).
import { parsePrefix, type Prefix } from "../model/net.js";
import { ownObjects, resolveRef } from "../model/resolve.js";
import type { FirewallRule, Inventory, Org } from "../model/types.js";

export type Direction = "inbound" | "outbound";

function prefixes(texts: readonly string[]): Prefix[] {
  const out: Prefix[] = [];
  for (const t of texts) {
    const r = parsePrefix(t);
    if (r.ok) out.push(r.prefix);
  }
  return out;
}

function within(inner: Prefix, outer: Prefix): boolean {
  return inner.family === outer.family && inner.start >= outer.start && inner.end <= outer.end;
}

function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

/** Every organization's networks and global addresses: the cloud's "inside". */
function organizationSpace(inventory: Inventory): Prefix[] {
  return inventory.orgs.flatMap((o) => prefixes([...ownObjects(o).values()].flat()));
}

function isDefaultRoute(p: Prefix): boolean {
  return p.length === 0;
}

/** True when the reference stands for somewhere outside the cloud's organizations. */
function isOutside(inventory: Inventory, org: Org, ref: string, space: Prefix[]): boolean {
  const r = resolveRef(inventory, org, ref);
  if (!r.ok) return true;
  const v = r.value;
  // an outside object (internet) no longer holds 0.0.0.0/0 once the cloud's inside is taken out of it: its role says it
  if (v.kind === "global") return inventory.cloud.objects[v.name]?.role === "outside" || v.prefixes.some(isDefaultRoute);
  if (v.kind === "literal") return v.prefixes.some((p) => !space.some((s) => overlaps(p, s)));
  return false;
}

function isOwn(inventory: Inventory, org: Org, ref: string): boolean {
  const r = resolveRef(inventory, org, ref);
  if (!r.ok) return true;
  if (r.value.kind === "own") return true;
  // a literal inside the org's own space is the org's own too
  const own = prefixes([...ownObjects(org).values()].flat());
  return r.value.kind === "literal" && r.value.prefixes.every((p) => own.some((o) => within(p, o)));
}

export function firewallDirection(inventory: Inventory, org: Org, rule: Pick<FirewallRule, "from" | "to">): Direction {
  const space = organizationSpace(inventory);
  const fromOutside = rule.from.some((ref) => isOutside(inventory, org, ref, space));
  const toOwn = rule.to.some((ref) => isOwn(inventory, org, ref));
  return fromOutside && toOwn ? "inbound" : "outbound";
}

/** The other organizations whose exports the rule uses (`<org>:<name>` in from/to). */
export function exportOwners(inventory: Inventory, org: Org, rule: Pick<FirewallRule, "from" | "to">): string[] {
  const owners = new Set<string>();
  for (const ref of [...rule.from, ...rule.to]) {
    const r = resolveRef(inventory, org, ref);
    if (r.ok && r.value.kind === "export" && r.value.owner && r.value.owner !== org.id) owners.add(r.value.owner);
  }
  return [...owners].sort();
}
