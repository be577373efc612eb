// Gathers what the gates need before apply (I/O: git, the approvals, the
// backups audit log) and asks evaluateGates. What the plan file says about
// classes and thresholds is not covered by its id, so it is only ever made
// stricter here: the plan's intent changes are classified again with the
// current policy, and the changes from the known base to the current
// inventory are added to them.
import type { Inventory } from "../model/types.js";
import { APPROVALS_DIR, changeAuthors, readApprovals, type Approval } from "./approvals.js";
import { evaluateGates, type GateResult } from "./gates.js";
import { committedNames, inventoryRepo, resolveCommit, type InventoryRepo } from "./git.js";
import { reclassify, type ClassifiedChange } from "./policy.js";
import { inventoryAt, lastAppliedCommit } from "./revision.js";
import { assess, type ReviewedPlan } from "./review.js";
import type { ThresholdFinding } from "./thresholds.js";

export interface ApplyGateOptions {
  /** the current (working-tree) inventory */
  inventory: Inventory;
  plan: ReviewedPlan;
  /** the backups store directory (for the last applied revision) */
  storeDir: string;
  /** who applies (--operator); otherwise the plan's operator counts as an author */
  operator?: string;
  now: Date;
  force: boolean;
  emergency?: { reason: string };
}

export interface ApplyGate extends GateResult {
  changes: ClassifiedChange[];
  authors: string[];
  base?: string;
}

const STRICTER = (a: ClassifiedChange, b: ClassifiedChange): ClassifiedChange => ({
  ...a,
  class: a.class === "needsApproval" || b.class === "needsApproval" ? "needsApproval" : "minor",
  needsWindow: a.needsWindow || b.needsWindow,
  why: a.class === "needsApproval" || b.class === "minor" ? a.why : b.why,
});

/** Union of two lists of classified changes, the stricter class winning for a change in both. */
export function mergeStricter(a: readonly ClassifiedChange[], b: readonly ClassifiedChange[]): ClassifiedChange[] {
  const byKey = new Map<string, ClassifiedChange>();
  for (const c of [...a, ...b]) {
    const k = `${c.op}\u0000${c.org}\u0000${c.kind}\u0000${c.key}`;
    const seen = byKey.get(k);
    byKey.set(k, seen ? STRICTER(seen, c) : c);
  }
  return [...byKey.values()];
}

function tryRepo(dir: string): InventoryRepo | undefined {
  try {
    return inventoryRepo(dir);
  } catch {
    return undefined;
  }
}

export function gateApply(o: ApplyGateOptions): ApplyGate {
  const { inventory, plan } = o;
  const policy = inventory.cloud.changePolicy;
  const repo = tryRepo(inventory.root);
  let base: string | undefined;
  if (repo && plan.review?.base?.commit) base = resolveCommit(repo.top, plan.review.base.commit);
  if (repo && !base) {
    const last = lastAppliedCommit(repo, o.storeDir);
    if ("commit" in last) base = last.commit;
  }
  const before = repo && base ? inventoryAt(repo, base, plan.today) : undefined;
  let changes = reclassify(plan.intentChanges, policy, { after: inventory, ...(before ? { before } : {}) });
  let thresholds: ThresholdFinding[] = [...(plan.review?.thresholds ?? [])];
  if (before) {
    const fresh = assess(before, inventory);
    changes = mergeStricter(changes, fresh.changes);
    thresholds = [...thresholds, ...fresh.thresholds];
  }
  const byName = new Map<string, ThresholdFinding>();
  for (const t of thresholds) {
    const k = `${t.scope} ${t.name}`;
    const seen = byName.get(k);
    if (!seen || (t.exceeded && !seen.exceeded) || t.share > seen.share) byName.set(k, t);
  }
  thresholds = [...byName.values()];
  const operator = o.operator ?? plan.operator;
  const written = repo && base ? changeAuthors(repo, base) : { names: [], keys: [] };
  const authors = [...new Set([...written.names, operator])].sort();
  // approvals are verified against the approvers list of the policy in force (the base), never the working tree's
  const approvals: Approval[] = repo ? readApprovals(repo, plan.id, (before ?? inventory).cloud.approvers) : [];
  const approvedPlans = repo ? committedNames(repo.top, APPROVALS_DIR).map((n) => n.replace(/\.json$/, "")) : [];
  const result = evaluateGates({
    planId: plan.id,
    changes,
    thresholds,
    approvals,
    approvedPlans,
    authors,
    authorKeys: written.keys,
    now: o.now,
    policy,
    timeZone: inventory.cloud.timezone,
    force: o.force,
    ...(o.emergency ? { emergency: o.emergency } : {}),
  });
  return { ...result, changes, authors, ...(base ? { base } : {}) };
}

/** "now" for the gates: --now, else $SCCONF_NOW (for rehearsals and tests), else the clock. */
export function gateNow(flag: string | undefined): Date {
  const text = flag ?? process.env["SCCONF_NOW"];
  if (text === undefined || text === "") return new Date();
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`--now / SCCONF_NOW must be an ISO time such as 2026-11-30T23:00:00+09:00 (got ${text})`);
  return d;
}
