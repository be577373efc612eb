// What a plan means for the people who approve it: the intent changes between
// two inventory revisions with their class (minor / needs approval, window),
// and the safety thresholds. Also the review plan (`plan --base`): the base
// revision's rendering is "current", the head's is "desired"; no device is
// contacted.
import type { Device, Inventory } from "../model/types.js";
import { assemblePlan, planDevice } from "../plan/build.js";
import { diffIntent, intentOf } from "../plan/intent.js";
import type { Plan } from "../plan/types.js";
import { renderAll } from "../render/render.js";
import { GitError, inventoryRepo, resolveCommit, shortCommit, workingRevision, type InventoryRepo } from "./git.js";
import { classifyAll, type ClassifiedChange } from "./policy.js";
import { baselineOf, gatingChanges, noBaselineLine } from "./baseline.js";
import { inventoryAt } from "./revision.js";
import { checkThresholds, type ThresholdFinding } from "./thresholds.js";
import { validateInventory } from "../inventory/validate.js";
import { formatDiagnostic } from "../inventory/diagnostics.js";

/** Stored in the plan file beside the Plan's own fields (not covered by the plan id: apply re-derives what it gates on). */
export interface PlanReview {
  /** the revision the intent changes are counted from; absent when unknown (see note) */
  base?: { commit: string; label: string };
  /** the revision of the desired state ("a1b2c3d4e5f6", "a1b2c3d4e5f6+dirty") */
  head: string;
  /** why there is no intent list, in one line */
  note?: string;
  thresholds: ThresholdFinding[];
}

/** A plan with its review; intentChanges hold ClassifiedChange values once classified. */
export type ReviewedPlan = Plan & { review?: PlanReview };

export interface Assessment {
  changes: ClassifiedChange[];
  thresholds: ThresholdFinding[];
}

/** Pure: the classified intent changes from `before` to `after`, and the thresholds. */
export function assess(before: Inventory, after: Inventory): Assessment {
  // the policy in force judges: the one before the change (a change of the policy itself is gated in apply-gate.ts)
  const policy = before.cloud.changePolicy;
  const beforeIntent = intentOf(before);
  const changes = classifyAll(diffIntent(beforeIntent, intentOf(after)), policy, { before, after });
  return { changes, thresholds: checkThresholds(beforeIntent, changes, policy, after.devices) };
}

export function exceededThresholds(review: Pick<PlanReview, "thresholds"> | undefined): ThresholdFinding[] {
  return review?.thresholds.filter((t) => t.exceeded) ?? [];
}

/** The working-tree inventory (head undefined) or the inventory at a commit. */
export function loadHead(repo: InventoryRepo, inventoryDir: string, head: string | undefined, today: string): Inventory {
  if (head !== undefined) return inventoryAt(repo, commitOf(repo, head), today);
  const r = validateInventory(inventoryDir, { revision: workingRevision(inventoryDir), today });
  if (!r.inventory) {
    const first = r.diagnostics.filter((d) => d.severity === "error").slice(0, 3).map(formatDiagnostic);
    throw new GitError(`the inventory does not validate (${r.errors} error(s)):\n${first.join("\n")}`);
  }
  return r.inventory;
}

export function commitOf(repo: InventoryRepo, ref: string): string {
  const commit = resolveCommit(repo.top, ref);
  if (!commit) throw new GitError(`"${ref}" names no commit of the inventory repository ${repo.top}`);
  return commit;
}

export interface ReviewPlanOptions {
  base: string;
  head?: string;
  today: string;
  operator: string;
  /** which devices, given the head inventory (--device, --org) */
  select?: (head: Inventory) => (d: Device) => boolean;
  now?: Date;
}

export interface ReviewPlanResult {
  plan: ReviewedPlan & { review: PlanReview };
  base: Inventory;
  head: Inventory;
}

function renderOrThrow(inventory: Inventory, today: string, select: (d: Device) => boolean) {
  const { configs, errors } = renderAll(inventory, { today }, select);
  if (errors.length) throw new GitError(`the inventory at ${inventory.revision} does not render: ${errors.map((e) => e.message).join("; ")}`);
  return configs;
}

/** The review plan between two revisions: intent changes and per-device config diffs, from the inventory alone. */
export function reviewPlan(repo: InventoryRepo, inventoryDir: string, options: ReviewPlanOptions): ReviewPlanResult {
  const baseCommit = commitOf(repo, options.base);
  const base = inventoryAt(repo, baseCommit, options.today);
  const head = loadHead(repo, inventoryDir, options.head, options.today);
  const select = options.select ? options.select(head) : () => true;
  const before = new Map(renderOrThrow(base, options.today, select).map((c) => [c.device, c]));
  const devices = renderOrThrow(head, options.today, select).map((config) => {
    const old = before.get(config.device);
    const artifacts = config.artifacts.map((a) => ({ id: a.id, path: a.path, content: old?.artifacts.find((o) => o.id === a.id)?.content ?? null }));
    return planDevice(head, config, { source: "base-revision", artifacts });
  });
  const { changes, thresholds } = assess(base, head);
  const plan = assemblePlan({ inventory: head, devices, intentChanges: changes, operator: options.operator, today: options.today, offline: true, ...(options.now ? { now: options.now } : {}) });
  return { plan: { ...plan, intentChanges: changes, review: { base: { commit: baseCommit, label: shortCommit(baseCommit) }, head: head.revision, thresholds } }, base, head };
}

/**
 * The ordinary plan's intent list: from the revision the plan's changed
 * devices were last brought to (src/workflow/baseline.ts) to the current
 * inventory. Never fails the plan: when there is no baseline, one line says
 * why (and apply then treats every difference as needing approval and a window).
 */
export function intentSinceBaseline(head: Inventory, storeDir: string, today: string, devices: readonly string[]): { changes: ClassifiedChange[]; review: PlanReview } {
  let repo: InventoryRepo | undefined;
  try {
    repo = inventoryRepo(head.root);
  } catch {
    repo = undefined;
  }
  try {
    const baseline = baselineOf(storeDir, devices, repo);
    if (!("commit" in baseline) || !repo) return { changes: [], review: { head: head.revision, note: noBaselineLine("reason" in baseline ? baseline.reason : "no repository"), thresholds: [] } };
    const before = inventoryAt(repo, baseline.commit, baseline.today || today);
    const { changes, thresholds } = assess(before, head);
    const gating = gatingChanges(before, head).map((c) => c.key);
    return {
      changes,
      review: {
        base: { commit: baseline.commit, label: baseline.label },
        head: head.revision,
        thresholds,
        ...(gating.length ? { note: `cloud.yaml ${gating.join(", ")} changed: that needs approval under the policy in force (${shortCommit(baseline.commit)})` } : {}),
      },
    };
  } catch (err) {
    return { changes: [], review: { head: head.revision, note: noBaselineLine((err as Error).message.split("\n")[0] ?? "unreadable"), thresholds: [] } };
  }
}
