// Resolution of the names a rule uses (from/to/scope) into address prefixes.
// Shared by validation (tenant isolation) and rendering, so both read a
// reference the same way.
import { embeddedIPv4, parsePrefix, subtractPrefixes, type Prefix } from "./net.js";
import type { Inventory, Org } from "./types.js";

export type RefKind = "own" | "global" | "export" | "literal";

export interface ResolvedRef {
  ref: string;
  kind: RefKind;
  /** for "own" and "export": the organization that owns the object */
  owner?: string;
  /** the object's name (without "org:") */
  name: string;
  /** the addresses the reference stands for; of an outside object, its addresses without every inside prefix */
  prefixes: Prefix[];
  /**
   * Present for a global object with role outside: its addresses as written
   * (e.g. 0.0.0.0/0 and ::/0). `prefixes` is then `base` minus
   * insidePrefixes(), and a dialect that can negate may render it as "in base
   * and not inside" instead of the (long) complement list.
   */
  outside?: { base: Prefix[] };
}

export type RefResult = { ok: true; value: ResolvedRef } | { ok: false; reason: string; hint?: string };

/** The org's own named objects: networks and global addresses share one namespace. */
export function ownObjects(org: Org): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const n of org.networks) m.set(n.name, [n.cidr]);
  for (const g of org.globalAddresses) m.set(g.name, [g.address]);
  return m;
}

function toPrefixes(texts: readonly string[]): Prefix[] {
  return texts.map((t) => {
    const r = parsePrefix(t);
    if (!r.ok) throw new Error(`unvalidated prefix ${t}`);
    return r.prefix;
  });
}

/**
 * Reads one reference of `org`:
 *   name          the org's own network or global address, else a global object of cloud.yaml
 *   other:name    an object that organization exports to this one
 *   192.0.2.0/24  a literal prefix (isolation is checked by validation)
 */
export function resolveRef(inventory: Inventory, org: Org, ref: string): RefResult {
  // memoised per inventory and organization: thousands of rules repeat a few
  // names, and every device that renders firewall rules asks again
  let byOrg = memo.get(inventory);
  if (!byOrg) {
    byOrg = new WeakMap();
    memo.set(inventory, byOrg);
  }
  let cache = byOrg.get(org);
  if (!cache) {
    cache = new Map();
    byOrg.set(org, cache);
  }
  let r = cache.get(ref);
  if (!r) {
    r = resolveUncached(inventory, org, ref);
    cache.set(ref, r);
  }
  return r;
}

const memo = new WeakMap<Inventory, WeakMap<Org, Map<string, RefResult>>>();
const orgIndexes = new WeakMap<Inventory, Map<string, Org>>();

function orgById(inventory: Inventory, id: string): Org | undefined {
  let index = orgIndexes.get(inventory);
  if (!index) {
    index = new Map(inventory.orgs.map((o) => [o.id, o]));
    orgIndexes.set(inventory, index);
  }
  return index.get(id);
}

function resolveUncached(inventory: Inventory, org: Org, ref: string): RefResult {
  if (/^[0-9a-fA-F:.]+(\/\d+)?$/.test(ref) && (ref.includes(".") || ref.includes(":")) && !/^[a-z][a-z0-9-]+:[A-Za-z0-9]/.test(ref)) {
    const r = parsePrefix(ref);
    if (!r.ok) return { ok: false, reason: r.reason };
    // the isolation guards compare per family: IPv4 written as IPv6 would pass them
    const e = embeddedIPv4(r.prefix);
    if (e) return { ok: false, reason: `${r.prefix.text} is the IPv4 prefix ${e.v4.text} written as ${e.form}`, hint: `write the IPv4 form ${e.v4.text}` };
    return { ok: true, value: { ref, kind: "literal", name: r.prefix.text, prefixes: [r.prefix] } };
  }
  const colon = ref.indexOf(":");
  if (colon > 0) {
    const ownerId = ref.slice(0, colon);
    const name = ref.slice(colon + 1);
    const owner = orgById(inventory, ownerId);
    if (!owner) return { ok: false, reason: `no organization "${ownerId}" exists`, hint: "use <org-id>:<exported name>" };
    const exported = owner.exports.find((e) => e.name === name);
    if (!exported) {
      return { ok: false, reason: `${ownerId} does not export "${name}"`, hint: `ask ${ownerId} to add it to the exports of its own file` };
    }
    if (ownerId !== org.id && !exported.to.includes("*") && !exported.to.includes(org.id)) {
      return { ok: false, reason: `${ownerId} exports "${name}" only to ${exported.to.join(", ")}, not to ${org.id}` };
    }
    const texts = ownObjects(owner).get(name);
    if (!texts) return { ok: false, reason: `${ownerId} exports "${name}" but has no network or address of that name` };
    return { ok: true, value: { ref, kind: "export", owner: ownerId, name, prefixes: toPrefixes(texts) } };
  }
  const own = ownObjects(org).get(ref);
  if (own) return { ok: true, value: { ref, kind: "own", owner: org.id, name: ref, prefixes: toPrefixes(own) } };
  const global = inventory.cloud.objects[ref];
  if (global) {
    const prefixes = toPrefixes(global.addresses);
    if (global.role !== "outside") return { ok: true, value: { ref, kind: "global", name: ref, prefixes } };
    // "internet" means outside the cloud: without it, 0.0.0.0/0 holds every organization and the NOC
    return { ok: true, value: { ref, kind: "global", name: ref, prefixes: outsideComplement(inventory, ref, prefixes), outside: { base: prefixes } } };
  }
  return {
    ok: false,
    reason: `"${ref}" is neither a network or address of ${org.id} nor a global object`,
    hint: "define it under networks or globalAddresses, use a global object of cloud.yaml, or <org-id>:<name> for an export",
  };
}

const complements = new WeakMap<Inventory, Map<string, Prefix[]>>();

/** The complement of an outside object, computed once per inventory (every organization that names it shares it). */
function outsideComplement(inventory: Inventory, name: string, base: readonly Prefix[]): Prefix[] {
  let byName = complements.get(inventory);
  if (!byName) {
    byName = new Map();
    complements.set(inventory, byName);
  }
  let out = byName.get(name);
  if (!out) {
    out = subtractPrefixes(base, insidePrefixes(inventory));
    byName.set(name, out);
  }
  return out;
}

const insides = new WeakMap<Inventory, Prefix[]>();

/**
 * Everything inside the cloud: the organizations' networks and global
 * addresses, the cloud's own objects (service and internal), its resolvers
 * and management range, and its address plans. An "outside" object is
 * rendered without these, on every platform alike.
 */
export function insidePrefixes(inventory: Pick<Inventory, "cloud" | "orgs">): Prefix[] {
  const cached = insides.get(inventory as Inventory);
  if (cached) return cached;
  const texts: string[] = [];
  for (const org of inventory.orgs) for (const list of ownObjects(org).values()) texts.push(...list);
  for (const obj of Object.values(inventory.cloud.objects)) if (obj.role !== "outside") texts.push(...obj.addresses);
  texts.push(...inventory.cloud.infrastructure.resolvers, ...inventory.cloud.infrastructure.management);
  texts.push(...inventory.cloud.addressPlans.internet, ...inventory.cloud.addressPlans.breakout);
  const out = toPrefixes(texts);
  insides.set(inventory as Inventory, out);
  return out;
}

/** True when the item has no expiry or expires today or later. `today` is YYYY-MM-DD. */
export function isActive(expires: string | undefined, today: string): boolean {
  return expires === undefined || expires >= today;
}
