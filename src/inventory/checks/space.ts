// Who owns which addresses and names. Several checks ask "is this prefix
// (or name) the organization's own, or someone else's?"; the indexes are
// built once per inventory and shared, so that the answer costs a trie walk
// or a few map look-ups instead of a scan over every organization.
import { parsePrefix, prefixContains, type Prefix } from "../../model/net.js";
import type { Inventory, Org } from "../../model/types.js";
import { PrefixTrie } from "./prefix-trie.js";

/** One network or global address of an organization. */
export interface AddressClaim {
  org: string;
  field: "networks" | "globalAddresses";
  index: number;
  name: string;
  prefix: Prefix;
}

export interface AddressSpace {
  claims: AddressClaim[];
  trie: PrefixTrie<AddressClaim>;
  byOrg: Map<string, AddressClaim[]>;
}

const spaces = new WeakMap<Inventory, AddressSpace>();

export function parseOrThrow(text: string): Prefix {
  const r = parsePrefix(text);
  // the schema canonicalised every prefix, so a failure here is a bug, not input
  if (!r.ok) throw new Error(`unvalidated prefix ${text}: ${r.reason}`);
  return r.prefix;
}

export function addressSpace(inventory: Inventory): AddressSpace {
  const cached = spaces.get(inventory);
  if (cached) return cached;
  const claims: AddressClaim[] = [];
  const trie = new PrefixTrie<AddressClaim>();
  const byOrg = new Map<string, AddressClaim[]>();
  for (const org of inventory.orgs) {
    const own: AddressClaim[] = [];
    org.networks.forEach((n, index) => own.push({ org: org.id, field: "networks", index, name: n.name, prefix: parseOrThrow(n.cidr) }));
    org.globalAddresses.forEach((g, index) =>
      own.push({ org: org.id, field: "globalAddresses", index, name: g.name, prefix: parseOrThrow(g.address) }));
    for (const c of own) {
      claims.push(c);
      trie.insert(c.prefix, c);
    }
    byOrg.set(org.id, own);
  }
  const space = { claims, trie, byOrg };
  spaces.set(inventory, space);
  return space;
}

/** Is the prefix wholly inside one of the organization's networks or global addresses? */
export function isOwnSpace(space: AddressSpace, orgId: string, prefix: Prefix): boolean {
  return (space.byOrg.get(orgId) ?? []).some((c) => prefixContains(c.prefix, prefix));
}

/** The other organizations' claims that overlap the prefix. */
export function foreignOverlaps(space: AddressSpace, orgId: string, prefix: Prefix): AddressClaim[] {
  return space.trie.overlapping(prefix).filter((c) => c.org !== orgId);
}

// ───────────────────────── names ─────────────────────────

export interface DomainClaim {
  org: string;
  index: number;
  domain: string;
}

export interface DomainIndex {
  /** by domain (punycode, lower case) */
  claims: Map<string, DomainClaim[]>;
}

const domainIndexes = new WeakMap<Inventory, DomainIndex>();

export function domainIndex(inventory: Inventory): DomainIndex {
  const cached = domainIndexes.get(inventory);
  if (cached) return cached;
  const claims = new Map<string, DomainClaim[]>();
  for (const org of inventory.orgs) {
    org.domains.forEach((domain, index) => {
      const d = domain.toLowerCase();
      const list = claims.get(d) ?? [];
      list.push({ org: org.id, index, domain: d });
      claims.set(d, list);
    });
  }
  const index = { claims };
  domainIndexes.set(inventory, index);
  return index;
}

export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** True when `name` is `domain` or a name below it. */
export function isInDomain(name: string, domain: string): boolean {
  const n = normalizeName(name);
  const d = normalizeName(domain);
  return n === d || n.endsWith(`.${d}`);
}

/**
 * The claims of the most specific claimed domain that contains `name`:
 * the organization that owns the name. A name below a domain another
 * organization claims more specifically belongs to that organization.
 */
export function nameOwners(index: DomainIndex, name: string): DomainClaim[] {
  let n = normalizeName(name);
  for (;;) {
    const claims = index.claims.get(n);
    if (claims) return claims;
    const dot = n.indexOf(".");
    if (dot < 0) return [];
    n = n.slice(dot + 1);
  }
}

/** The organization may use the name: it lies in one of its domains and no other organization owns it more specifically. */
export function ownsName(index: DomainIndex, orgId: string, name: string): boolean {
  const owners = nameOwners(index, name);
  return owners.length > 0 && owners.every((c) => c.org === orgId);
}

// ───────────────────────── references ─────────────────────────

