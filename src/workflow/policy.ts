// The change policy of cloud.yaml applied to intent changes: each change is
// minor or needs approval, and may need a maintenance window (R2, R7).
// Pure: the inventories in, the classes out.
//
// Rules are read in order and the first rule that matches decides, like a
// firewall: put the narrow exceptions ("dns add TXT: minor") before the broad
// rules. A change no rule matches gets `default` and needs no window.
// One floor no rule can lower: a firewall change that uses another
// organization's export needs approval (it opens that organization's hosts).
// A second floor: claiming (or giving up) a domain is its own class, the NOC's:
// it changes the namespace every organization's names are judged in.
import type { Cloud, FirewallRule, Inventory, Org } from "../model/types.js";
import { DOMAIN_CLAIM_KEY, type IntentChange } from "../plan/intent.js";
import { exportOwners, firewallDirection, type Direction } from "./direction.js";

export type ChangePolicy = Cloud["changePolicy"];
export type PolicyRule = ChangePolicy["rules"][number];
export type ChangeClass = "minor" | "needsApproval";

export interface ClassifiedChange extends IntentChange {
  class: ChangeClass;
  needsWindow: boolean;
  /** why: which rule of cloud.yaml decided, or the default, or the floor */
  why: string;
}

/**
 * What the change gate judges: the intent changes, and what it adds beside
 * them: a change of the rules that gate ("policy": changePolicy, approvers)
 * and, when the devices have no baseline, each changed artifact ("artifact").
 */
export type GatedChange = Omit<ClassifiedChange, "kind"> & { kind: ClassifiedChange["kind"] | "policy" | "artifact" };

/** The inventories a change sits between: removals are looked up in `before`, the rest in `after`. */
export interface ClassifyContext {
  after: Inventory;
  before?: Inventory;
}

function findRule(inventory: Inventory | undefined, orgId: string, name: string): { org: Org; rule: FirewallRule } | undefined {
  const org = inventory?.orgs.find((o) => o.id === orgId);
  const rule = org?.firewall.find((r) => r.name === name);
  return org && rule ? { org, rule } : undefined;
}

/** The DNS record type of an intent key "<zone> <name> <type> <value>". */
export function recordTypeOf(change: Pick<IntentChange, "kind" | "key">): string | undefined {
  return change.kind === "dns" ? change.key.split(" ")[2] : undefined;
}

interface Facts {
  /** undefined: not a firewall rule (e.g. the bandwidth cap) */
  direction?: Direction;
  recordType?: string;
  exportOwners: string[];
  /** a spam exclusion added or changed so that it skips malware scanning */
  skipsMalware?: boolean;
}

/** The exclusion after the change skips malware scanning (bypass malware or both); judged strictly when not found. */
function skipsMalware(change: IntentChange, ctx: ClassifyContext): boolean {
  if (change.kind !== "spamExclusions" || change.op === "remove") return false;
  const ex = ctx.after.orgs.find((o) => o.id === change.org)?.spamExclusions.find((s) => s.name === change.key);
  return ex ? ex.bypass !== "spam" : true;
}

function factsOf(change: IntentChange, ctx: ClassifyContext): Facts {
  const facts: Facts = { exportOwners: [] };
  const rt = recordTypeOf(change);
  if (rt) facts.recordType = rt;
  if (skipsMalware(change, ctx)) facts.skipsMalware = true;
  if (change.kind === "firewall" && change.key !== "bandwidth") {
    const sides = change.op === "remove" ? [ctx.before] : change.op === "add" ? [ctx.after] : [ctx.before, ctx.after];
    const found = sides.map((inv) => ({ inv, hit: inv ? findRule(inv, change.org, change.key) : undefined }));
    // a rule that cannot be found is judged the stricter way
    facts.direction = found.some((f) => !f.hit || firewallDirection(f.inv!, f.hit.org, f.hit.rule) === "inbound") ? "inbound" : "outbound";
    facts.exportOwners = [...new Set(found.flatMap((f) => (f.hit ? exportOwners(f.inv!, f.hit.org, f.hit.rule) : [])))].sort();
  }
  return facts;
}

function matches(rule: PolicyRule, change: IntentChange, facts: Facts): boolean {
  if (rule.kind !== change.kind || !rule.operations.includes(change.op)) return false;
  if (rule.when?.recordTypes && !(facts.recordType && (rule.when.recordTypes as readonly string[]).includes(facts.recordType))) return false;
  if (rule.when?.direction && facts.direction !== rule.when.direction) return false;
  return true;
}

function describeRule(rule: PolicyRule, index: number): string {
  const when = [
    rule.when?.recordTypes ? `type ${rule.when.recordTypes.join("/")}` : "",
    rule.when?.direction ? rule.when.direction : "",
  ].filter(Boolean);
  return `changePolicy.rules[${index}] (${rule.kind} ${rule.operations.join("/")}${when.length ? `, ${when.join(", ")}` : ""})`;
}

/** True for the intent change of a claimed domain (orgs/<id>.yaml domains:). */
export function isDomainClaim(change: Pick<IntentChange, "kind" | "key">): boolean {
  return change.kind === "dns" && change.key.startsWith(DOMAIN_CLAIM_KEY);
}

export function classify(change: IntentChange, policy: ChangePolicy, ctx: ClassifyContext): ClassifiedChange {
  if (isDomainClaim(change)) {
    // no rule of cloud.yaml decides: "dns add: minor" was written for records, not for names
    return { ...change, class: "needsApproval", needsWindow: false, why: "a domain claim (the NOC assigns domains; it changes the shared namespace)" };
  }
  const facts = factsOf(change, ctx);
  const index = policy.rules.findIndex((r) => matches(r, change, facts));
  const rule = index >= 0 ? policy.rules[index] : undefined;
  let cls: ChangeClass = rule ? rule.class : policy.default;
  let why = rule ? describeRule(rule, index) : "changePolicy.default";
  if (facts.skipsMalware && cls === "minor") {
    // malware scanning is the cloud's protection of every organization's users, not a local preference
    cls = "needsApproval";
    why = "the exclusion skips malware scanning (bypass malware/both), never minor";
  } else if (facts.exportOwners.length && cls === "minor") {
    cls = "needsApproval";
    why = `uses ${facts.exportOwners.join(", ")}'s export`;
  } else if (facts.exportOwners.length) {
    why += `; uses ${facts.exportOwners.join(", ")}'s export`;
  }
  return { ...change, class: cls, needsWindow: rule?.needsWindow ?? false, why };
}

export function classifyAll(changes: readonly IntentChange[], policy: ChangePolicy, ctx: ClassifyContext): ClassifiedChange[] {
  return changes.map((c) => classify(c, policy, ctx));
}

/**
 * Re-classifies changes read from a plan file: the classes stored there are
 * not covered by the plan id, so apply never trusts them. Where a rule can
 * only be looked up in an inventory that is not at hand, it is judged the
 * stricter way.
 */
export function reclassify(changes: readonly IntentChange[], policy: ChangePolicy, ctx: ClassifyContext): ClassifiedChange[] {
  const bare = changes.map((c): IntentChange => ({ op: c.op, org: c.org, kind: c.kind, key: c.key, summary: c.summary, ...(c.before !== undefined ? { before: c.before } : {}) }));
  return classifyAll(bare, policy, ctx);
}
