// Which organizations a change touches, and whether a change submitted for
// one organization stays inside its own file. Each organization owns
// orgs/<id>.yaml; every other file of the inventory (cloud.yaml,
// devices.yaml, ...) is global and belongs to the NOC; approvals/ is written
// only by `scconf approve`, never by a change request. Pure.
import { DOMAIN_CLAIM_KEY, type IntentChange } from "../plan/intent.js";

export type FileOwner = { type: "org"; org: string } | { type: "global" } | { type: "approvals" } | { type: "outside" };

export interface ScopedFile {
  /** relative to the repository top */
  path: string;
  owner: FileOwner;
}

export interface ScopeReport {
  /** organizations whose file or intent the change touches, sorted */
  orgs: string[];
  files: ScopedFile[];
  /** one line per reason the change is not confined to `org` (empty without --org) */
  violations: string[];
}

/** Who owns a repository path, given where the inventory is in the repository ("inventory", or "." at the top). */
export function ownerOfPath(path: string, inventoryPath: string): FileOwner {
  const prefix = inventoryPath === "." ? "" : `${inventoryPath}/`;
  if (path.startsWith("approvals/")) return { type: "approvals" };
  if (!path.startsWith(prefix)) return { type: "outside" };
  const inside = path.slice(prefix.length);
  const m = /^orgs\/([^/]+)\.ya?ml$/.exec(inside);
  if (m?.[1]) return { type: "org", org: m[1] };
  return { type: "global" };
}

export function judgeScope(paths: readonly string[], inventoryPath: string, changes: readonly IntentChange[], org?: string): ScopeReport {
  const files = paths.map((path) => ({ path, owner: ownerOfPath(path, inventoryPath) }));
  const orgs = new Set<string>();
  for (const f of files) if (f.owner.type === "org") orgs.add(f.owner.org);
  for (const c of changes) orgs.add(c.org);
  const violations: string[] = [];
  if (org !== undefined) {
    for (const f of files) {
      if (f.owner.type === "org" && f.owner.org !== org) violations.push(`${f.path} belongs to ${f.owner.org}, not to ${org}`);
      else if (f.owner.type === "global") violations.push(`${f.path} is a global file of the cloud (changed only by the NOC), not ${org}'s`);
      else if (f.owner.type === "approvals") violations.push(`${f.path} is an approval: approvals are recorded with 'scconf approve', never in a change request`);
    }
    const others = [...new Set(changes.filter((c) => c.org !== org).map((c) => c.org))];
    for (const o of others) {
      if (!files.some((f) => f.owner.type === "org" && f.owner.org === o)) violations.push(`the change alters ${o}'s settings, not only ${org}'s`);
    }
    // a domain lives in one organization's file but is judged against every other's: it is the shared namespace
    for (const c of changes) {
      if (c.kind === "dns" && c.key.startsWith(DOMAIN_CLAIM_KEY)) {
        const d = c.key.slice(DOMAIN_CLAIM_KEY.length);
        violations.push(`${c.org} ${c.op === "remove" ? "gives up" : "claims"} the domain ${d}: a change to the shared namespace, assigned by the NOC, not inside ${c.org}'s own file`);
      }
    }
  }
  return { orgs: [...orgs].sort(), files, violations };
}
