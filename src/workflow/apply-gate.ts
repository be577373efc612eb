// Gathers what the gates need before apply (I/O: git, the approvals, the
// backups audit log) and asks evaluateGates. What the plan file says about
// classes and thresholds is not covered by its id, so it is only ever made
// stricter here: the plan's intent changes are classified again with the
// current policy, and the changes from the known base to the current
// inventory are added to them.
import type { Inventory } from "../model/types.js";
import { APPROVALS_DIR, changeAuthors, readApprovals, type Approval } from "./approvals.js";
import { evaluateGates, type GateResult } from "./gates.js";
import { gatingChanges, noBaselineLine, type Baseline } from "./baseline.js";
import { committedNames, inventoryRepo, shortCommit, type InventoryRepo } from "./git.js";
import { reclassify, type GatedChange } from "./policy.js";
import { inventoryAt } from "./revision.js";
import { assess, type ReviewedPlan } from "./review.js";
import type { ThresholdFinding } from "./thresholds.js";

export interface ApplyGateOptions {
  /** the inventory being applied: the committed revision (or, in a rehearsal of uncommitted edits, the working tree) */
  inventory: Inventory;
  plan: ReviewedPlan;
  /** the revision the devices were last brought to (src/workflow/baseline.ts) */
  baseline: Baseline;
  /** the commit being applied, for the authors since the baseline (absent: the working tree) */
  head?: string;
  /** who applies (--operator); otherwise the plan's operator counts as an author */
  operator?: string;
  now: Date;
  force: boolean;
  emergency?: { reason: string };
  /** a time or date override used (rehearsals only), recorded with the verdict */
  clock?: { now?: string; today?: string };
}

export interface ApplyGate extends GateResult {
  changes: GatedChange[];
  authors: string[];
  base?: string;
}

/** Without a baseline: every changed artifact needs approval and a window. */
export function baselessChanges(plan: ReviewedPlan, reason: string): GatedChange[] {
  return plan.devices.flatMap((d) =>
    d.artifacts
      .filter((a) => a.action !== "unchanged")
      .map((a): GatedChange => ({ op: a.action === "create" ? "add" : "change", org: d.device, kind: "artifact", key: a.path, summary: `${d.device}:${a.path}`, class: "needsApproval", needsWindow: true, why: noBaselineLine(reason) })),
  );
}

const STRICTER = (a: GatedChange, b: GatedChange): GatedChange => ({
  ...a,
  class: a.class === "needsApproval" || b.class === "needsApproval" ? "needsApproval" : "minor",
  needsWindow: a.needsWindow || b.needsWindow,
  why: a.class === "needsApproval" || b.class === "minor" ? a.why : b.why,
});

/** Union of two lists of classified changes, the stricter class winning for a change in both. */
export function mergeStricter(a: readonly GatedChange[], b: readonly GatedChange[]): GatedChange[] {
  const byKey = new Map<string, GatedChange>();
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
  const { inventory, plan, baseline } = o;
  const repo = tryRepo(inventory.root);
  let changes: GatedChange[];
  let thresholds: ThresholdFinding[] = [];
  let policy = inventory.cloud.changePolicy;
  // the approvers of the policy in force: the base's; without a base, those of the committed inventory applied
  let approvers = inventory.cloud.approvers;
  const notes: string[] = [];
  if ("commit" in baseline && repo) {
    // the policy in force: the one of the revision the devices run
    const before = inventoryAt(repo, baseline.commit, baseline.today || plan.today);
    policy = before.cloud.changePolicy;
    approvers = before.cloud.approvers;
    const fresh = assess(before, inventory);
    changes = mergeStricter(reclassify(plan.intentChanges, policy, { after: inventory, before }), [...fresh.changes, ...gatingChanges(before, inventory)]);
    thresholds = fresh.thresholds;
  } else if (!repo) {
    // outside git there is no history to judge against nor approvals to read: said, and recorded (known gap, see README)
    changes = [];
    notes.push("the inventory is not in a git repository: the change gate cannot judge this apply (no baseline, no approvals); it is recorded as ungated");
  } else {
    const reason = "reason" in baseline ? baseline.reason : "the inventory is not in git";
    changes = baselessChanges(plan, reason);
    notes.push(noBaselineLine(reason));
  }
  const operator = o.operator ?? plan.operator;
  const base = "commit" in baseline ? baseline.commit : undefined;
  // who wrote the change: git authors and committers (names and signing keys) since the base (without one, of the whole history), and the operator
  const written = repo ? changeAuthors(repo, base, o.head ?? "HEAD") : { names: [], keys: [] };
  const authors = [...new Set([...written.names, operator])].sort();
  // approvals are verified against the approvers of the policy in force, never the working tree's
  const approvals: Approval[] = repo ? readApprovals(repo, plan.id, approvers) : [];
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
  const verdict = {
    base: base ? { commit: base, revision: shortCommit(base) } : { none: "reason" in baseline ? baseline.reason : "unknown" },
    ...(repo ? {} : { ungated: "the inventory is not in a git repository" }),
    ...(o.clock && (o.clock.now || o.clock.today) ? { clockOverride: o.clock } : {}),
  };
  return { ...result, notes: [...notes, ...result.notes], audit: { ...result.audit, gate: { ...(result.audit["gate"] as object | undefined), ...verdict } }, changes, authors, ...(base ? { base } : {}) };
}

/** "now" for the gates: --now, else $SCCONF_NOW (for rehearsals and tests), else the clock. */
export function gateNow(flag: string | undefined): Date {
  const text = flag ?? process.env["SCCONF_NOW"];
  if (text === undefined || text === "") return new Date();
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`--now / SCCONF_NOW must be an ISO time such as 2026-11-30T23:00:00+09:00 (got ${text})`);
  return d;
}
